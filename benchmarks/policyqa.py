"""PolicyQA evidence-retrieval benchmark (real privacy policies nobody on the team wrote).

The data and the scoring are those of /work/shared/benchmarks/policyqa-dev/README.md: each
policy's paragraphs are joined with a blank line into one ``.txt`` document (gold answer
offsets shift by the paragraph's start); the documents are ingested with
``advisor ingest --corpus DIR`` (the real CLI, in a subprocess, into a temporary home);
every distinct (policy, question) pair is asked within its own policy
(``Index.search(question, document=policy)``); results are taken in rank order until 2,500
characters are spent (the last one cut to fit), and a pair is a hit when any of its gold
spans overlaps the taken text. The figure is the hit rate over all pairs.

Optional rows (``--baselines``): the LangChain tutorial splitter (RecursiveCharacterText-
Splitter 1000/200) with WordLlama dense, BM25, and both fused by RRF, scored the same way.

    python benchmarks/policyqa.py                            # all 20 policies, 2,420 pairs
    python benchmarks/policyqa.py --policies 5 --pairs 300   # a quick subsample
    python benchmarks/policyqa.py --baselines --json out.json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evidence import BUDGET, RRF_K, SHARED, Ranker, Span, take

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DATA = SHARED / "policyqa-dev" / "dev.json"


@dataclass(frozen=True)
class Pair:
    document: str  # document id (the .txt file's stem)
    question: str
    gold: tuple[Span, ...]


@dataclass
class Score:
    name: str
    pairs: int = 0
    hits: int = 0
    seconds: list[float] = field(default_factory=list)
    misses: list[Pair] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, pair: Pair, taken: Sequence[Span]) -> None:
        hit = any(s < e2 and s2 < e for s, e in pair.gold for s2, e2 in taken)
        self.pairs += 1
        self.hits += hit
        if not hit:
            self.misses.append(pair)

    @property
    def rate(self) -> float:
        return self.hits / max(self.pairs, 1)


# ----------------------------------------------------------------------------- data


def _doc_id(title: str) -> str:
    """A corpus file stem from a policy's title (the site name: letters, digits, '.', '-')."""
    return "".join(ch if ch.isalnum() or ch in ".-_" else "-" for ch in title).strip(".-_")


def load(data: Path) -> tuple[dict[str, str], list[Pair]]:
    """Documents (id -> text) and every distinct (policy, question) pair with its gold spans."""
    raw = json.loads(data.read_text(encoding="utf-8"))
    documents: dict[str, str] = {}
    gold: dict[tuple[str, str], set[Span]] = {}
    for policy in raw["data"]:
        doc_id = _doc_id(policy["title"])
        parts: list[str] = []
        offset = 0
        for paragraph in policy["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                spans = gold.setdefault((doc_id, qa["question"].strip()), set())
                for answer in qa["answers"]:
                    start = offset + int(answer["answer_start"])
                    spans.add((start, start + len(answer["text"])))
            parts.append(context)
            offset += len(context) + 2  # the blank line that joins paragraphs
        documents[doc_id] = "\n\n".join(parts)
    pairs = [Pair(doc, question, tuple(sorted(spans)))
             for (doc, question), spans in gold.items() if spans]
    return documents, pairs


def subsample(documents: dict[str, str], pairs: list[Pair], policies: int | None,
              limit: int | None, seed: int) -> tuple[dict[str, str], list[Pair]]:
    """Every ``len/policies``-th policy (a spread of sizes), then ``limit`` pairs at random."""
    if policies is not None and policies < len(documents):
        names = sorted(documents, key=lambda d: len(documents[d]))
        step = len(names) / policies
        keep = {names[int(i * step + step / 2)] for i in range(policies)}
        documents = {d: t for d, t in documents.items() if d in keep}
        pairs = [p for p in pairs if p.document in keep]
    if limit is not None and limit < len(pairs):
        pairs = sorted(random.Random(seed).sample(pairs, limit),
                       key=lambda p: (p.document, p.question))
    return documents, pairs


# ----------------------------------------------------------------------------- rankers


def advisor_index(corpus: Path, home: Path) -> tuple[Ranker, dict[str, object]]:
    """Ingest with ``advisor ingest --corpus`` (a subprocess), then search in this process."""
    env = {**os.environ, "ADVISOR_HOME": str(home), "ADVISOR_CORPUS": str(corpus)}
    done = subprocess.run([sys.executable, "-m", "advisor", "ingest", "--corpus", str(corpus),
                           "--json"], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"advisor ingest failed ({done.returncode}):\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)

    from advisor.config import load_settings
    from advisor.retrieval.index import Index

    index = Index.open(load_settings(home=home, corpus=corpus))

    def rank(question: str, doc_id: str) -> list[Span]:
        return [(p.start, p.end) for p in index.search(question, k=40, document=doc_id)]

    return rank, report


def baselines(documents: dict[str, str]) -> dict[str, Ranker]:
    """The LangChain tutorial splitter (1000/200) with WordLlama dense, BM25 and RRF of both."""
    import bm25s
    import numpy as np
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from advisor.retrieval.embeddings import WordLlamaEmbeddings

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200,
                                              add_start_index=True)
    model = WordLlamaEmbeddings()
    chunks: dict[str, list[Span]] = {}
    vectors: dict[str, np.ndarray] = {}
    lexical: dict[str, bm25s.BM25] = {}
    for doc_id, text in documents.items():
        pieces = splitter.create_documents([text])
        spans = [(int(p.metadata["start_index"]),
                  int(p.metadata["start_index"]) + len(p.page_content)) for p in pieces]
        chunks[doc_id] = spans
        texts = [text[s:e] for s, e in spans]
        vectors[doc_id] = model.embed_array(texts)
        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False),
                        show_progress=False)
        lexical[doc_id] = retriever

    def dense(question: str, doc_id: str) -> list[Span]:
        scores = vectors[doc_id] @ model.embed_array([question])[0]
        return [chunks[doc_id][i] for i in np.argsort(-scores, kind="stable")]

    def bm25(question: str, doc_id: str) -> list[Span]:
        tokens = bm25s.tokenize([question], stopwords="en", show_progress=False)
        found, _ = lexical[doc_id].retrieve(tokens, k=len(chunks[doc_id]), show_progress=False)
        return [chunks[doc_id][int(i)] for i in found[0]]

    def fused(question: str, doc_id: str) -> list[Span]:
        score: dict[Span, float] = {}
        for ranking in (dense(question, doc_id), bm25(question, doc_id)):
            for rank, span in enumerate(ranking, 1):
                score[span] = score.get(span, 0.0) + 1.0 / (RRF_K + rank)
        return sorted(score, key=lambda span: -score[span])

    return {"LangChain 1000/200, WordLlama dense": dense, "LangChain 1000/200, BM25": bm25,
            "LangChain 1000/200, dense+BM25 RRF": fused}


def run(name: str, rank: Ranker, pairs: Sequence[Pair]) -> Score:
    """Score ``rank`` over ``pairs``."""
    score = Score(name)
    for pair in pairs:
        started = time.perf_counter()
        ranked = rank(pair.question, pair.document)
        score.seconds.append(time.perf_counter() - started)
        score.add(pair, take(ranked))
    return score


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--policies", type=int, default=None,
                        help="only N policies (a spread of sizes)")
    parser.add_argument("--pairs", type=int, default=None, help="only N (policy, question) "
                        "pairs, drawn at random with --seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baselines", action="store_true", help="also score the LangChain "
                        "tutorial splitter with dense, BM25 and RRF")
    parser.add_argument("--json", type=Path, default=None, help="write the rows as JSON here")
    parser.add_argument("--misses", type=Path, default=None,
                        help="write the advisor's missed pairs as JSON lines here")
    args = parser.parse_args(argv)
    for noisy in ("bm25s", "wordllama", "chromadb", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 110))
    documents, pairs = subsample(*load(args.data), args.policies, args.pairs, args.seed)
    console.print(f"{len(documents)} policies, {len(pairs)} (policy, question) pairs, "
                  f"budget {BUDGET} characters")
    scores: list[Score] = []
    with tempfile.TemporaryDirectory(prefix="policyqa-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for doc_id, text in documents.items():
            (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        started = time.perf_counter()
        rank, report = advisor_index(corpus, Path(tmp) / "home")
        ingest_seconds = time.perf_counter() - started
        ours = run("advisor ingest --corpus + hybrid search", rank, pairs)
        ours.notes.append(f"{report['chunks']} chunks; ingest {report['seconds']}s "
                          f"({ingest_seconds:.1f}s with process start)")
        scores.append(ours)
        if args.baselines:
            for name, ranker in baselines(documents).items():
                scores.append(run(name, ranker, pairs))

    table = Table(title=f"PolicyQA dev evidence retrieval ({len(documents)} policies, "
                        f"{len(pairs)} pairs, {BUDGET}-char budget)")
    for column in ("retriever", "hit", "query p50 ms", "query p95 ms", "notes"):
        table.add_column(column, justify="left" if column in ("retriever", "notes") else "right")
    rows = []
    for score in scores:
        ms = sorted(1000 * s for s in score.seconds) or [0.0]
        p50 = statistics.median(ms)
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        rows.append({"retriever": score.name, "pairs": score.pairs, "hit": round(score.rate, 3),
                     "p50_ms": round(p50, 2), "p95_ms": round(p95, 2),
                     "notes": "; ".join(score.notes)})
        table.add_row(score.name, f"{score.rate:.3f}", f"{p50:.1f}", f"{p95:.1f}",
                      "; ".join(score.notes))
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    if args.misses:
        with open(args.misses, "w", encoding="utf-8") as handle:
            for pair in scores[0].misses:
                handle.write(json.dumps({"document": pair.document, "question": pair.question,
                                         "gold": pair.gold}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
