"""The sandbox's side of the Offer API v2 wire format: reading an
UpsertRequest as bol's XSD would, and writing the Errors and ServiceError
documents bol answers with.

A sandbox is a server that reads untrusted XML, so the parser expands no
entities, fetches nothing, keeps libxml2's size and depth limits
(huge_tree off) and refuses any DOCTYPE outright: no Plaza document has
one. Structure is checked here; the values in it are checked in checks.py.

The client (activities/marketplaces/plaza/safexml.py) hardens its parser the
same way. The two stay separate on purpose: the sandbox must not share code
with the adapter it is there to test."""

from dataclasses import dataclass

from lxml import etree

from sandbox.plaza.protocol import MAX_OFFERS_PER_REQUEST, NAMESPACE, OFFER_ELEMENTS


@dataclass(frozen=True)
class ErrorEntry:
    """One <ValidationError>, or with neither field nor value a <ServiceError>."""

    code: str
    message: str
    field: str | None = None
    value: str | None = None


class MalformedRequest(ValueError):
    """The body is not an UpsertRequest that bol's XSD lets through."""


@dataclass(frozen=True)
class ReceivedOffer:
    """One <RetailerOffer> as sent: element name → its text, unconverted."""

    position: int
    texts: dict[str, str]


def _hardened_parser() -> etree.XMLParser:
    # A new parser per document: lxml parsers hold state and are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_untrusted(body: bytes) -> etree._Element:
    try:
        root = etree.fromstring(body, _hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedRequest(f"not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise MalformedRequest("DTDs and entity declarations are not allowed")
    return root


def _name(local_name: str) -> str:
    return f"{{{NAMESPACE}}}{local_name}"


def _element_name(node: etree._Element, where: str) -> str:
    """The local name of a child element in bol's namespace; anything else
    (another namespace, an unexpanded entity) is malformed."""
    if not isinstance(node.tag, str):
        raise MalformedRequest(f"{where}: only elements are allowed here")
    qname = etree.QName(node)
    if qname.namespace != NAMESPACE:
        raise MalformedRequest(f"{where}: {qname.localname} must be in namespace {NAMESPACE}, got {qname.namespace}")
    if node.attrib:
        raise MalformedRequest(f"{where}: {qname.localname} takes no attributes")
    return qname.localname


def _no_loose_text(element: etree._Element, where: str) -> None:
    """Element-only content: whitespace between the children, nothing else."""
    texts = [element.text, *(child.tail for child in element)]
    if any(text and text.strip() for text in texts):
        raise MalformedRequest(f"{where}: text is not allowed between elements")


def read_upsert_request(body: bytes) -> list[ReceivedOffer]:
    root = parse_untrusted(body)
    if root.tag != _name("UpsertRequest"):
        raise MalformedRequest(
            f"the root element must be UpsertRequest in namespace {NAMESPACE}, got {etree.QName(root).text}"
        )
    if root.attrib:
        raise MalformedRequest("UpsertRequest takes no attributes")
    _no_loose_text(root, "UpsertRequest")
    offers = list(root)
    if not 1 <= len(offers) <= MAX_OFFERS_PER_REQUEST:
        raise MalformedRequest(
            f"an UpsertRequest holds 1 to {MAX_OFFERS_PER_REQUEST} RetailerOffers, got {len(offers)}"
        )
    received = []
    for position, offer in enumerate(offers, start=1):
        if _element_name(offer, "UpsertRequest") != "RetailerOffer":
            raise MalformedRequest(f"UpsertRequest: element {position} must be RetailerOffer")
        received.append(ReceivedOffer(position, _read_offer(offer, f"RetailerOffer {position}")))
    return received


def _read_offer(offer: etree._Element, where: str) -> dict[str, str]:
    _no_loose_text(offer, where)
    names = [name for name, _ in OFFER_ELEMENTS]
    texts: dict[str, str] = {}
    expected = 0  # index in OFFER_ELEMENTS of the next element the sequence allows
    for child in offer:
        name = _element_name(child, where)
        if name not in names:
            raise MalformedRequest(f"{where}: unknown element {name}")
        index = names.index(name)
        if index < expected:
            raise MalformedRequest(f"{where}: {name} is repeated or out of order")
        skipped = [skipped for skipped, required in OFFER_ELEMENTS[expected:index] if required]
        if skipped:
            raise MalformedRequest(f"{where}: {skipped[0]} is missing before {name}")
        if len(child):
            raise MalformedRequest(f"{where}: {name} holds text, not elements")
        texts[name] = child.text or ""
        expected = index + 1
    missing = [name for name, required in OFFER_ELEMENTS[expected:] if required]
    if missing:
        raise MalformedRequest(f"{where}: missing {', '.join(missing)}")
    return texts


def _document(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _add(parent: etree._Element, name: str, text: str | None) -> None:
    if text is not None:
        etree.SubElement(parent, _name(name)).text = text


def errors_document(errors: list[ErrorEntry]) -> bytes:
    """The 400 body for offers that failed validation, as in bol's example:
    Errors / ValidationErrors / ValidationError(ErrorCode, ErrorMessage, Field, Value)."""
    root = etree.Element(_name("Errors"), nsmap={None: NAMESPACE})
    container = etree.SubElement(root, _name("ValidationErrors"))
    for error in errors:
        entry = etree.SubElement(container, _name("ValidationError"))
        _add(entry, "ErrorCode", error.code)
        _add(entry, "ErrorMessage", error.message)
        _add(entry, "Field", error.field)
        _add(entry, "Value", error.value)
    return _document(root)


def service_error_document(error: ErrorEntry) -> bytes:
    """A request-level error: ServiceError(ErrorCode, ErrorMessage)."""
    root = etree.Element(_name("ServiceError"), nsmap={None: NAMESPACE})
    _add(root, "ErrorCode", error.code)
    _add(root, "ErrorMessage", error.message)
    return _document(root)


def offer_file_document(url: str) -> bytes:
    """<OfferFile><Url>…</Url></OfferFile>: where the export will be."""
    root = etree.Element(_name("OfferFile"), nsmap={None: NAMESPACE})
    _add(root, "Url", url)
    return _document(root)
