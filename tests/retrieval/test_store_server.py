"""Client/server mode: the index against a real `chroma run` server on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from advisor.config import Settings
from advisor.errors import ConfigError, RetrievalError
from advisor.retrieval.embeddings import WordLlamaEmbeddings
from advisor.retrieval.index import Index, ingest
from advisor.retrieval.store import ChromaStore
from tests.retrieval.test_index import CountingEmbeddings, write_corpus


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server for this module, started once and stopped at the end."""
    cli = Path(sys.executable).parent / "chroma"
    if not cli.exists():
        pytest.fail(f"the chroma CLI is not installed next to {sys.executable}")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "wb")  # noqa: SIM115 - closed after the server stops
    proc = subprocess.Popen([str(cli), "run", "--path", str(data / "db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}: "
                            f"{(data / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("chroma run did not answer its heartbeat within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _settings(home: Path, corpus: Path, url: str) -> Settings:
    return Settings(home=home, corpus=corpus, chroma_url=url)


@pytest.mark.server
def test_ingest_and_search_through_the_server(chroma_url: str, tmp_path: Path,
                                              advisor_home: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    settings = _settings(advisor_home, corpus, chroma_url)

    report = ingest(settings, progress=False)
    index = Index.open(settings)

    assert report.chunks == 5 and report.embedded == 5
    assert not (settings.index_dir / "chroma").exists()  # vectors live on the server
    names = ChromaStore.open(settings, WordLlamaEmbeddings()).names()
    assert [n for n in names if n.endswith(open(settings.index_dir / "index-id").read())]
    top = index.search("real-time facial recognition on body-worn cameras", k=1)
    assert top[0].chunk_id == "coc#LE-2"
    assert index.search("emotion", k=5, as_of="2024-06-01", document="act") == []
    vectorstore = index.vectorstore()  # the LangChain Chroma over the server collection
    found = vectorstore.similarity_search("emotion inference in the workplace", k=1)[0]
    assert found.id == "act#article-5"
    assert found.page_content == index.get(["act#article-5"])[0].text
    assert found.metadata["kind"] == "law" and found.metadata["effective_date"] == 20250202


@pytest.mark.server
def test_incremental_ingest_against_the_server(chroma_url: str, tmp_path: Path,
                                               advisor_home: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    settings = _settings(advisor_home, corpus, chroma_url)
    ingest(settings, progress=False)
    (corpus / "law/act.md").write_text((corpus / "law/act.md").read_text() + "\nAlso this.\n")
    counting = CountingEmbeddings()

    report = ingest(settings, progress=False, embeddings=counting)

    assert (report.updated, report.unchanged, report.embedded) == (1, 2, 1)
    changed = Index.open(settings).get(["act#article-6"])[0]
    assert counting.texts == [f"{changed.title}\n{changed.text}"]
    assert Index.open(settings).search("social scoring", k=1)[0].chunk_id == "act#article-6"


@pytest.mark.server
def test_two_indexes_share_one_server_without_clashing(chroma_url: str, tmp_path: Path) -> None:
    first = _settings(tmp_path / "home-1", write_corpus(tmp_path / "c1"), chroma_url)
    second = _settings(tmp_path / "home-2", write_corpus(tmp_path / "c2", {"x.md": """\
        ---
        id: other
        title: Other
        ---
        ## Only section
        Nothing about faces here, only weather reports.
        """}), chroma_url)

    ingest(first, progress=False)
    ingest(second, progress=False)
    ingest(second, rebuild=True, progress=False)

    assert len(Index.open(first).chunk_ids()) == 5
    assert Index.open(second).chunk_ids() == {"other#only-section"}
    assert Index.open(first).search("weather", k=10, document="other") == []


def test_unreachable_server_says_what_to_do(tmp_path: Path, advisor_home: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    settings = _settings(advisor_home, write_corpus(tmp_path / "corpus"), url)

    with pytest.raises(RetrievalError) as caught:
        ingest(settings, progress=False)

    assert f"Chroma server at {url} is unreachable" in str(caught.value)
    assert "unset ADVISOR_CHROMA_URL" in str(caught.value)


def test_bad_server_url_is_a_config_error(advisor_home: Path) -> None:
    with pytest.raises(ConfigError, match="ADVISOR_CHROMA_URL"):
        ChromaStore.open(Settings(home=advisor_home, chroma_url="ftp://x"), WordLlamaEmbeddings())
