"""Kaufland's list endpoints: `{data: [...], pagination: {offset, limit, total}}`,
paged by offset."""

from collections.abc import AsyncIterator
from typing import Any

from activities.marketplaces.kaufland.client import KauflandHttp


async def listed(http: KauflandHttp, path: str, params: dict[str, Any], limit: int = 100) -> AsyncIterator[Any]:
    """Every item of the list, page by page (`limit` is the endpoint's maximum)."""
    offset = 0
    while True:
        page = (await http.call("GET", path, params={**params, "limit": limit, "offset": offset})).json()
        items = page.get("data") if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise ValueError(f"Kaufland sent a {path} page that is not a list: {str(page)[:200]}")
        for item in items:
            yield item
        total = (page.get("pagination") or {}).get("total", 0)
        offset += len(items)
        if not items or offset >= total:
            return
