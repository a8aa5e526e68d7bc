"""What an alert is, and what is sent about it."""

from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, uuid5

from pydantic import BaseModel


class Severity(StrEnum):
    WARNING = "warning"
    ALERT = "alert"

    @property
    def rank(self) -> int:
        return 1 if self is Severity.WARNING else 2


class AlertKind(StrEnum):
    CHANNEL_SILENT = "channel-silent"
    INTAKE_STALLED = "intake-stalled"
    CREDENTIALS_REJECTED = "credentials-rejected"
    SELLER_CANCELLATIONS = "seller-cancellations"
    SHIP_BY = "ship-by"
    SHIPMENT_UNCONFIRMED = "shipment-unconfirmed"
    LABEL_UNUSED = "label-unused"
    RETURN_UNHANDLED = "return-unhandled"
    OFFERS_REJECTED = "offers-rejected"
    IMPORT_FAILED = "import-failed"
    ORDER_STUCK = "order-stuck"


class Alert(BaseModel):
    """One condition as it stands now. `subject` names what it is about (a
    channel, an order, a return, an import); `value` measures it, larger
    is worse, so a rise re-notifies."""

    kind: AlertKind
    subject: str
    severity: Severity
    message: str
    value: float = 0.0
    channel: str | None = None
    # The workflow that shows NeedsAttention while the alert is open.
    workflow_id: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}"


class OpenAlert(Alert):
    raised_at: datetime
    updated_at: datetime
    # What was last sent, so only a worse state is sent again.
    notified_severity: Severity
    notified_value: float


class Change(StrEnum):
    RAISED = "raised"
    WORSE = "worse"
    RESOLVED = "resolved"


class AlertEvent(BaseModel):
    """One message to the sinks."""

    change: Change
    alert: Alert
    at: datetime

    @property
    def message_id(self) -> str:
        """The same for the same transition however often it is looked at:
        what a sink's delivery is recorded under."""
        return str(uuid5(NAMESPACE_URL, f"ordertide-alert:{self.alert.key}:{self.change}:{self.at.isoformat()}"))

    def title(self) -> str:
        label = {Change.RAISED: self.alert.severity.upper(), Change.WORSE: "WORSE", Change.RESOLVED: "RESOLVED"}
        return f"[ordertide {label[self.change]}] {self.alert.kind}: {self.alert.subject}"

    def text(self) -> str:
        if self.change is Change.RESOLVED:
            return f"{self.title()} — cleared ({self.alert.message})"
        return f"{self.title()} — {self.alert.message}"
