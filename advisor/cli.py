"""The ``advisor`` command: a thin shell over :class:`advisor.Advisor`.

Parses, calls, renders; maps AdvisorError to a one-line message and exit code 2
(1 for an eval regression), never a traceback unless ``--debug``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from advisor.errors import AdvisorError, InputError

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def _as_of(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date: use YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="advisor",
        description="Policy advisor for AI-service terms: verdicts with cited, verified passages.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    common = argparse.ArgumentParser(add_help=False)  # --debug also after the command
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_parser = sub.add_parser

    def add_parser(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if kwargs.get("add_help", True):
            kwargs.setdefault("parents", [common])
        return _add_parser(name, **kwargs)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    p = sub.add_parser("ingest", help="index the corpus (incremental; atomic)")
    p.add_argument("--corpus", type=Path, help="index this folder instead of the shipped corpus")
    p.add_argument("--rebuild", action="store_true", help="rebuild the index from nothing")
    p.add_argument("--allow-empty", action="store_true",
                   help="accept a folder with no documents (empties the index)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("search", help="hybrid search over the indexed passages")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--document", help="only this document id")
    p.add_argument("--as-of", type=_as_of, help="only text in force on this date (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print passages as JSON")

    for name, text in (("check", "facts and verdicts only: no retrieval, no LLM"),
                       ("ask", "a cited answer with verdicts, facts and quotes")):
        p = sub.add_parser(name, help=text)
        p.add_argument("question")
        p.add_argument("--as-of", type=_as_of, help="judge as of this date (YYYY-MM-DD)")
        p.add_argument("--history", type=Path,
                       help="JSON file with earlier turns: [{role, content}, ...]")
        p.add_argument("--fact", action="append", default=[], metavar="NAME=VALUE",
                       help="a fact you confirm, beating what the question's words say "
                            "(repeatable), e.g. --fact actor=law_enforcement")
        p.add_argument("--json", action="store_true", help="print the answer JSON")
        if name == "ask":
            p.add_argument("--llm", action="store_true",
                           help="compose with the configured LLM endpoint (ADVISOR_LLM_*)")

    p = sub.add_parser("serve", help="run the HTTP API (/v1), OpenAPI (/docs) and the chat (/)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)

    sub.add_parser("eval", help="run the regression eval suite (see `advisor eval --help`)",
                   add_help=False)

    p = sub.add_parser("audit", help="show a past answer from the audit log")
    p.add_argument("trace_id", nargs="?")
    p.add_argument("--verify", action="store_true",
                   help="check the log's hash chain; exit 1 naming any edited or missing row")
    p.add_argument("--replay", action="store_true",
                   help="recompute against the current corpus and say whether it still holds")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("documents", help="list the indexed documents")
    p.add_argument("--json", action="store_true")
    return parser


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _history(path: Path | None) -> list[dict[str, str]] | None:
    if path is None:
        return None
    try:
        turns = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read history file {path}: {exc}") from exc
    if not isinstance(turns, list) or not all(isinstance(t, dict) for t in turns):
        raise InputError(f"{path}: history must be a JSON list of {{role, content}} objects")
    return turns


def _facts(pairs: Sequence[str]) -> dict[str, str]:
    """``--fact NAME=VALUE`` options as a mapping (values are checked by the Advisor)."""
    facts: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(f"--fact {pair!r}: write it as NAME=VALUE, e.g. "
                             "--fact actor=law_enforcement or --fact public_access=yes")
        facts[name.strip()] = value.strip()
    return facts


def _run(args: argparse.Namespace, console: Console) -> int:
    from advisor.config import Settings
    from advisor.service import Advisor

    settings = Settings()
    if getattr(args, "llm", False):
        settings = settings.model_copy(update={"composer": "llm"})
    advisor = Advisor(settings)

    if args.command == "ingest":
        report = advisor.ingest(corpus=args.corpus, rebuild=args.rebuild, progress=not args.json,
                                allow_empty=args.allow_empty)
        data = report.model_dump(mode="json") if hasattr(report, "model_dump") else vars(report)
        if args.json:
            _print_json(data)
        else:
            from advisor.terminal import rows_table
            console.print(rows_table("Ingest", ("item", "value"), sorted(data.items())))
        return EXIT_OK

    if args.command == "search":
        passages = advisor.search(args.query, k=args.k, document=args.document, as_of=args.as_of)
        if args.json:
            _print_json([p.model_dump(mode="json") for p in passages])
        else:
            from advisor.terminal import passages_table
            console.print(passages_table(passages, args.query))
        return EXIT_OK

    if args.command in ("check", "ask"):
        call = advisor.check if args.command == "check" else advisor.ask
        answer = call(args.question, history=_history(args.history), as_of=args.as_of,
                      facts=_facts(args.fact) or None)
        if args.json:
            _print_json(answer.model_dump(mode="json"))
        else:
            from advisor.terminal import render_answer
            render_answer(console, answer)
        return EXIT_OK

    if args.command == "serve":
        from advisor.api import serve
        serve(settings, host=args.host, port=args.port)
        return EXIT_OK

    if args.command == "audit" and args.verify:
        check = advisor.verify_audit()
        if args.json:
            _print_json(check)
        else:
            console.print(f"{check['path']}: {check['rows']} rows, "
                          f"{check['unchained']} written before the hash chain")
            for problem in check["problems"]:
                console.print(f"[red]problem:[/red] {problem}", highlight=False)
            if check["ok"]:
                console.print("the hash chain is intact")
        return EXIT_OK if check["ok"] else EXIT_FAIL

    if args.command == "audit":
        if not args.trace_id:
            raise InputError("give a trace id (from an answer's JSON), or --verify to check "
                             "the whole log")
        result = advisor.replay(args.trace_id) if args.replay else advisor.audit(args.trace_id)
        data = result.model_dump(mode="json") if hasattr(result, "model_dump") else result
        if args.json or not isinstance(data, dict):
            _print_json(data)
        else:
            from advisor.terminal import rows_table
            rows = [(k, v if isinstance(v, str) else json.dumps(v, default=str)[:300])
                    for k, v in data.items()]
            console.print(rows_table(f"Audit {args.trace_id}", ("field", "value"), rows))
        return EXIT_OK

    if args.command == "documents":
        docs = advisor.documents()
        if args.json:
            _print_json(docs)
        else:
            from advisor.terminal import rows_table
            columns = ("id", "kind", "version", "effective_date", "chunks", "title")
            console.print(rows_table("Documents", columns,
                                     ([d.get(c, "") for c in columns] for d in docs)))
        return EXIT_OK

    raise AssertionError(f"unhandled command {args.command}")  # pragma: no cover


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    console = Console(stderr=False)
    err = Console(stderr=True)
    debug = "--debug" in argv
    if "eval" in argv:  # the eval suite owns its own flags
        at = argv.index("eval")
        if all(a.startswith("-") for a in argv[:at]):
            from advisor.evals import main as eval_main
            try:
                return eval_main(argv[at + 1:])
            except AdvisorError as exc:
                err.print(f"[red]error:[/red] {exc}")
                return EXIT_ERROR
    args = _parser().parse_args(argv)
    try:
        return _run(args, console)
    except AdvisorError as exc:
        if debug:
            raise
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


#: Thread-pool variables of the BLAS builds numpy may load. The advisor's matrix products are
#: small (a query's words against ~1,200 corpus words); extra BLAS threads only contend with the
#: embedding model and the reader on a busy machine (the eval ran 25-35 % slower with them).
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run() -> None:
    """Console-script entry point: one BLAS thread unless the environment says otherwise.

    Set here, before numpy is first imported, and only for the ``advisor`` process itself: a
    program importing ``advisor`` as a library keeps its own settings.
    """
    for name in _BLAS_THREADS:
        os.environ.setdefault(name, "1")
    sys.exit(main())
