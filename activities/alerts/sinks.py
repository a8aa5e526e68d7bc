"""Where alert messages go: the log, webhooks (Slack-compatible JSON) and
e-mail over SMTP. Each sink is tried on its own; a failure raises, so the
notify activity's retry policy tries again without holding up the others."""

import asyncio
import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

import httpx

from domain.alerts.config import AlertSettings, EmailSink, WebhookSink
from domain.alerts.model import AlertEvent, Change, Severity

log = logging.getLogger("ordertide.alerts")


class Sink(Protocol):
    name: str

    async def send(self, event: AlertEvent) -> None: ...


class LogSink:
    name = "log"

    async def send(self, event: AlertEvent) -> None:
        level = logging.WARNING if event.change is not Change.RESOLVED else logging.INFO
        log.log(level, "%s", event.text())


def slack_body(event: AlertEvent) -> dict:
    """Slack's incoming-webhook shape: `text` for every client, and one
    attachment coloured by severity for those that show it."""
    colour = (
        "good"
        if event.change is Change.RESOLVED
        else ("danger" if event.alert.severity is Severity.ALERT else "warning")
    )
    return {
        "text": event.text(),
        "attachments": [
            {
                "color": colour,
                "title": event.title(),
                "text": event.alert.message,
                "fields": [
                    {"title": "change", "value": event.change.value, "short": True},
                    {"title": "severity", "value": event.alert.severity.value, "short": True},
                    {"title": "channel", "value": event.alert.channel or "-", "short": True},
                    {"title": "key", "value": event.alert.key, "short": False},
                ],
                "ts": int(event.at.timestamp()),
            }
        ],
    }


class Webhook:
    def __init__(self, config: WebhookSink, http: httpx.AsyncClient):
        self.name = f"webhook {httpx.URL(config.url).host}"
        self.config, self.http = config, http

    async def send(self, event: AlertEvent) -> None:
        # The same for every retry of the message: a receiver that keeps it
        # can drop the copy a send whose answer was lost would repeat.
        headers = {"Idempotency-Key": event.message_id}
        response = await self.http.post(self.config.url, json=slack_body(event), headers=headers)
        response.raise_for_status()


class Email:
    name = "email"

    def __init__(self, config: EmailSink):
        self.config = config

    def _send(self, event: AlertEvent) -> None:
        config = self.config
        message = EmailMessage()
        message["Subject"] = event.title()
        message["From"] = config.sender
        message["To"] = ", ".join(config.to)
        message["Message-ID"] = f"<{event.message_id}@ordertide>"  # mail clients fold repeats into one
        message.set_content(f"{event.text()}\n\nAt {event.at:%Y-%m-%d %H:%M} UTC. Open alerts: ordertide alerts\n")
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout.total_seconds()) as smtp:
            if config.starttls:
                smtp.starttls()
            if config.username and config.password:
                smtp.login(config.username, config.password.get_secret_value())
            smtp.send_message(message)

    async def send(self, event: AlertEvent) -> None:
        await asyncio.to_thread(self._send, event)


def configured_sinks(settings: AlertSettings, http: httpx.AsyncClient) -> dict[str, Sink]:
    sinks: list[Sink] = [LogSink()] if settings.log else []
    sinks += [Webhook(hook, http) for hook in settings.webhooks]
    if settings.email:
        sinks.append(Email(settings.email))
    named: dict[str, Sink] = {}
    for index, sink in enumerate(sinks):
        named[f"{index}:{sink.name}"] = sink
    return named
