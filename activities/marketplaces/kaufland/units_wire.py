"""Kaufland Seller API v2 units (offers) and inventory import files, as they
travel on the wire: integer cents, `data` envelopes, `id_unit` numbers. Only
this adapter sees these shapes; the rest of the engine sees domain offers."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class UnitStatus(StrEnum):
    INCOMPLETE = "INCOMPLETE"
    AVAILABLE = "AVAILABLE"
    ONHOLD = "ONHOLD"


class ImportStatus(StrEnum):
    NEW = "NEW"
    DOWNLOADING = "DOWNLOADING"
    DOWNLOADED = "DOWNLOADED"
    DOWNLOADING_FAILED = "DOWNLOADING_FAILED"
    PENDING_CONVERSION = "PENDING_CONVERSION"
    CONVERTING = "CONVERTING"
    CONVERSION_FAILED = "CONVERSION_FAILED"
    PREPARING = "PREPARING"
    PREPARED = "PREPARED"
    PREPARING_FAILED = "PREPARING_FAILED"
    CHECKING = "CHECKING"
    CHECKED = "CHECKED"
    CHECKING_FAILED = "CHECKING_FAILED"
    PREPROCESSING = "PREPROCESSING"
    PREPROCESSED = "PREPROCESSED"
    PREPROCESSING_FAILED = "PREPROCESSING_FAILED"
    IMPORTING = "IMPORTING"
    IMPORTED = "IMPORTED"
    IMPORTING_FAILED = "IMPORTING_FAILED"
    IMPORTING_STOPPED = "IMPORTING_STOPPED"
    ABORTED = "ABORTED"

    @property
    def final(self) -> bool:
        return self is ImportStatus.IMPORTED or self.failed

    @property
    def failed(self) -> bool:
        return self.endswith("_FAILED") or self in (ImportStatus.IMPORTING_STOPPED, ImportStatus.ABORTED)


class UnitProduct(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id_product: int | None = None
    eans: list[str] = []


class Unit(BaseModel):
    """A unit as GET /units and GET /units/{id_unit} return it (the fields we read)."""

    model_config = ConfigDict(extra="ignore")

    id_unit: int
    id_offer: str | None = None
    status: UnitStatus
    amount: int
    listing_price: int
    handling_time: int
    condition: str | None = None
    storefront: str | None = None
    currency: str | None = None
    note: str | None = None
    product: UnitProduct | None = None  # with embedded=products


class ImportFile(BaseModel):
    """An inventory-command import file's progress (ImportFileInventoryCommand)."""

    model_config = ConfigDict(extra="ignore")

    id_import_file: int
    status: ImportStatus
    total_lines: int = 0
    current_line: int = 0
    error_count: int = 0
    note: str | None = None
