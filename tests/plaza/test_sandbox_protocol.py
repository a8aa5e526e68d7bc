"""The Plaza sandbox holds the client to bol's documented protocol, not to
the client's own code.

The first tests talk to the sandbox with requests built in this file from
bol's documentation alone. The last ones plant a bug in the client (a wrong
digest, namespace or limit) and expect the sandbox to refuse what that
client sends: while the sandbox borrowed the client's signer, parser and
validation, each of those bugs confirmed itself and these tests failed."""

import base64
import hashlib
import hmac
import types
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from lxml import etree

from domain.errors import BusinessError
from tests.plaza.factories import desired_offer, ean13
from tests.plaza.payloads import NS, upsert_body
from tests.plaza.support import SandboxedPlaza

# bol's own example date, and the clock of a sandbox that lives at that moment.
DATE = "Fri, 07 Oct 2011 13:24:01 GMT"
MOMENT = datetime(2011, 10, 7, 13, 24, 1, tzinfo=UTC)
PUBLIC, PRIVATE = "0123456789abcdef", "secret"
XML = "application/xml"


def documented_signature(
    verb: str = "PUT",
    content_type: str = XML,
    date: str = DATE,
    uri: str = "/offers/v2/",
    private_key: str = PRIVATE,
    digest: str = "sha256",
    encode: Callable[[bytes], str] = lambda raw: base64.b64encode(raw).decode(),
) -> str:
    """The signature exactly as bol's authentication page spells it out."""
    sig = verb + "\n\n" + content_type + "\n" + date + "\n" + "x-bol-date:" + date + "\n" + uri
    return encode(hmac.new(private_key.encode(), sig.encode(), digest).digest())


@pytest.fixture
def plaza() -> SandboxedPlaza:
    return SandboxedPlaza.start(public_key=PUBLIC, private_key=PRIVATE, clock=lambda: MOMENT)


async def send(
    plaza: SandboxedPlaza,
    body: bytes | None = None,
    *,
    authorization: str | None = None,
    date: str = DATE,
    content_type: str = XML,
    url: str = "/offers/v2/",
) -> httpx.Response:
    headers = {
        "Content-Type": content_type,
        "X-BOL-Date": date,
        "X-BOL-Authorization": authorization or f"{PUBLIC}:{documented_signature()}",
    }
    async with plaza.control_client() as http:
        return await http.put(url, content=upsert_body("") if body is None else body, headers=headers)


def errors_in(response: httpx.Response) -> list[dict[str, str]]:
    """Each ValidationError or ServiceError as {child element: text}, read by hand."""
    root = etree.fromstring(response.content)
    found = root.iter(f"{{{NS}}}ValidationError", f"{{{NS}}}ServiceError")
    return [{etree.QName(child).localname: child.text or "" for child in error} for error in found]


def offer_xml(**elements: str | None) -> bytes:
    """A one-offer UpsertRequest; an element given as None is left out."""
    values: dict[str, str | None] = {
        "EAN": ean13(1),
        "Condition": "NEW",
        "Price": "12.50",
        "DeliveryCode": "24uurs-16",
        "QuantityInStock": "5",
        "Publish": "true",
        "ReferenceCode": "",
        "Description": "",
        "Title": "Mug",
        "FulfillmentMethod": "FBR",
        **elements,
    }
    children = "".join(f"<{name}>{text}</{name}>" for name, text in values.items() if text is not None)
    return f'<UpsertRequest xmlns="{NS}"><RetailerOffer>{children}</RetailerOffer></UpsertRequest>'.encode()


async def test_a_request_signed_exactly_as_documented_is_accepted(plaza: SandboxedPlaza) -> None:
    response = await send(plaza)

    assert response.status_code == 202
    assert list(plaza.state.offers) == [(ean13(0), "GOOD")]


@pytest.mark.parametrize(
    "signature",
    [
        documented_signature(uri="/offers/v2/?dry=1"),  # the URI is signed without the query string
        documented_signature(encode=lambda raw: raw.hex()),  # base64, not hex
        documented_signature(digest="sha1"),  # HMAC-SHA256, not SHA1
        documented_signature(verb="put"),
        documented_signature(content_type="application/xml; charset=UTF-8"),  # not the Content-Type sent
        documented_signature(date="Fri, 07 Oct 2011 13:24:02 GMT"),  # not the X-BOL-Date sent
        documented_signature(private_key="public"),
    ],
    ids=["query-in-uri", "hex", "sha1", "lowercase-verb", "other-content-type", "other-date", "wrong-key"],
)
async def test_a_request_signed_other_than_documented_is_refused(plaza: SandboxedPlaza, signature: str) -> None:
    response = await send(plaza, authorization=f"{PUBLIC}:{signature}", url="/offers/v2/?dry=1")

    assert response.status_code == 401
    assert [e["ErrorCode"] for e in errors_in(response)] == ["41202"]
    assert plaza.state.offers == {}


async def test_the_signature_must_be_sent_under_the_right_public_key(plaza: SandboxedPlaza) -> None:
    response = await send(plaza, authorization=f"somebody-else:{documented_signature()}")

    assert response.status_code == 401
    assert [e["ErrorCode"] for e in errors_in(response)] == ["41202"]


@pytest.mark.parametrize(
    "date",
    ["2011-10-07T13:24:01Z", "Fri, 07 Oct 2011 13:24:01 +0000", "Thu, 07 Oct 2011 13:24:01 GMT", "Fri, 7 Oct 2011"],
    ids=["iso-8601", "numeric-zone", "wrong-weekday", "no-time"],
)
async def test_x_bol_date_must_be_an_rfc_1123_date_in_gmt(plaza: SandboxedPlaza, date: str) -> None:
    signature = documented_signature(date=date)

    response = await send(plaza, authorization=f"{PUBLIC}:{signature}", date=date)

    assert response.status_code == 401
    assert [e["ErrorCode"] for e in errors_in(response)] == ["41102"]


async def test_missing_auth_headers_are_refused(plaza: SandboxedPlaza) -> None:
    async with plaza.control_client() as http:
        response = await http.put("/offers/v2/", content=upsert_body(""), headers={"Content-Type": XML})

    assert response.status_code == 401
    assert [e["ErrorCode"] for e in errors_in(response)] == ["41201"]


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (offer_xml().replace(f' xmlns="{NS}"'.encode(), b""), "namespace"),
        (offer_xml().replace(b"<RetailerOffer>", b"<RetailerOffer>stray"), "text"),
        (offer_xml(Condition=None), "Condition is missing"),
        (offer_xml().replace(b"<Title>Mug</Title>", b"<Title>Mug</Title><Colour>red</Colour>"), "Colour"),
        (
            offer_xml(Title=None).replace(b"</FulfillmentMethod>", b"</FulfillmentMethod><Title>Mug</Title>"),
            "out of order",
        ),
        (offer_xml(Title="<b>Mug</b>"), "Title"),
        (f'<UpsertRequest xmlns="{NS}"/>'.encode(), "1 to 50"),
        (f'<UpsertRequest xmlns="{NS}">{"<RetailerOffer/>" * 51}</UpsertRequest>'.encode(), "1 to 50"),
    ],
    ids=["no-namespace", "loose-text", "missing", "unknown", "order", "nested", "empty", "51-offers"],
)
async def test_a_body_the_xsd_would_refuse_is_a_41100_service_error(
    plaza: SandboxedPlaza, body: bytes, complaint: str
) -> None:
    response = await send(plaza, body)

    assert response.status_code == 400
    [error] = errors_in(response)
    assert error["ErrorCode"] == "41100" and "Field" not in error
    assert complaint in error["ErrorMessage"]
    assert [(r.offers, r.status) for r in plaza.state.requests] == [(0, 400)]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("EAN", ean13(1)[:-1] + str((int(ean13(1)[-1]) + 1) % 10), "41102"),  # check digit off by one
        ("EAN", "96385074", "41102"),  # bol's EANs are EAN-13
        ("Condition", "USED", "41100"),
        ("Price", "12,50", "41100"),
        ("Price", "1E3", "41100"),
        ("Price", "0", "41100"),
        ("Price", "9999.01", "41100"),
        ("Price", "12.505", "41100"),
        ("DeliveryCode", "24uurs-24", "41104"),
        ("QuantityInStock", "1000", "41100"),
        ("QuantityInStock", "-1", "41100"),
        ("QuantityInStock", "2.0", "41100"),
        ("Publish", "yes", "41100"),
        ("ReferenceCode", "R" * 21, "41100"),
        ("Description", "d" * 2001, "41100"),
        ("Title", "t" * 501, "41100"),
        ("FulfillmentMethod", "FBA", "41100"),
    ],
)
async def test_each_documented_field_rule_is_a_validation_error_naming_the_field(
    plaza: SandboxedPlaza, field: str, value: str, code: str
) -> None:
    response = await send(plaza, offer_xml(**{field: value}))

    assert response.status_code == 400
    assert errors_in(response) == [
        {"ErrorCode": code, "ErrorMessage": errors_in(response)[0]["ErrorMessage"], "Field": field, "Value": value}
    ]
    assert plaza.state.offers == {}


async def test_the_limits_themselves_are_allowed_and_fulfilment_defaults_to_fbr(plaza: SandboxedPlaza) -> None:
    body = offer_xml(
        Price=" 9999.00 ",
        QuantityInStock="999",
        Publish="0",
        ReferenceCode="R" * 20,
        Description="é" * 2000,  # characters, not bytes
        Title="t" * 500,
        FulfillmentMethod=None,
    )

    response = await send(plaza, body)

    assert response.status_code == 202, response.text
    [offer] = await plaza.control("/_sandbox/offers")
    assert (offer["Price"], offer["QuantityInStock"], offer["Publish"]) == ("9999.00", 999, False)
    assert offer["FulfillmentMethod"] == "FBR"


async def test_a_body_only_xml_may_be_sent_as(plaza: SandboxedPlaza) -> None:
    signature = documented_signature(content_type="application/json")

    response = await send(plaza, authorization=f"{PUBLIC}:{signature}", content_type="application/json")

    assert response.status_code == 400
    assert "Content-Type" in errors_in(response)[0]["ErrorMessage"]


async def test_an_oversized_body_is_refused_before_it_is_parsed(plaza: SandboxedPlaza) -> None:
    response = await send(plaza, offer_xml(Description="d" * (3 * 1024 * 1024)))

    assert response.status_code == 413
    assert [e["ErrorCode"] for e in errors_in(response)] == ["41100"]


# A bug planted in the client must be caught by the sandbox.


@pytest.fixture
def live_plaza() -> SandboxedPlaza:
    return SandboxedPlaza.start()  # the real clock, as the client uses


async def test_a_client_signing_with_the_wrong_digest_is_refused(
    live_plaza: SandboxedPlaza, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("activities.marketplaces.plaza.signing.hashlib", types.SimpleNamespace(sha256=hashlib.sha1))
    client = live_plaza.client()

    with pytest.raises(BusinessError) as raised:
        await client.upsert([desired_offer(1)])
    await client.aclose()

    assert raised.value.status == 401 and "41202" in str(raised.value)
    assert live_plaza.state.offers == {}


async def test_a_client_writing_the_wrong_namespace_is_refused(
    live_plaza: SandboxedPlaza, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "activities.marketplaces.plaza.xml.NAMESPACE", "https://plazaapi.bol.com/offers/xsd/api-1.0.xsd"
    )
    client = live_plaza.client()

    result = await client.upsert([desired_offer(1)])
    await client.aclose()

    assert result.accepted == []
    [rejected] = result.rejected
    assert rejected.source == "server" and "namespace" in rejected.violations[0].reason
    assert live_plaza.state.offers == {}


async def test_a_client_with_a_wrong_limit_has_its_offer_refused_by_the_server(
    live_plaza: SandboxedPlaza, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("activities.marketplaces.plaza.validation.MAX_REFERENCE_CODE", 25)
    client = live_plaza.client()

    result = await client.upsert([desired_offer(1), desired_offer(2, reference="R" * 21)])
    await client.aclose()

    [rejected] = result.rejected
    assert (rejected.sku, rejected.source) == ("SKU-2", "server")
    assert [v.name for v in rejected.violations] == ["ReferenceCode"]
    assert [a.sku for a in result.accepted] == ["SKU-1"]
    assert list(live_plaza.state.offers) == [(ean13(1), "NEW")]
