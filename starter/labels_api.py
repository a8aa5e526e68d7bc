"""An order's shipping label, bought from the marketplace in the ship step,
read from the store (`ordertide order label ID > label.pdf`). The PDF never
passes through Temporal: it is large and holds the buyer's address."""

from activities.store import Database
from activities.store.labels import ShippingLabels
from activities.store.tables import ShippingLabelRow
from domain.ids import parse_order_workflow_id
from starter.console import CommandError
from workers.settings import Settings, load_settings


def label(workflow_id: str, settings: Settings | None = None) -> ShippingLabelRow:
    """The order's label with its PDF, or a CommandError saying why there is none."""
    settings = settings or load_settings()
    channel, order_id = parse_order_workflow_id(workflow_id)
    db = Database(settings.store_url)
    try:
        db.create_schema()
        row = ShippingLabels(db).get(channel, order_id)
    finally:
        db.dispose()
    if row is None:
        raise CommandError(f"order {workflow_id} has no shipping label bought from {channel}")
    if not row.pdf:
        raise CommandError(f"the shipping label of order {workflow_id} is still being bought from {channel}")
    return row
