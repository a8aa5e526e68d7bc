"""The body of one racing process (importable by multiprocessing's spawn)."""

from activities.store import Database, InventoryStore


def reserve_lines(url: str, worker: int, lines: int, barrier) -> list[str]:
    db = Database(url)
    inventory = InventoryStore(db)
    barrier.wait()  # every process starts reserving at the same moment
    won = []
    for n in range(lines):
        key = f"bol:order-{worker}-{n}:1"
        if inventory.reserve(key, "MUG", 1, channel="bol", order_id=f"order-{worker}-{n}", line_id="1"):
            won.append(key)
    db.dispose()
    return won
