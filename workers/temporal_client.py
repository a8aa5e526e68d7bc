"""Connecting to Temporal: address, namespace, TLS and API key come from the
standard TEMPORAL_* environment variables (or a Temporal CLI profile) when
set, else the embedded dev server on localhost:7233."""

import dataclasses
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.envconfig import ClientConfig
from temporalio.runtime import Runtime

from workers.codec import CodecKeys, EncryptionCodec
from workers.settings import load_settings
from workers.telemetry import client_interceptors, metrics_runtime

DEFAULT_ADDRESS = "localhost:7233"


def connect_config(address: str | None = None) -> dict[str, Any]:
    config = dict(ClientConfig.load_client_connect_config())
    if address:
        config["target_host"] = address
    config.setdefault("target_host", DEFAULT_ADDRESS)
    return config


def data_converter(keys: CodecKeys | None = None) -> DataConverter:
    """Every client, worker and replayer must use the same converter."""
    if keys is None:
        return pydantic_data_converter
    # Failure messages and stack traces are stored in the clear by default, and
    # they quote what went wrong (a buyer's record): they go through the codec too.
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keys),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


_runtimes: dict[str, Runtime] = {}


async def connect(address: str | None = None, keys: CodecKeys | None = None) -> Client:
    settings = load_settings()
    if keys is None:
        keys = settings.codec_keys()
    options: dict[str, Any] = {"interceptors": client_interceptors(settings.telemetry)}
    bind = settings.telemetry.metrics_bind
    if bind:
        # One runtime per metrics endpoint per process: it owns the port.
        options["runtime"] = _runtimes.get(bind) or _runtimes.setdefault(bind, metrics_runtime(bind))
    return await Client.connect(**connect_config(address), data_converter=data_converter(keys), **options)
