import socket

from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import ListTaskQueuePartitionsRequest
from temporalio.client import Client

from starter.bench.stack import free_port
from workers.devserver import DevServer, port_is_open


def test_an_open_port_alone_does_not_count_as_a_serving_temporal():
    # A port that accepts connections but speaks no Temporal is what a frontend
    # still starting up looks like from outside: clients would get "not healthy yet".
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        server = DevServer(None, port=port, headless=True)
        assert port_is_open("127.0.0.1", port)
        assert not server.is_serving()


def test_a_started_dev_server_is_serving_and_stops(tmp_path):
    server = DevServer(None, port=free_port(), headless=True, log_file=tmp_path / "temporal.log").start()
    try:
        assert server.is_serving()
    finally:
        server.stop()
    assert not server.is_serving()


async def test_the_embedded_servers_serve_each_task_queue_from_one_partition(tmp_path, dev_env):
    """With the server's default four partitions, a burst of orders lost a
    workflow task to a forwarded poll about once a run (10 s until it timed
    out); `make run`, the benchmarks and the tests' server all run with one."""
    server = DevServer(None, port=free_port(), headless=True, log_file=tmp_path / "temporal.log").start()
    try:
        client = await Client.connect(server.address)
        for serving in (client, dev_env.client):
            partitions = await serving.workflow_service.list_task_queue_partitions(
                ListTaskQueuePartitionsRequest(namespace="default", task_queue=TaskQueue(name="ordertide"))
            )
            assert [p.key for p in partitions.workflow_task_queue_partitions] == ["ordertide"]
            assert [p.key for p in partitions.activity_task_queue_partitions] == ["ordertide"]
    finally:
        server.stop()
