"""HTTP throughput and latency of the server: /v1/ask and /v1/check under 20 concurrent clients.

    python benchmarks/serve.py [--home DIR] [--clients 20] [--seconds 15] [--requests N]
                               [--json OUT]

Starts ``advisor.api`` with uvicorn in one process (as ``advisor serve`` does) on a free
loopback port in a child process, builds the index before timing, then runs each route with
``--clients`` keep-alive connections from a small asyncio HTTP/1.1 client (so the client
costs little of the 2 cores it shares with the server). Each phase stops after
``--requests`` requests or ``--seconds`` seconds, whichever comes first. Any non-200
response or connection error counts as an error; zero errors are required.
Targets (2 cores): /v1/ask >= 100 req/s, /v1/check >= 500 req/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ask import QUESTIONS  # the same questions as the ask benchmark (benchmarks/ask.py)
from rich.console import Console
from rich.table import Table

TARGETS = {"/v1/ask": 100.0, "/v1/check": 500.0}

_SERVER = """
import sys, uvicorn
from advisor.api import create_app
from advisor.config import load_settings
app = create_app(load_settings(), ui=False)
app.state.advisor.get().search("warm up", k=1)   # build or open the index before timing
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False)
"""


@dataclass
class Phase:
    route: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def row(self) -> dict[str, object]:
        lat = sorted(self.latencies)
        n = len(lat)

        def pct(p: float) -> float:
            return lat[min(n - 1, int(p * n))] * 1000 if n else float("nan")

        return {
            "route": self.route, "requests": n, "errors": len(self.errors),
            "seconds": round(self.seconds, 2),
            "req_per_s": round(n / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(statistics.median(lat) * 1000, 1) if n else float("nan"),
            "p95_ms": round(pct(0.95), 1), "p99_ms": round(pct(0.99), 1),
            "target_req_per_s": TARGETS.get(self.route),
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(route: str, body: bytes | None) -> bytes:
    method = "POST" if body is not None else "GET"
    head = (f"{method} {route} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
            "Accept: application/json\r\n")
    if body is None:
        return (head + "\r\n").encode()
    head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
               payload: bytes) -> tuple[int, bytes]:
    writer.write(payload)
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _run_phase(port: int, route: str, payloads: list[bytes], clients: int,
                     max_requests: int, max_seconds: float) -> Phase:
    phase = Phase(route)
    issued = 0
    start = time.perf_counter()
    deadline = start + max_seconds

    async def client(index: int) -> None:
        nonlocal issued
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while issued < max_requests and time.perf_counter() < deadline:
                payload = payloads[(issued + index) % len(payloads)]
                issued += 1
                t0 = time.perf_counter()
                try:
                    status, body = await _one(reader, writer, payload)
                except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
                    phase.errors.append(f"{type(exc).__name__}: {exc}")
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                phase.latencies.append(time.perf_counter() - t0)
                if status != 200 or not body:
                    phase.errors.append(f"HTTP {status}: {body[:200]!r}")
        finally:
            writer.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    phase.seconds = time.perf_counter() - start
    return phase


def _payloads(route: str) -> list[bytes]:
    if route == "/v1/models":
        return [_request(route, None)]
    return [_request(route, json.dumps({"question": q}).encode()) for q in QUESTIONS]


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not become ready in time")


def _check_answer(port: int) -> None:
    """One real answer, checked, so the benchmark measures answers and not errors."""
    body = json.dumps({"question": QUESTIONS[0]}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/ask", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    verdicts = {p["policy"]: p["verdict"] for p in answer["policies"]}
    assert verdicts.get("azure-openai-coc") == "prohibited", verdicts
    assert answer["citations"], "the answer has citations"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="ADVISOR_HOME (default: a temporary dir)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0, help="bound per phase")
    parser.add_argument("--requests", type=int, default=5000, help="bound per phase")
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    args = parser.parse_args(argv)

    home = args.home or Path(tempfile.mkdtemp(prefix="advisor-bench-serve-"))
    env = {**os.environ, "ADVISOR_HOME": str(home), "ANONYMIZED_TELEMETRY": "False",
           "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("ADVISOR_API_TOKEN", None)
    port = _free_port()
    console = Console(width=110)
    console.print(f"server: uvicorn, one process, 127.0.0.1:{port}, ADVISOR_HOME={home}")
    proc = subprocess.Popen([sys.executable, "-c", _SERVER, str(port)], env=env)
    try:
        _wait_ready(port, proc)
        _check_answer(port)
        rows = []
        for route in ("/v1/models", "/v1/check", "/v1/ask"):
            payloads = _payloads(route)
            asyncio.run(_run_phase(port, route, payloads, args.clients, 100, 30))  # warm-up
            phase = asyncio.run(_run_phase(port, route, payloads, args.clients,
                                           args.requests, args.seconds))
            rows.append(phase.row())
            for error in phase.errors[:3]:
                console.print(f"[red]{route}: {error}[/red]")
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    table = Table(title=f"HTTP server, {args.clients} concurrent clients, loopback, "
                        f"{os.cpu_count()} cores")
    for column in ("route", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms",
                   "target req/s"):
        table.add_column(column, justify="left" if column == "route" else "right")
    for row in rows:
        target = row["target_req_per_s"]
        met = "" if target is None else (" ok" if row["req_per_s"] >= target else " MISSED")  # type: ignore[operator]
        table.add_row(str(row["route"]), str(row["requests"]), str(row["errors"]),
                      str(row["req_per_s"]), str(row["p50_ms"]), str(row["p95_ms"]),
                      str(row["p99_ms"]), "-" if target is None else f"{target:.0f}{met}")
    console.print(table)
    console.print("/v1/models has no advisor work: it is the server's own ceiling.")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    errors = sum(int(r["errors"]) for r in rows)  # type: ignore[call-overload]
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
