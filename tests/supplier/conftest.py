"""A supplier portal sandbox with its own SFTP server and the supplier's mail
server, all real and on loopback, and an engine whose supplier channels
read orders from them."""

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from domain.config import ChannelConfig, SupplierApiSettings, SupplierChannelConfig
from domain.ids import intake_workflow_id
from domain.intake import IntakeInput
from domain.portal_drops import FileDropSettings, MailboxSettings, SftpLogin
from sandbox.supplier.app import create_app
from sandbox.supplier.config import SupplierSandboxConfig
from starter.demo_catalog import seed_demo_catalog
from workers.http import ServerHandle, serve_in_thread
from workers.settings import Settings
from workers.worker import Engine
from workflows.intake import ChannelIntakeWorkflow

POLL = timedelta(milliseconds=300)


@dataclass
class Portal:
    server: ServerHandle
    sftp_root: Path

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def drops(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_sandbox/drops").raise_for_status().json()

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.url) as http:
            response = await http.post(path, json=body)
            assert response.status_code < 300, response.text
            return response.json()

    async def get(self, path: str) -> Any:
        async with httpx.AsyncClient(base_url=self.url) as http:
            return (await http.get(path)).raise_for_status().json()

    async def place(self, items: list[dict[str, Any]], deliver: list[str], **extra: Any) -> str:
        body = {
            "items": items,
            "contact": {"name": "Jane Doe", "email": "jane@example.com"},
            "delivery_address": {
                "name": "Jane Doe",
                "street": "High Street",
                "house_number": "1",
                "postcode": "SW1A 1AA",
                "city": "London",
                "country": "GB",
            },
            "deliver": deliver,
            **extra,
        }
        return str((await self.post("/_sandbox/orders", body))["order_number"])


def mug(quantity: int = 1, sku: str = "MUG-BLUE") -> dict[str, Any]:
    return {"sku": sku, "title": "Blue mug", "quantity": quantity, "price": "12.95"}


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    config = SupplierSandboxConfig(sftp_root=str(tmp_path / "sftp"), mail_root=str(tmp_path / "mail"))
    server = serve_in_thread(create_app(config))
    yield Portal(server, tmp_path / "sftp")
    server.stop()


def file_channel(portal: Portal, **extra: Any) -> SupplierChannelConfig:
    sftp = portal.drops["sftp"]
    return SupplierChannelConfig(
        intake="file",
        file=FileDropSettings(
            folder=sftp["folder"],
            settle=timedelta(0),  # the sandbox writes each file whole (aside, then renamed)
            sftp=SftpLogin(
                host=sftp["host"],
                port=sftp["port"],
                username=sftp["username"],
                password=SecretStr("sandbox"),
                accept_any_host_key=True,  # the sandbox's key is new at every start
            ),
        ),
        **_common(portal),
        **extra,
    )


def mail_channel(portal: Portal, **extra: Any) -> SupplierChannelConfig:
    mail = portal.drops["mail"]
    return SupplierChannelConfig(
        intake="email",
        email=MailboxSettings(
            host=mail["host"],
            port=mail["imap_port"],
            tls=False,
            username=mail["username"],
            password=SecretStr("sandbox"),
        ),
        **_common(portal),
        **extra,
    )


def _common(portal: Portal) -> dict[str, Any]:
    # The portal's API takes the status updates, so the sandbox records each shipment.
    return {
        "api": SupplierApiSettings(base_url=portal.url, api_key=SecretStr("sandbox")),
        "status_updates": "api",
        "poll_interval": POLL,
        "offer_sync": False,
    }


def channel_name(kind: str) -> str:
    # Unique per test: intake and order workflow ids outlive a test on the shared dev server.
    return f"supplier-{kind}-{uuid.uuid4().hex[:6]}"


@contextlib.asynccontextmanager
async def engine_for(tmp_path: Path, channels: dict[str, ChannelConfig]) -> AsyncIterator[Engine]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / f'store-{uuid.uuid4().hex[:6]}.db'}",
        task_queue=f"supplier-{uuid.uuid4()}",
        channels=channels,
    )
    engine = Engine.build(settings)
    seed_demo_catalog(engine.inventory)
    try:
        yield engine
    finally:
        await engine.aclose()


@contextlib.asynccontextmanager
async def intakes(client: Client, engine: Engine) -> AsyncIterator[None]:
    """Each channel's intake with short watches, so what it reports shows within a second."""
    names = engine.channels.names()
    for name in names:
        await client.start_workflow(
            ChannelIntakeWorkflow.run,
            IntakeInput(channel=name, poll_interval=POLL, watch=timedelta(seconds=1)),
            id=intake_workflow_id(name),
            task_queue=engine.settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
    try:
        yield
    finally:
        for name in names:
            with contextlib.suppress(RPCError):
                await client.get_workflow_handle(intake_workflow_id(name)).terminate("test over")
