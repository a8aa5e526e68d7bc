"""The worker process: every workflow and activity on one task queue, with
the dependencies (channels, store, transporter rules) injected."""

import asyncio
import contextlib
import functools
import logging
import py_compile
import sys
from dataclasses import dataclass
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.worker import Worker

from activities.alerts.evaluate import AlertActivities
from activities.channels import Channels
from activities.intake import IntakeActivities
from activities.inventory import InventoryActivities
from activities.notify import StockNotifier
from activities.offer_sync import OfferSyncActivities
from activities.orders import OrderActivities
from activities.store import (
    Database,
    InventoryStore,
    OfferBook,
    OfferChanges,
    OrderLedger,
    SupplierInboxStore,
    WarehouseDeliveries,
)
from activities.supplier_inbox import StoreInbox
from activities.warehouse import WarehousePusher
from domain.ids import intake_workflow_id
from domain.intake import IntakeInput
from domain.transporters import TransporterRules
from workers.alert_schedule import ensure_alert_schedule
from workers.gc_pauses import settle_garbage_collection
from workers.http import serving
from workers.settings import Settings
from workers.warehouse_endpoint import warehouse_routes
from workers.webhooks import create_webhook_app
from workflows.alerts import AlertEvaluationWorkflow, AlertsWorkflow
from workflows.intake import ChannelIntakeWorkflow
from workflows.inventory import InventoryWorkflow
from workflows.offer_reconcile import OfferReconcileWorkflow
from workflows.offer_sync import OfferSyncWorkflow
from workflows.order import OrderWorkflow

log = logging.getLogger(__name__)

WORKFLOWS = [
    OrderWorkflow,
    ChannelIntakeWorkflow,
    OfferSyncWorkflow,
    OfferReconcileWorkflow,
    InventoryWorkflow,
    AlertEvaluationWorkflow,
    AlertsWorkflow,
]


@functools.cache  # once per process: its sources do not change while it runs
def compile_workflow_modules() -> None:
    """The workflow sandbox re-imports a workflow's module for every new
    workflow instance. Without bytecode on disk (PYTHONDONTWRITEBYTECODE,
    an editable install) that means compiling the source again for every
    order; with it, a cheap load. Compiled once here; a read-only install
    (already compiled by pip) is fine as it is."""
    for workflow_class in WORKFLOWS:
        source = sys.modules[workflow_class.__module__].__file__
        if source:
            with contextlib.suppress(OSError, py_compile.PyCompileError):
                py_compile.compile(source, doraise=True)


@dataclass
class Engine:
    """What one worker process holds: built once, closed once."""

    settings: Settings
    db: Database
    inventory: InventoryStore
    ledger: OrderLedger
    offers: OfferBook
    offer_changes: OfferChanges
    channels: Channels
    rules: TransporterRules
    warehouse: WarehousePusher | None = None
    alerts: AlertActivities | None = None

    @classmethod
    def build(cls, settings: Settings, transports: dict[str, httpx.AsyncBaseTransport] | None = None) -> "Engine":
        db = Database(settings.store_url)
        db.create_schema()
        warehouse = settings.warehouse
        secret = warehouse.shared_secret()
        return cls(
            settings=settings,
            db=db,
            inventory=InventoryStore(db),
            ledger=OrderLedger(db),
            offers=OfferBook(db),
            offer_changes=OfferChanges(db),
            channels=Channels.from_config(settings.channels, transports, inbox=StoreInbox(SupplierInboxStore(db))),
            rules=TransporterRules.load(),
            warehouse=WarehousePusher(warehouse.url, secret, WarehouseDeliveries(db))
            if warehouse.url and secret
            else None,
        )

    def notifier(self, client: Client) -> StockNotifier:
        return StockNotifier.for_channels(client, self.settings.task_queue, self.settings.channels, self.offer_changes)

    def order_activities(self, client: Client, notifier: StockNotifier | None = None) -> OrderActivities:
        notifier = notifier or self.notifier(client)
        return OrderActivities(self.channels, self.inventory, self.ledger, self.rules, notifier, self.warehouse)

    def intake(self, client: Client, orders: OrderActivities | None = None) -> IntakeActivities:
        """Intake that starts new orders accepted (activities/order_start.py)."""
        orders = orders or self.order_activities(client)
        return IntakeActivities(self.channels, client, self.settings.task_queue, accept=orders.accept_new)

    def activities(self, client: Client) -> list:
        notifier = self.notifier(client)
        orders = self.order_activities(client, notifier)
        intake = self.intake(client, orders)
        offer_sync = OfferSyncActivities(
            self.channels, self.inventory, self.offers, notifier, changes=self.offer_changes
        )
        inventory = InventoryActivities(self.inventory, notifier)
        self.alerts = AlertActivities(
            self.settings.alerts, self.settings.channels, self.db, client, self.settings.task_queue
        )
        return [
            *self.alerts.all(),
            *orders.all(),
            intake.watch_channel,
            offer_sync.sync_offers,
            offer_sync.follow_offers,
            offer_sync.reconcile_offers,
            inventory.set_stock,
            inventory.adjust_stock,
            inventory.import_stock,
            inventory.stage_stock_import,
            inventory.apply_stock_import,
        ]

    def worker(self, client: Client, **options: Any) -> Worker:
        """A worker for this engine; `options` go to temporalio's Worker as
        they are (other `workflows` too: they run as the engine's do)."""
        compile_workflow_modules()
        tuning = self.settings.worker
        defaults: dict[str, Any] = {
            "graceful_shutdown_timeout": tuning.graceful_shutdown,
            "max_concurrent_activities": tuning.max_concurrent_activities,
            "max_cached_workflows": tuning.max_cached_workflows,
            "max_concurrent_workflow_tasks": tuning.max_concurrent_workflow_tasks,
            "max_concurrent_local_activities": tuning.max_concurrent_local_activities,
        }
        if "activities" not in options:
            defaults["activities"] = self.activities(client)
        return Worker(
            client,
            task_queue=self.settings.task_queue,
            **{"workflows": WORKFLOWS, **defaults, **options},
        )

    async def aclose(self) -> None:
        await self.channels.aclose()
        if self.alerts is not None:
            await self.alerts.aclose()
        if self.warehouse is not None:
            await self.warehouse.aclose()
        self.db.dispose()


async def ensure_intake(client: Client, settings: Settings) -> None:
    """One intake workflow per configured channel, started once."""
    for name, channel in settings.channels.items():
        await client.start_workflow(
            ChannelIntakeWorkflow.run,
            IntakeInput(channel=name, poll_interval=channel.poll_interval),
            id=intake_workflow_id(name),
            task_queue=settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            static_summary=f"Order intake for {name}",
        )


async def run_worker(
    client: Client, settings: Settings, stop: asyncio.Event, webhooks: tuple[str, int] | None = None
) -> None:
    """`webhooks`: (host, port) to receive bol's pushes on, in this process,
    where the commands that PROCESS_STATUS pushes are about wait."""
    engine = Engine.build(settings)
    try:
        await ensure_intake(client, settings)
        await ensure_alert_schedule(client, settings)
        async with engine.worker(client), contextlib.AsyncExitStack() as beside:
            if webhooks is not None:
                intake = engine.intake(client)
                secret = settings.warehouse.secret
                extra = warehouse_routes(client, secret) if secret is not None else None
                app = create_webhook_app(intake, settings.webhooks, extra)
                url = await beside.enter_async_context(serving(app, host=webhooks[0], port=webhooks[1]))
                log.info("receiving pushes at %s/webhooks/bol/<channel>", url)
            settle_garbage_collection()
            log.info(
                "worker on task queue %s serving channels %s", settings.task_queue, ", ".join(engine.channels.names())
            )
            await stop.wait()
    finally:
        await engine.aclose()
