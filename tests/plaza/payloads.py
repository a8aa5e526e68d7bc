"""Hostile XML bodies. Each is an otherwise valid one-offer UpsertRequest, so
only the DTD can be the reason a server refuses it."""

from tests.plaza.factories import ean13

NS = "https://plazaapi.bol.com/offers/xsd/api-2.0.xsd"


def upsert_body(doctype: str, description: str = "", title: str = "Title", ean: str = ean13(0)) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{doctype}
<UpsertRequest xmlns="{NS}">
  <RetailerOffer>
    <EAN>{ean}</EAN>
    <Condition>GOOD</Condition>
    <Price>10.00</Price>
    <DeliveryCode>24uurs-16</DeliveryCode>
    <QuantityInStock>1</QuantityInStock>
    <Publish>true</Publish>
    <ReferenceCode></ReferenceCode>
    <Description>{description}</Description>
    <Title>{title}</Title>
  </RetailerOffer>
</UpsertRequest>
""".encode()


def entity_expansion(levels: int) -> bytes:
    """Each entity is ten of the one before: `levels` 9 is the billion laughs."""
    declarations = "\n".join(f'  <!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, levels + 1))
    doctype = f'<!DOCTYPE UpsertRequest [\n  <!ENTITY lol0 "lol">\n{declarations}\n]>'
    return upsert_body(doctype, description=f"&lol{levels};")


BILLION_LAUGHS = entity_expansion(9)
# Small enough that libxml2's own amplification guard lets it through.
SMALL_ENTITY_EXPANSION = entity_expansion(2)
EXTERNAL_ENTITY = upsert_body('<!DOCTYPE UpsertRequest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', title="&xxe;")
