"""The inventory store (sqlmodel): SQLite by default, PostgreSQL by URL."""

from activities.store.alerts import AlertBook
from activities.store.deliveries import WarehouseDeliveries
from activities.store.engine import Database
from activities.store.inventory import InventoryStore, Stock, StockRejected, UnknownProduct
from activities.store.ledger import OrderLedger
from activities.store.offer_changes import OfferChanges
from activities.store.offers import OfferBook
from activities.store.stock_import import StockImports
from activities.store.supplier_inbox import SupplierInboxStore

__all__ = [
    "AlertBook",
    "Database",
    "InventoryStore",
    "OfferBook",
    "OfferChanges",
    "OrderLedger",
    "Stock",
    "StockImports",
    "StockRejected",
    "SupplierInboxStore",
    "UnknownProduct",
    "WarehouseDeliveries",
]
