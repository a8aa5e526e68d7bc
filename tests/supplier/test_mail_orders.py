"""The portal's order mail, plain text and HTML, and another template by
configuration; a mail that lacks something says what."""

from decimal import Decimal
from email.message import EmailMessage

import pytest

from activities.marketplaces.supplier.mail_orders import OrderMailError, parse_order_mail
from domain.portal_formats import MailTemplate, PortalField

PLAIN = """Dear supplier,

You have a new order.

Order Number: PO-2001
Order Date: 02/12/2026 10:00
Retailer: Gifts Ltd

2 x SKU-RED - Red mug @ 12.50
1 x SKU-BLUE - Blue mug @ 9.99

Contact: Jane Doe
Email: jane@example.com

Deliver To: Jane Doe
Address Line 1: 1 High Street
Town/City: London
Postcode: SW1A 1AA
Country: GB
"""

HTML = """<html><head><style>p {margin: 0}</style></head><body>
<p>Dear supplier,</p><p>You have a new order.</p>
<p>Order Number: <b>PO-2002</b></p><p>Order Date: 02/12/2026 10:00</p>
<ul><li>3 x SKU-RED - Red mug @ 12.50</li></ul>
<table><tr><td>Deliver To:</td><td>Jane Doe</td></tr>
<tr><td>Address Line 1:</td><td>1 High Street</td></tr>
<tr><td>Town/City:</td><td>London</td></tr><tr><td>Postcode:</td><td>SW1A&nbsp;1AA</td></tr>
<tr><td>Country:</td><td>GB</td></tr></table></body></html>"""


def mail(subject: str, plain: str | None = None, html: str | None = None) -> bytes:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "orders@portal.example"
    message["To"] = "supplier@example.com"
    message["Date"] = "Wed, 02 Dec 2026 10:00:00 +0000"
    if plain is not None:
        message.set_content(plain)
    if html is not None:
        if plain is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return message.as_bytes()


def test_the_portals_plain_text_mail_is_an_order() -> None:
    order = parse_order_mail(mail("New order PO-2001", PLAIN))
    assert order.order_number == "PO-2001"
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("SKU-RED", 2, Decimal("12.50")),
        ("SKU-BLUE", 1, Decimal("9.99")),
    ]
    assert (order.delivery_name, order.postcode, order.country) == ("Jane Doe", "SW1A 1AA", "GB")


def test_an_html_only_mail_reads_the_same_way() -> None:
    order = parse_order_mail(mail("New order PO-2002", html=HTML))
    assert order.order_number == "PO-2002"
    assert order.lines[0].quantity == 3
    assert (order.address_line_1, order.city, order.postcode) == ("1 High Street", "London", "SW1A 1AA")


def test_a_mail_without_an_order_number_names_it() -> None:
    body = PLAIN.replace("Order Number: PO-2001\n", "")
    with pytest.raises(OrderMailError) as error:
        parse_order_mail(mail("Your order", body))
    assert error.value.missing == ["order number"]
    assert str(error.value) == "missing order number"


def test_the_subject_gives_the_order_number_when_the_body_does_not() -> None:
    body = PLAIN.replace("Order Number: PO-2001\n", "")
    assert parse_order_mail(mail("New order PO-2001", body)).order_number == "PO-2001"


def test_everything_missing_is_named_at_once() -> None:
    with pytest.raises(OrderMailError) as error:
        parse_order_mail(mail("Hello", "Hi there, see you soon.\n3 x SKU-RED - Red mug @ lots"))
    assert error.value.missing == [
        "address line 1",
        "country",
        "delivery name",
        "order number",
        "postcode",
        "town/city",
    ]
    assert error.value.invalid == ["item 1 (SKU-RED): unit price 'lots' is not an amount"]


def test_another_template_is_configuration() -> None:
    template = MailTemplate(
        fields={
            PortalField.ORDER_NUMBER: r"^Bestellung Nr\. (\S+)$",
            PortalField.DELIVERY_NAME: r"^Empf\u00e4nger: (.+)$",
            PortalField.ADDRESS_LINE_1: r"^Stra\u00dfe: (.+)$",
            PortalField.POSTCODE: r"^Ort: (\d{5}) ",
            PortalField.CITY: r"^Ort: \d{5} (.+)$",
            PortalField.COUNTRY: r"^Land: (\w\w)$",
        },
        item_pattern=r"^Artikel (?P<sku>\S+) Menge (?P<quantity>\d+) Preis (?P<unit_price>[\d.,]+)$",
        decimal_separator=",",
    )
    body = "Bestellung Nr. 4711\nArtikel SKU-RED Menge 4 Preis 12,50\nEmpf\u00e4nger: Max\nStra\u00dfe: Hauptstr. 5\nOrt: 10115 Berlin\nLand: DE\n"
    order = parse_order_mail(mail("Bestellung", body), template)
    assert (order.order_number, order.city, order.postcode) == ("4711", "Berlin", "10115")
    assert order.lines[0].unit_price == Decimal("12.50")
