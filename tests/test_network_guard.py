import socket

import pytest

from tests.conftest import NetworkBlocked


def test_guard_refuses_public_address() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkBlocked):
            sock.connect(("93.184.216.34", 80))


def test_guard_refuses_dns_lookup() -> None:
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.com", 443)


def test_guard_allows_loopback() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    with socket.socket() as client:
        client.connect(("127.0.0.1", port))
    server.close()
