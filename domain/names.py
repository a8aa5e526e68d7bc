"""Names other services use to reach our workflows: workflow types, signal,
update and query names, search attributes, the task queue. One place, so a
warehouse script, the CLI and the intake activity agree with the workflow.

Search attribute keys are typed temporalio values; temporalio.common holds
plain types only, so the domain layer stays free of I/O."""

from typing import Any

from temporalio.common import SearchAttributeKey

TASK_QUEUE = "ordertide"

ORDER_WORKFLOW = "OrderWorkflow"
INTAKE_WORKFLOW = "ChannelIntakeWorkflow"
OFFER_SYNC_WORKFLOW = "OfferSyncWorkflow"
OFFER_RECONCILE_WORKFLOW = "OfferReconcileWorkflow"
INVENTORY_WORKFLOW = "InventoryWorkflow"
INVENTORY_WORKFLOW_ID = "inventory"
ALERT_EVALUATION_WORKFLOW = "AlertEvaluationWorkflow"
ALERTS_WORKFLOW = "AlertsWorkflow"
# To order and intake workflows: their open alerts changed (NeedsAttention).
SIGNAL_ALERTS_CHANGED = "alerts_changed"
SIGNAL_OPEN_ALERTS = "open_alerts"

# Order workflow messages.
SIGNAL_BUYER_CANCELLATION = "buyer_cancellation_requested"
SIGNAL_RETURN_ANNOUNCED = "return_announced"
SIGNAL_TICKETS_OVERDUE = "tickets_overdue"
# From intake's returns poll: open returns past the marketplace's handling SLA.
SIGNAL_RETURNS_OVERDUE = "returns_overdue"
# To a channel's intake: a pushed order the receiver had to refuse (signed, but unreadable).
SIGNAL_PUSH_REFUSED = "push_refused"
UPDATE_PICK = "pick"
UPDATE_SHIP = "ship"
UPDATE_CANCEL = "cancel"
UPDATE_RETURN_RECEIVED = "return_received"
UPDATE_RESUME = "resume"
UPDATE_CONFIRM = "confirm"
UPDATE_TRACKING = "tracking"
QUERY_VIEW = "view"

# Offer sync and inventory.
SIGNAL_OFFERS_CHANGED = "offers_changed"
SIGNAL_RECONCILE_NOW = "reconcile_now"
SIGNAL_RECONCILED = "reconciled"
UPDATE_SET_STOCK = "set_stock"
UPDATE_ADJUST_STOCK = "adjust_stock"
UPDATE_STAGE_STOCK_IMPORT = "stage_stock_import"
UPDATE_APPLY_STOCK_IMPORT = "apply_stock_import"

ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
CHANNEL = SearchAttributeKey.for_keyword("Channel")
NEEDS_ATTENTION = SearchAttributeKey.for_bool("NeedsAttention")
SHIP_BY = SearchAttributeKey.for_datetime("ShipBy")
MARKETPLACE_ORDER_ID = SearchAttributeKey.for_keyword("MarketplaceOrderId")

# Keys of different value types: Any, since the list is read for names and kinds only.
SEARCH_ATTRIBUTES: list[SearchAttributeKey[Any]] = [
    ORDER_STATUS,
    CHANNEL,
    NEEDS_ATTENTION,
    SHIP_BY,
    MARKETPLACE_ORDER_ID,
]

# Temporal's own attribute for the code versions a run follows (patches write
# it in the run's first workflow task). Orders intake starts are given theirs
# at start (free): ops' queries tell an order no worker has run yet by its
# absence (starter/ops_cmd.py).
CODE_VERSION = SearchAttributeKey.for_keyword_list("TemporalChangeVersion")


def order_code_version_mark(version: int) -> list[str]:
    return [f"order-code-{version}"]
