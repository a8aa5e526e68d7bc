import socket

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
