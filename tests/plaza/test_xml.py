from decimal import Decimal

import pytest
from lxml import etree

from activities.marketplaces.plaza.safexml import PlazaXmlError
from activities.marketplaces.plaza.xml import (
    PlazaError,
    PlazaOffer,
    build_errors,
    build_service_error,
    build_upsert_request,
    offer_from_desired,
    parse_errors,
    parse_upsert_request,
)
from domain.offers.condition import OfferCondition
from domain.offers.model import FulfilmentMethod
from tests.plaza.factories import desired_offer, ean13
from tests.plaza.payloads import BILLION_LAUGHS, EXTERNAL_ENTITY, SMALL_ENTITY_EXPANSION, upsert_body

NS = "https://plazaapi.bol.com/offers/xsd/api-2.0.xsd"


def _children(element: etree._Element) -> list[tuple[str, str | None]]:
    return [(etree.QName(child).localname, child.text) for child in element]


def test_one_offer_is_built_in_the_documented_shape() -> None:
    offer = offer_from_desired(
        desired_offer(
            1,
            condition=OfferCondition.GOOD,
            price=Decimal("1234.5"),
            stock=13,
            reference="MyReference",
            description="boek met koffievlekken",
            title="Harry Potter",
        )
    )

    data = build_upsert_request([offer])

    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(data)
    assert root.tag == f"{{{NS}}}UpsertRequest"
    assert root.prefix is None  # bol's examples use a default namespace
    [retailer_offer] = root
    assert retailer_offer.tag == f"{{{NS}}}RetailerOffer"
    assert all(etree.QName(child).namespace == NS for child in retailer_offer)
    assert _children(retailer_offer) == [
        ("EAN", ean13(1)),
        ("Condition", "GOOD"),
        ("Price", "1234.50"),
        ("DeliveryCode", "24uurs-16"),
        ("QuantityInStock", "13"),
        ("Publish", "true"),
        ("ReferenceCode", "MyReference"),
        ("Description", "boek met koffievlekken"),
        ("Title", "Harry Potter"),
        ("FulfillmentMethod", "FBR"),
    ]


def test_required_but_empty_elements_are_sent_empty_and_a_missing_title_is_left_out() -> None:
    offer = offer_from_desired(desired_offer(2, reference="", description="ignored for NEW", title=None))

    [retailer_offer] = etree.fromstring(build_upsert_request([offer]))

    children = dict(_children(retailer_offer))
    assert children["ReferenceCode"] is None and children["Description"] is None
    assert "Title" not in children


def test_offers_round_trip_through_the_parser() -> None:
    offers = [
        offer_from_desired(desired_offer(1)),
        offer_from_desired(
            desired_offer(
                2,
                condition=OfferCondition.AS_NEW,
                description="Doos beschadigd – “zo goed als nieuw” ✓",
                title=None,
                on_hold=True,
                stock=0,
                fulfilment=FulfilmentMethod.FBB,
                price=Decimal("0.99"),
            )
        ),
    ]

    assert parse_upsert_request(build_upsert_request(offers)) == offers


def test_a_request_never_holds_more_than_50_offers() -> None:
    offer = offer_from_desired(desired_offer(1))

    build_upsert_request([offer] * 50)
    with pytest.raises(ValueError, match=r"1\.\.50"):
        build_upsert_request([offer] * 51)


def test_price_is_never_written_in_exponent_notation() -> None:
    offer = PlazaOffer(
        ean=ean13(1), condition="NEW", price=Decimal("1E+3"), delivery_code="1-2d", quantity_in_stock=1, publish=True
    )

    assert b"<Price>1000</Price>" in build_upsert_request([offer])


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda body: body.replace(NS, "https://example.com/other"), "UpsertRequest"),
        (lambda body: body.replace("<Price>10.00</Price>", "<Price>10,00</Price>"), "Price"),
        (lambda body: body.replace("<Publish>true</Publish>", "<Publish>yes</Publish>"), "Publish"),
        (lambda body: body.replace("<ReferenceCode></ReferenceCode>", ""), "missing ReferenceCode"),
        (
            lambda body: body.replace("<Condition>GOOD</Condition>", "").replace(
                "<DeliveryCode>", "<Condition>GOOD</Condition><DeliveryCode>"
            ),
            "out of order",
        ),
    ],
    ids=["namespace", "comma-decimal", "boolean", "missing-element", "order"],
)
def test_the_parser_reads_requests_as_strictly_as_an_xsd(change, complaint: str) -> None:
    body = change(upsert_body("").decode()).encode()

    with pytest.raises(PlazaXmlError, match=complaint):
        parse_upsert_request(body)


@pytest.mark.parametrize(
    "payload",
    [BILLION_LAUGHS, SMALL_ENTITY_EXPANSION, EXTERNAL_ENTITY],
    ids=["billion-laughs", "entity-expansion", "external-entity"],
)
def test_the_parser_refuses_dtds_and_entities(payload: bytes) -> None:
    with pytest.raises(PlazaXmlError) as refused:
        parse_upsert_request(payload)

    assert "root:" not in str(refused.value)


def test_bols_real_validation_error_document_is_understood() -> None:
    body = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Errors xmlns="https://plazaapi.bol.com/offers/xsd/api-2.0.xsd"><ValidationErrors>'
        b"<ValidationError><ErrorCode>41102</ErrorCode><ErrorMessage>The EAN is not valid.</ErrorMessage>"
        b"<Field>EAN</Field><Value>123</Value></ValidationError>"
        b"</ValidationErrors></Errors>"
    )

    assert parse_errors(body) == [PlazaError(code="41102", message="The EAN is not valid.", field="EAN", value="123")]


def test_error_documents_round_trip() -> None:
    errors = [
        PlazaError(code="41102", message="The EAN is not valid.", field="EAN", value="123"),
        PlazaError(code="41104", message="The delivery code is not valid.", field="DeliveryCode", value="soon"),
    ]
    service_error = PlazaError(code="41202", message="signature does not match")

    assert parse_errors(build_errors(errors)) == errors
    assert parse_errors(build_service_error(service_error)) == [service_error]
