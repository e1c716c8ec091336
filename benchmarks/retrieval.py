"""Retrieval benchmarks: quality on the labelled questions, and speed (shipped + synthetic).

(a) Quality over the shipped corpus and benchmarks/data/retrieval_questions.yaml
    ({id, question, gold: [chunk ids]}): hit@1/3/5 and MRR@10 for dense only, BM25 only,
    hybrid (what the advisor serves), and the LangChain tutorial baseline
    (RecursiveCharacterTextSplitter 1000/200 over each document's text, the same WordLlama
    embeddings, dense only, in a Chroma collection). A baseline chunk is a hit when its
    character range overlaps a gold chunk's range in the same document.
(b) Speed: ingest of the shipped corpus, an unchanged re-ingest, warm query p50/p95, and a
    synthetic corpus of N chunks written to disk as Markdown and ingested through the same
    path as `advisor ingest --corpus DIR` (throughput chunks/s, query p50/p95, filtered too).

    python benchmarks/retrieval.py                      # quality + speed, 100,000 chunks
    python benchmarks/retrieval.py --synthetic 10000    # a quicker run
    python benchmarks/retrieval.py --no-synthetic --json out.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import yaml  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from advisor.config import SHIPPED_CORPUS, Settings  # noqa: E402
from advisor.retrieval.chunking import chunk_document  # noqa: E402
from advisor.retrieval.documents import load_corpus  # noqa: E402
from advisor.retrieval.embeddings import WordLlamaEmbeddings  # noqa: E402
from advisor.retrieval.index import Index, ingest  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent / "data" / "retrieval_questions.yaml"
Span = tuple[str, int, int]  # document id, start, end
Ranker = Callable[[str], list[Span]]


# ----------------------------------------------------------------------------- quality


@dataclass
class Quality:
    name: str
    questions: int = 0
    hit1: float = 0.0
    hit3: float = 0.0
    hit5: float = 0.0
    mrr: float = 0.0
    misses: list[str] = field(default_factory=list)


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def _score(name: str, rank: Ranker, questions: list[dict], gold_spans: dict[str, Span]
           ) -> Quality:
    result = Quality(name)
    for item in questions:
        gold = [gold_spans[g] for g in item["gold"]]
        ranked = rank(item["question"])[:10]
        first = next((i for i, span in enumerate(ranked, 1)
                      if any(_overlaps(span, g) for g in gold)), None)
        result.questions += 1
        if first is not None:
            result.hit1 += first <= 1
            result.hit3 += first <= 3
            result.hit5 += first <= 5
            result.mrr += 1.0 / first
        if first is None or first > 5:
            result.misses.append(item["id"])
    n = max(result.questions, 1)
    result.hit1, result.hit3, result.hit5, result.mrr = (
        round(result.hit1 / n, 3), round(result.hit3 / n, 3), round(result.hit5 / n, 3),
        round(result.mrr / n, 3))
    return result


def _baseline(corpus: Path, workdir: Path) -> Ranker:
    """The LangChain tutorial: 1000/200 recursive splits, dense retrieval in Chroma."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document as LCDocument
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200,
                                              add_start_index=True)
    docs = [LCDocument(page_content=d.text, metadata={"document": d.id})
            for d in load_corpus(corpus)]
    splits = splitter.split_documents(docs)
    client = chromadb.PersistentClient(path=str(workdir / "baseline"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma.from_documents(splits, WordLlamaEmbeddings(), client=client,
                                  collection_name="baseline",
                                  collection_configuration={"hnsw": {"space": "cosine"}})

    def rank(question: str) -> list[Span]:
        found = store.similarity_search(question, k=10)
        return [(d.metadata["document"], d.metadata["start_index"],
                 d.metadata["start_index"] + len(d.page_content)) for d in found]

    return rank


def quality(settings: Settings, questions_path: Path, workdir: Path) -> list[Quality]:
    """Hit@k and MRR for dense, BM25, hybrid and the LangChain baseline."""
    questions = yaml.safe_load(questions_path.read_text(encoding="utf-8"))
    gold_spans = {c.chunk_id: (c.document, c.start, c.end)
                  for d in load_corpus(settings.corpus) for c in chunk_document(d)}
    unknown = sorted({g for q in questions for g in q["gold"]} - set(gold_spans))
    if unknown:
        raise SystemExit(f"{questions_path}: gold ids not in the corpus: {unknown}")
    index = Index.open(settings)

    def spans(passages: Sequence) -> list[Span]:
        return [(p.document, p.start, p.end) for p in passages]

    return [
        _score("dense (WordLlama, Chroma)", lambda q: spans(index.dense_search(q, 10)),
               questions, gold_spans),
        _score("BM25 (bm25s)", lambda q: spans(index.lexical_search(q, 10)), questions,
               gold_spans),
        _score("hybrid (z-score fusion, served)", lambda q: spans(index.search(q, k=10)), questions,
               gold_spans),
        _score("LangChain baseline 1000/200 dense", _baseline(settings.corpus, workdir),
               questions, gold_spans),
    ]


# ----------------------------------------------------------------------------- speed


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _query_times(index: Index, queries: list[str], rounds: int = 3,
                 **filters: object) -> dict[str, float]:
    for query in queries[:10]:  # warm-up
        index.search(query, k=5, **filters)  # type: ignore[arg-type]
    times = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            index.search(query, k=5, **filters)  # type: ignore[arg-type]
            times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(_percentile(times, 0.5), 2), "p95_ms": round(_percentile(times, 0.95),
            2), "queries": len(times)}


def shipped_speed(settings: Settings, questions: list[str]) -> dict[str, object]:
    """Ingest, unchanged re-ingest and warm query latency on the shipped corpus."""
    first = ingest(settings, rebuild=True, progress=False)
    again = ingest(settings, progress=False)
    index = Index.open(settings)
    return {
        "chunks": first.chunks, "ingest_s": first.seconds, "reingest_unchanged_s": again.seconds,
        "reingest_changed": again.changed,
        "query": _query_times(index, questions),
        "query_as_of": _query_times(index, questions, as_of=dt.date(2025, 6, 1)),
    }


_TOPICS = ["camera", "police", "face", "identity", "emotion", "school", "workplace",
           "consent", "retention", "contract", "vendor", "audit", "privacy", "border",
           "transport", "hospital", "bank", "insurance", "energy", "retail", "drone",
           "badge", "lobby", "patrol", "warrant", "court", "licence", "tender", "budget"]
_WORDS = ("must not may should shall only without unless before after within every each "
          "customer service agency officer operator provider data record image video audio "
          "system model access approval review notice report request purpose use process "
          "store delete share transfer publish collect analyse match verify detect track "
          "monitor flag alert public private fixed mobile real-time remote local national "
          "european federal state city region member authority court judge law rule clause "
          "section article annex schedule term condition exception limit risk harm safety "
          "security quality accuracy bias error test pilot deploy operate maintain").split()


def _synthetic_corpus(root: Path, chunks: int, per_doc: int = 100, seed: int = 7) -> int:
    """Write ``chunks`` varied sections as Markdown documents; returns the document count."""
    rng = random.Random(seed)
    vocabulary = _WORDS + [f"{a}{b}" for a in ("pro", "con", "re", "de", "in", "ex", "sub")
                           for b in _TOPICS] + [f"term{n}" for n in range(3000)]
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(vocabulary))]
    kinds = ["terms", "law", "article", "document"]
    documents = (chunks + per_doc - 1) // per_doc
    written = 0
    for d in range(documents):
        start = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 2500))
        ended = rng.random() < 0.2
        front = [f"id: syn-{d:05d}", f"title: Synthetic {rng.choice(_TOPICS)} terms {d}",
                 f"kind: {kinds[d % 4]}", f"effective_date: {start.isoformat()}"]
        if ended:
            front.append(f"effective_to: {(start + dt.timedelta(days=700)).isoformat()}")
        sections = []
        for s in range(min(per_doc, chunks - written)):
            topic = rng.choice(_TOPICS)
            words = rng.choices(vocabulary, weights=weights, k=rng.randrange(50, 90))
            words[rng.randrange(len(words))] = topic
            sentence = " ".join(words)
            sections.append(f"## S-{s + 1}: {topic.title()} rule {s + 1}\n\n"
                            f"{sentence[0].upper()}{sentence[1:]}.")
        written += len(sections)
        path = root / f"group-{d // 100:03d}" / f"syn-{d:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(sections) + "\n",
                        encoding="utf-8")
    return documents


def _ann_recall(index: Index, queries: list[str], k: int = 10) -> float:
    """Share of the exact top-k (cosine over every stored vector) that Chroma's HNSW returns."""
    import numpy as np

    ids = sorted(index.chunk_ids())
    stored = index.store.vectors(index.collection, ids)
    matrix = np.stack([stored[i] for i in ids])
    embeddings = WordLlamaEmbeddings()
    found = 0
    for query in queries:
        vector = embeddings.embed_array([query])[0]
        exact = {ids[i] for i in np.argsort(-(matrix @ vector))[:k]}
        found += len(exact & set(index.store.query(index.collection, vector, k)))
    return round(found / (k * len(queries)), 3)


def synthetic_speed(home: Path, chunks: int, console: Console) -> dict[str, object]:
    """Ingest a synthetic corpus of ``chunks`` chunks through the normal path; time queries."""
    root = home / "synthetic-corpus"
    started = time.perf_counter()
    documents = _synthetic_corpus(root, chunks)
    console.print(f"wrote {documents} synthetic documents in "
                  f"{time.perf_counter() - started:.1f} s")
    settings = Settings(home=home / "synthetic-home", corpus=root)
    cpu = time.process_time()
    report = ingest(settings, corpus=root, progress=True)
    cpu = time.process_time() - cpu
    again = ingest(settings, corpus=root, progress=False)
    opened = time.perf_counter()
    index = Index.open(settings)
    open_s = time.perf_counter() - opened
    rng = random.Random(11)
    queries = [" ".join(rng.sample(_WORDS, 3) + [rng.choice(_TOPICS)]) for _ in range(100)]
    return {
        "chunks": report.chunks, "documents": documents, "ingest_s": report.seconds,
        "chunks_per_s": round(report.chunks / max(report.seconds, 1e-9), 1),
        "ingest_cpu_s": round(cpu, 1),
        "chunks_per_cpu_s": round(report.chunks / max(cpu, 1e-9), 1),
        "ann_recall_at_10": _ann_recall(index, queries[:50]),
        "reingest_unchanged_s": again.seconds, "open_s": round(open_s, 2),
        "query": _query_times(index, queries, rounds=2),
        "query_as_of": _query_times(index, queries, rounds=1, as_of=dt.date(2021, 6, 1)),
        "query_document": _query_times(index, queries, rounds=1, document="syn-00003"),
    }


# ----------------------------------------------------------------------------- output


def _quality_table(rows: list[Quality]) -> Table:
    table = Table(title="Retrieval quality (shipped corpus, labelled questions)")
    for column in ("ranking", "questions", "hit@1", "hit@3", "hit@5", "MRR@10"):
        table.add_column(column, justify="left" if column == "ranking" else "right")
    for row in rows:
        table.add_row(row.name, str(row.questions), f"{row.hit1:.3f}", f"{row.hit3:.3f}",
                      f"{row.hit5:.3f}", f"{row.mrr:.3f}")
    return table


def _speed_table(shipped: dict | None, synthetic: dict | None) -> Table:
    table = Table(title="Retrieval speed")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    if shipped:
        table.add_row(f"shipped corpus: ingest ({shipped['chunks']} chunks, from nothing)",
                      f"{shipped['ingest_s']:.2f} s", "")
        table.add_row("shipped corpus: unchanged re-ingest",
                      f"{shipped['reingest_unchanged_s']:.3f} s", "< 1 s")
        for key, label in (("query", "warm query"), ("query_as_of", "warm query, as-of filter")):
            q = shipped[key]
            table.add_row(f"shipped corpus: {label} p50 / p95",
                          f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f} ms", "p95 < 50 ms")
    if synthetic:
        table.add_row(f"synthetic: ingest {synthetic['chunks']:,} chunks",
                      f"{synthetic['ingest_s']:.1f} s", "")
        table.add_row("synthetic: ingest throughput (wall clock)",
                      f"{synthetic['chunks_per_s']:,.0f} chunks/s", ">= 2,000")
        table.add_row("synthetic: ingest CPU time (this process)",
                      f"{synthetic['ingest_cpu_s']:.1f} s = "
                      f"{synthetic['chunks_per_cpu_s']:,.0f} chunks/CPU-s", "")
        table.add_row("synthetic: HNSW recall@10 vs exact cosine",
                      f"{synthetic['ann_recall_at_10']:.3f}", "")
        table.add_row("synthetic: unchanged re-ingest",
                      f"{synthetic['reingest_unchanged_s']:.2f} s", "")
        table.add_row("synthetic: open index", f"{synthetic['open_s']:.2f} s", "")
        for key, label in (("query", "query"), ("query_as_of", "query, as-of filter"),
                           ("query_document", "query, one document")):
            q = synthetic[key]
            table.add_row(f"synthetic: {label} p50 / p95",
                          f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f} ms", "p95 < 50 ms")
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks and print rich tables (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--corpus", type=Path, default=SHIPPED_CORPUS)
    parser.add_argument("--synthetic", type=int, default=100_000, metavar="N",
                        help="chunks in the synthetic corpus (default 100,000)")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the synthetic run")
    parser.add_argument("--no-quality", action="store_true", help="skip the quality run")
    parser.add_argument("--home", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    console = Console()

    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        home = args.home or Path(tmp)
        settings = Settings(home=home / "shipped-home", corpus=args.corpus)
        results: dict[str, object] = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
            "python": sys.version.split()[0]}
        questions = yaml.safe_load(args.questions.read_text(encoding="utf-8"))
        shipped = shipped_speed(settings, [q["question"] for q in questions])
        results["shipped"] = shipped
        if not args.no_quality:
            rows = quality(settings, args.questions, home)
            results["quality"] = [asdict(r) for r in rows]
            console.print(_quality_table(rows))
            for row in rows:
                if row.misses:
                    console.print(f"[dim]{row.name}: not in top 5: {', '.join(row.misses)}[/]")
        synthetic = None
        if not args.no_synthetic and args.synthetic > 0:
            synthetic = synthetic_speed(home, args.synthetic, console)
            results["synthetic"] = synthetic
        console.print(_speed_table(shipped, synthetic))
        console.print(f"[dim]{os.cpu_count()} CPUs; load average at start "
                      f"{results['load_average']:.1f} (wall-clock figures shrink on a busy "
                      "machine; CPU time less so)[/]")
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
            console.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
