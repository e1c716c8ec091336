import socket

import pytest

from tests.conftest import BLOCKED, NetworkBlocked


def test_guard_refuses_public_address() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkBlocked):
            sock.connect(("93.184.216.34", 80))
    assert BLOCKED == ["connect ('93.184.216.34', 80)"]
    BLOCKED.clear()  # acknowledged: this test made the attempt on purpose


def test_guard_refuses_dns_lookup() -> None:
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.com", 443)
    assert BLOCKED == ["resolve 'example.com'"]
    BLOCKED.clear()


def test_guard_allows_loopback() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    with socket.socket() as client:
        client.connect(("127.0.0.1", port))
    server.close()


def test_a_swallowed_attempt_is_still_recorded() -> None:
    try:
        socket.create_connection(("203.0.113.7", 443), timeout=1)
    except Exception:  # noqa: BLE001 - a library that hides its failure, like telemetry
        pass
    assert BLOCKED == ["resolve '203.0.113.7'"]  # create_connection resolves first
    BLOCKED.clear()


def test_the_embedded_chroma_client_has_telemetry_off(advisor_home: object) -> None:
    from advisor.config import Settings
    from advisor.retrieval.embeddings import make_embeddings
    from advisor.retrieval.store import ChromaStore

    settings = Settings()
    store = ChromaStore.open(settings, make_embeddings(settings))
    assert store._client.get_settings().anonymized_telemetry is False
