"""A worker process serving the baseline workflow (TEMPORAL_ADDRESS)."""

import asyncio
import os
import signal
import sys

from temporalio.client import Client
from temporalio.worker import Worker

from starter.bench.baseline import TASK_QUEUE, BaselineOrderWorkflow, baseline_step
from workers.temporal_client import connect_config, data_converter


async def serve() -> None:
    client = await Client.connect(**connect_config(), data_converter=data_converter())
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with Worker(client, task_queue=TASK_QUEUE, workflows=[BaselineOrderWorkflow], activities=[baseline_step]):
        await stop.wait()


if __name__ == "__main__":
    # asyncio's own loop, as the textbook worker runs: the engine's uvloop
    # (workers/event_loop.py) is the engine's, measured against this.
    asyncio.run(serve())
    sys.stdout.flush()
    os._exit(0)
