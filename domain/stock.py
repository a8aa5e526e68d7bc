"""Stock: what changes it and how it reads."""

from pydantic import BaseModel


class StockCommand(BaseModel):
    sku: str
    quantity: int  # the new on-hand for set_stock, the delta for adjust_stock
    reason: str | None = None


class StockLevelView(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    available: int
