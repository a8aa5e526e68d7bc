"""Parsing XML that came from outside without letting it reach further.

The sandbox parses whatever a client sends and the client parses whatever a
server answers, so neither may expand entities (billion laughs), fetch
anything (XXE, SSRF) or build unbounded trees. A DOCTYPE has no business in
any Plaza document, so one is refused outright rather than half-processed."""

from lxml import etree


class PlazaXmlError(ValueError):
    """The document is not one the Plaza Offer API v2 would accept."""


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers keep state and are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def safe_parse(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise PlazaXmlError(f"not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise PlazaXmlError("DTDs and entity declarations are not allowed")
    return root


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname
