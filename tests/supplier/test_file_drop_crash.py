"""A worker that dies between claiming an order file and filing it away
neither loses nor doubles the order. Each channel's intake fails for real at
one step boundary (its activity attempt raises, as a killed worker's attempt
times out), Temporal runs the activity again, and the retry finishes the job:
one workflow, one reservation, the file in processed/ and nowhere else."""

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio import activity

from activities.marketplaces.supplier.adapter import SupplierAdapter
from activities.marketplaces.supplier.drop_folder import DropFolder
from activities.marketplaces.supplier.file_drop import DropResult, FileDropIntake, FileSource, HandOver
from activities.marketplaces.supplier.wire import PortalOrder
from domain.config import SupplierChannelConfig
from domain.ids import order_workflow_id
from domain.portal_drops import FileDropSettings
from sandbox.supplier.drops import write_order_file
from tests.supplier.conftest import POLL, channel_name, engine_for, intakes
from tests.supplier.test_drops_end_to_end import status
from tests.support import eventually

BOUNDARIES = ("claimed", "read", "handed over", "filed away")


class WorkerKilled(RuntimeError):
    pass


class CrashingIntake(FileDropIntake):
    """The real intake, dying once right after the step `boundary` names."""

    def __init__(self, folder: DropFolder, settings: FileDropSettings, boundary: str, log: dict[str, Any]):
        super().__init__(folder, settings)
        self.boundary = boundary
        self.log = log

    def _crash_after(self, step: str) -> None:
        self.log.setdefault("attempts", []).append((step, activity.info().attempt))
        if step == self.boundary and not self.log.get("crashed"):
            self.log["crashed"] = True
            raise WorkerKilled(f"worker killed after the file was {step}")

    async def poll(self, hand_over: HandOver) -> DropResult:
        self.log.setdefault("attempts", []).append(("poll", activity.info().attempt))
        return await super().poll(hand_over)

    async def claim(self, name: str) -> bool:
        claimed = await super().claim(name)
        self._crash_after("claimed")
        return claimed

    def parse(self, content: bytes) -> PortalOrder:
        order = super().parse(content)
        self._crash_after("read")
        return order

    async def hand_over(self, order: PortalOrder, hand_over: HandOver) -> bool:
        new = await super().hand_over(order, hand_over)
        self._crash_after("handed over")
        return new

    async def finish(self, name: str, target: str) -> None:
        await super().finish(name, target)
        self._crash_after("filed away")


class CrashingSource(FileSource):
    def __init__(self, channel: str, settings: FileDropSettings, boundary: str):
        super().__init__(channel, settings)
        self.boundary = boundary
        self.log: dict[str, Any] = {}

    def intake(self, folder: DropFolder) -> FileDropIntake:
        return CrashingIntake(folder, self.settings, self.boundary, self.log)


def portal_order(number: str) -> dict[str, Any]:
    return {
        "order_number": number,
        "placed_at": datetime(2026, 12, 1, 9, 30, tzinfo=UTC).isoformat(),
        "items": [{"sku": "MUG-RED", "title": "Red mug", "quantity": 3, "price": "12.95"}],
        "contact": {"name": "Jane Doe"},
        "delivery_address": {
            "name": "Jane Doe",
            "street": "High Street",
            "house_number": "1",
            "postcode": "SW1A 1AA",
            "city": "London",
            "country": "GB",
        },
    }


@contextlib.asynccontextmanager
async def crashing_channels(tmp_path: Path) -> AsyncIterator[tuple[Any, dict[str, CrashingSource]]]:
    channels = {
        channel_name("drop"): SupplierChannelConfig(
            intake="file",
            file=FileDropSettings(folder=str(tmp_path / f"drop-{n}")),
            poll_interval=POLL,
            offer_sync=False,
        )
        for n in range(len(BOUNDARIES))
    }
    async with engine_for(tmp_path, dict(channels)) as engine:
        sources = {}
        for (name, config), boundary in zip(channels.items(), BOUNDARIES, strict=True):
            adapter = engine.channels[name]
            assert isinstance(adapter, SupplierAdapter)
            sources[name] = CrashingSource(name, config.file, boundary)
            adapter.sources = [sources[name]]
        yield engine, sources


async def test_a_worker_killed_at_any_step_of_a_file_neither_loses_nor_doubles_its_order(dev_env, tmp_path):
    client = dev_env.client
    async with crashing_channels(tmp_path) as (engine, sources):
        for n, source in enumerate(sources.values()):
            write_order_file(Path(source.settings.folder), portal_order(f"PO-{7000 + n}"))
        async with engine.worker(client), intakes(client, engine):
            for n, channel in enumerate(sources):
                workflow_id = order_workflow_id(channel, f"PO-{7000 + n}")

                async def accepted(workflow_id: str = workflow_id) -> bool:
                    return (await status(client, workflow_id))[0] == "AWAITING_PICK"

                await eventually(accepted, timeout=15)

        for n, (channel, source) in enumerate(sources.items()):
            assert source.log["crashed"], source.boundary
            # The attempt after the crash is Temporal's retry of the same activity.
            assert max(attempt for _, attempt in source.log["attempts"]) >= 2, source.log
            started = [
                wf.id async for wf in client.list_workflows(f"WorkflowType = 'OrderWorkflow' AND Channel = '{channel}'")
            ]
            assert started == [order_workflow_id(channel, f"PO-{7000 + n}")], source.boundary
            reserved = [(r.marketplace_order_id, r.sku, r.quantity) for r in engine.inventory.reservations(channel)]
            assert reserved == [(f"PO-{7000 + n}", "MUG-RED", 3)], source.boundary
            left = files_in(Path(source.settings.folder))
            assert len(left) == 1 and left[0].startswith(f"processed/PO-{7000 + n}."), (source.boundary, left)


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
