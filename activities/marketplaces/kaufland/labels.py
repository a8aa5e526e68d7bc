"""Kaufland Shipment Solutions (KSS): a GLS label for the order units that
go in one package, bought with POST /shipping-labels; Kaufland answers at
once with the tracking number and a download link (7 days) to the PDF."""

from activities.marketplaces.kaufland.client import KauflandHttp
from activities.marketplaces.kaufland.mapping import OPEN, lines_of
from activities.marketplaces.kaufland.orders import KauflandOrders
from domain.errors import BusinessError
from domain.labels import BoughtLabel, LabelRules, PackageMeasurements
from domain.order.view import LineQuantity

# "The carrier must be one of the following: `GLS`" (Seller API v2).
KSS_CARRIERS = ("GLS",)


class KauflandLabels:
    def __init__(self, http: KauflandHttp, orders: KauflandOrders, package: PackageMeasurements):
        self.http = http
        self.orders = orders
        self.package = package

    async def buy(self, id_order: str, lines: list[LineQuantity], rules: LabelRules) -> BoughtLabel:
        carriers = [c for c in KSS_CARRIERS if rules.transporters is None or c in rules.transporters]
        if not carriers:
            raise BusinessError(f"Kaufland's label service ships with {', '.join(KSS_CARRIERS)} only")
        groups = lines_of((await self.orders.details(id_order)).order_units)
        units: list[int] = []
        for line in lines:
            open_units = [u for u in groups.get(line.line_id, []) if u.status in OPEN]
            units += [u.id_order_unit for u in open_units[: line.quantity]]
        if not units:
            raise BusinessError(f"Kaufland order {id_order} has no open unit to buy a label for")
        body = {"ids_order_units": units, "carriers": carriers, "package_measurements": self.package.model_dump()}
        data = (await self.http.call("POST", "/shipping-labels", json_body=body, ok=(201,))).json()["data"]
        # The link is presigned: fetched as it is, without the API's signature.
        pdf = await self.http.client.get(data["download_url"])
        if pdf.status_code != 200:
            raise BusinessError(f"Kaufland's label {data['id']} could not be downloaded ({pdf.status_code})")
        return BoughtLabel(
            label_id=data["id"],
            transporter_code=data["carrier"],
            track_and_trace=data["tracking_number"],
            pdf=pdf.content,
        )
