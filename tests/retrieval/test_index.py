"""Ingest: generations, incrementality, atomicity, and the index's lookups (real Chroma)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from advisor.config import Settings
from advisor.errors import CorpusError, RetrievalError
from advisor.retrieval import index as index_module
from advisor.retrieval.chunking import chunk_document
from advisor.retrieval.documents import load_document
from advisor.retrieval.embeddings import WordLlamaEmbeddings
from advisor.retrieval.index import Index, ensure_index, index_text, ingest
from advisor.retrieval.store import ChromaStore

DOCS = {
    "terms/coc.md": """\
        ---
        id: coc
        title: Code of conduct
        kind: terms
        version: "2024-05-01"
        effective_date: 2024-05-01
        ---
        ## ID-1: No identification
        Customers must not use the service to identify or verify individuals from their faces.

        ## LE-2: Mobile cameras
        Law enforcement must not run real-time facial recognition on mobile cameras such as
        body-worn or dash-mounted cameras in uncontrolled settings.
        """,
    "law/act.md": """\
        ---
        id: act
        title: The act
        kind: law
        effective_date: 2025-02-02
        ---
        ## Article 5: Prohibited practices
        Emotion inference in the workplace and in education institutions is prohibited.

        ## Article 6: Scoring
        Social scoring of natural persons by public authorities is not allowed.
        """,
    "news/story.md": """\
        ---
        id: story
        title: A news story
        kind: article
        effective_date: 2024-05-06
        ---
        ## What happened
        A newspaper reported that the vendor tightened its rules for police departments.
        """,
}


def write_corpus(root: Path, docs: dict[str, str] = DOCS) -> Path:
    for rel, text in docs.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


class CountingEmbeddings(Embeddings):
    """WordLlama, recording every text embedded; optionally fails on call N."""

    def __init__(self, fail_on_call: int | None = None):
        self.inner = WordLlamaEmbeddings()
        self.texts: list[str] = []
        self.calls = 0
        self.fail_on_call = fail_on_call

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.fail_on_call is not None and self.calls >= self.fail_on_call:
            raise RuntimeError("simulated crash while embedding")
        self.texts.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def settings(advisor_home: Path, corpus: Path) -> Settings:
    return Settings(home=advisor_home, corpus=corpus)


def chunk_texts(corpus: Path, rel: str) -> set[str]:
    return {index_text(c) for c in chunk_document(load_document(corpus / rel, corpus))}


def snapshot(settings: Settings) -> list[list[tuple[str, float]]]:
    index = Index.open(settings)
    queries = ["body-worn cameras police", "emotion at work", "newspaper vendor rules"]
    return [[(p.chunk_id, p.score) for p in index.search(q, k=4)] for q in queries]


def collections(settings: Settings) -> set[str]:
    return set(ChromaStore.open(settings, WordLlamaEmbeddings()).names())


def test_first_ingest_builds_generation_one(settings: Settings, corpus: Path) -> None:
    counting = CountingEmbeddings()
    report = ingest(settings, progress=False, embeddings=counting)

    assert (report.added, report.updated, report.removed, report.unchanged) == (3, 0, 0, 0)
    assert report.changed and report.generation == 1
    assert report.chunks == report.embedded == 5
    assert report.corpus == str(corpus.resolve())
    index = Index.open(settings)
    assert index.chunk_ids() == {"coc#ID-1", "coc#LE-2", "act#article-5", "act#article-6",
                                 "story#what-happened"}
    assert len(counting.texts) == 5
    manifest = json.loads((settings.index_dir / "manifest.json").read_text())
    assert manifest["generation"] == 1
    assert collections(settings) == {manifest["collection"]}
    assert sorted(d["id"] for d in index.documents()) == ["act", "coc", "story"]
    coc = next(d for d in index.documents() if d["id"] == "coc")
    assert coc | {"chunks": 2} == coc and coc["kind"] == "terms"
    assert coc["version"] == "2024-05-01" and coc["effective_date"] == "2024-05-01"


def test_unchanged_reingest_embeds_nothing_and_keeps_the_generation(settings: Settings) -> None:
    ingest(settings, progress=False)
    before = snapshot(settings)
    counting = CountingEmbeddings()

    report = ingest(settings, progress=False, embeddings=counting)

    assert not report.changed
    assert (report.unchanged, report.embedded, report.generation) == (3, 0, 1)
    assert counting.calls == 0
    assert report.seconds < 1.0
    assert snapshot(settings) == before


def test_incremental_ingest_embeds_only_changed_and_new_documents(
        settings: Settings, corpus: Path) -> None:
    ingest(settings, progress=False)
    (corpus / "news/story.md").write_text(
        (corpus / "news/story.md").read_text() + "\nThe rules were updated again in June.\n")
    write_corpus(corpus, {"terms/extra.md": """\
        ---
        id: extra
        title: Extra terms
        kind: terms
        ---
        ## X-1: Counting people
        Counting people in a crowd without identifying anyone is allowed.
        """})
    counting = CountingEmbeddings()

    report = ingest(settings, progress=False, embeddings=counting)

    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 0, 2)
    assert report.generation == 2 and report.embedded == 2
    assert set(counting.texts) == chunk_texts(corpus, "news/story.md") | chunk_texts(
        corpus, "terms/extra.md")
    index = Index.open(settings)
    assert "extra#X-1" in index.chunk_ids()
    assert index.get(["story#what-happened"])[0].text.endswith("updated again in June.")
    # The old generation is gone: one collection, one generation folder.
    assert len(collections(settings)) == 1
    assert sorted(p.name for p in settings.index_dir.glob("g*")) == ["g2"]
    # Reused vectors are the stored ones: unchanged documents still rank as before.
    assert index.search("emotion inference workplace", k=1)[0].chunk_id == "act#article-5"


def test_removed_document_leaves_the_index(settings: Settings, corpus: Path) -> None:
    ingest(settings, progress=False)
    (corpus / "law/act.md").unlink()

    report = ingest(settings, progress=False, embeddings=CountingEmbeddings())

    assert (report.removed, report.unchanged, report.embedded) == (1, 2, 0)
    index = Index.open(settings)
    assert not {cid for cid in index.chunk_ids() if cid.startswith("act#")}
    assert index.search("emotion inference workplace", k=5, document="act") == []
    assert all(p.document != "act" for p in index.search("emotion inference workplace", k=5))
    assert [d["id"] for d in index.documents()] == ["coc", "story"]


def test_rebuild_re_embeds_everything_into_a_new_generation(settings: Settings) -> None:
    ingest(settings, progress=False)
    before = snapshot(settings)
    counting = CountingEmbeddings()

    report = ingest(settings, rebuild=True, progress=False, embeddings=counting)

    assert report.changed and report.generation == 2 and report.embedded == 5
    assert len(counting.texts) == 5
    assert len(collections(settings)) == 1
    assert snapshot(settings) == before


def test_crash_while_building_leaves_the_old_index_serving(
        settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(settings, progress=False)
    before = snapshot(settings)
    manifest_before = (settings.index_dir / "manifest.json").read_text()
    names_before = collections(settings)
    (corpus / "terms/coc.md").write_text((corpus / "terms/coc.md").read_text() + "\nMore.\n")
    (corpus / "law/act.md").write_text((corpus / "law/act.md").read_text() + "\nMore.\n")
    monkeypatch.setattr(index_module, "EMBED_BATCH", 1)  # several batches: crash mid-way

    with pytest.raises(RetrievalError, match="simulated crash"):
        ingest(settings, progress=False, embeddings=CountingEmbeddings(fail_on_call=2))

    assert (settings.index_dir / "manifest.json").read_text() == manifest_before
    assert collections(settings) == names_before
    assert sorted(p.name for p in settings.index_dir.glob("g*")) == ["g1"]
    assert snapshot(settings) == before


def test_killed_process_leaves_old_index_serving_and_next_ingest_cleans_up(
        settings: Settings, corpus: Path) -> None:
    ingest(settings, progress=False)
    before = snapshot(settings)
    manifest_before = (settings.index_dir / "manifest.json").read_text()
    (corpus / "terms/coc.md").write_text((corpus / "terms/coc.md").read_text() + "\nMore.\n")
    (corpus / "law/act.md").write_text((corpus / "law/act.md").read_text() + "\nMore.\n")
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from advisor.config import Settings
        from advisor.retrieval import index
        from advisor.retrieval.embeddings import WordLlamaEmbeddings

        class Dying(WordLlamaEmbeddings):
            calls = 0
            def embed_array(self, texts):
                Dying.calls += 1
                if Dying.calls == 2:
                    os._exit(17)  # no cleanup, no finally: a real crash
                return super().embed_array(texts)

        index.EMBED_BATCH = 1
        settings = Settings(home=Path({str(settings.home)!r}), corpus=Path({str(corpus)!r}))
        index.ingest(settings, progress=False, embeddings=Dying())
        """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          timeout=120)
    assert done.returncode == 17, done.stderr.decode()[-2000:]

    # The half-built generation 2 is on disk, but the manifest still names generation 1.
    assert (settings.index_dir / "g2").exists() or len(collections(settings)) == 2
    assert (settings.index_dir / "manifest.json").read_text() == manifest_before
    assert snapshot(settings) == before

    report = ingest(settings, progress=False)
    assert report.changed and report.updated == 2
    assert len(collections(settings)) == 1
    assert sorted(p.name for p in settings.index_dir.glob("g*")) == [f"g{report.generation}"]


def test_corrupt_front_matter_aborts_with_file_and_line_and_old_index_serves(
        settings: Settings, corpus: Path) -> None:
    ingest(settings, progress=False)
    before = snapshot(settings)
    manifest_before = (settings.index_dir / "manifest.json").read_text()
    (corpus / "news/story.md").write_text(textwrap.dedent("""\
        ---
        id: story
        title: A news story
        kind: article
        effective_date: not-a-date
        ---
        ## What happened
        Something else.
        """))
    counting = CountingEmbeddings()

    with pytest.raises(CorpusError) as caught:
        ingest(settings, progress=False, embeddings=counting)

    assert caught.value.path is not None and caught.value.path.endswith("news/story.md")
    assert caught.value.line == 5
    assert counting.calls == 0
    assert (settings.index_dir / "manifest.json").read_text() == manifest_before
    assert snapshot(settings) == before


def test_get_returns_passages_in_order_and_skips_unknown_ids(settings: Settings,
                                                             corpus: Path) -> None:
    ingest(settings, progress=False)
    index = Index.open(settings)

    passages = index.get(["act#article-6", "nope#x", "coc#ID-1"])

    assert [p.chunk_id for p in passages] == ["act#article-6", "coc#ID-1"]
    doc = load_document(corpus / "terms/coc.md", corpus)
    coc = passages[1]
    assert doc.text[coc.start:coc.end] == coc.text
    assert (coc.kind, coc.version, coc.title) == ("terms", "2024-05-01", "Code of conduct")


def test_open_without_an_index_says_to_ingest(settings: Settings) -> None:
    with pytest.raises(RetrievalError, match="advisor ingest"):
        Index.open(settings)


def test_ensure_index_builds_from_the_configured_corpus(settings: Settings) -> None:
    index = ensure_index(settings)

    assert len(index.chunk_ids()) == 5
    assert ensure_index(settings).generation == index.generation == 1


def test_corpus_version_follows_the_documents(settings: Settings, corpus: Path) -> None:
    first = ingest(settings, progress=False).corpus_version
    assert Index.open(settings).corpus_version == first
    (corpus / "news/story.md").write_text((corpus / "news/story.md").read_text() + "\nMore.\n")

    second = ingest(settings, progress=False).corpus_version

    assert second != first and Index.open(settings).corpus_version == second


def test_switching_embeddings_requires_a_rebuild(settings: Settings) -> None:
    ingest(settings, progress=False)
    other = settings.model_copy(update={"embeddings": "openai",
                                        "embeddings_base_url": "http://127.0.0.1:9"})

    with pytest.raises(RetrievalError, match="ingest --rebuild"):
        Index.open(other)


def test_an_open_index_follows_a_new_generation(settings: Settings, corpus: Path) -> None:
    ingest(settings, progress=False)
    index = Index.open(settings)
    assert index.search("zebras", k=5, document="zoo") == []
    write_corpus(corpus, {"zoo.md": """\
        ---
        id: zoo
        title: Zoo rules
        kind: document
        ---
        ## Z-1: Zebras
        Visitors must not feed the zebras.
        """})

    report = ingest(settings, progress=False)  # deletes generation 1 after the switch

    assert report.generation == 2
    assert index.generation == 2 and "zoo#Z-1" in index.chunk_ids()
    assert index.search("feeding zebras", k=1)[0].chunk_id == "zoo#Z-1"
    assert index.corpus_version == report.corpus_version


def test_pooled_embeddings_equal_wordllama_embed() -> None:
    import numpy as np

    from advisor.retrieval.embeddings import _wordllama

    texts = ["Customers must not identify people from faces.", "",
             "body-worn cameras on patrol " * 60, "Émotion, reconnaissance faciale"]

    ours = WordLlamaEmbeddings().embed_array(texts)
    with np.errstate(invalid="ignore", divide="ignore"):
        theirs = np.nan_to_num(_wordllama().embed(texts, norm=True))

    assert ours.shape == (4, 256)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours[[0, 2, 3]], axis=1), 1.0, atol=1e-5)
    assert not ours[1].any()  # an empty text has no tokens: a zero vector, not NaN


def test_chroma_holds_vectors_and_filter_metadata_and_langchain_gets_the_text(
        settings: Settings) -> None:
    ingest(settings, progress=False)
    index = Index.open(settings)
    collection = index.store._collection(index.collection)

    stored = collection.get(include=["documents", "metadatas"])
    assert stored["documents"] is not None and set(stored["documents"]) == {None}
    assert all(set(meta) == {"document", "kind", "effective_date", "effective_to"}
               for meta in stored["metadatas"] or [])
    found = index.vectorstore().similarity_search("emotion", k=2)
    assert len(found) == 2
    for doc in found:
        assert doc.id is not None and doc.page_content == index.get([doc.id])[0].text


def test_ensure_index_brings_an_index_of_the_configured_corpus_up_to_date(
        advisor_home: Path, tmp_path: Path) -> None:
    """An edited corpus is picked up on the next open; a malformed edit keeps the old index."""
    from advisor.retrieval.index import ensure_index

    corpus = tmp_path / "refresh-corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\nThe lantern clause covers harbour lights.\n")
    settings = Settings(home=advisor_home, corpus=corpus)
    first = ensure_index(settings)
    assert first.search("lantern harbour", k=1)[0].document == "a"

    (corpus / "b.md").write_text("# B\n\nThe orchard clause covers apple trees.\n")
    refreshed = ensure_index(settings)
    assert refreshed.search("orchard apple", k=1)[0].document == "b"

    (corpus / "c.md").write_text("---\nid: [unclosed\n---\nbody\n")
    still = ensure_index(settings)
    assert {p.document for p in still.search("orchard apple lantern", k=5)} == {"a", "b"}
