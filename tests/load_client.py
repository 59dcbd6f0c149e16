"""A small HTTP load client for the preview server, run as its own process.

python tests/load_client.py get --port P --connections 100 --seconds 3 --expect FILE
    Keep `connections` keep-alive connections busy for `seconds`, each fetching the
    paths of FILE in turn ({"/path": {"<sha256 of a whole body>": "<version>"}}), and
    print one JSON object: requests, failures, how many bodies were each version (a
    body matching none is "mixed"), and latency percentiles.

python tests/load_client.py sse --port P
    Open and close live-reload connections as stdin says, reading every event:
    "open N" opens N and prints "ready" once each has had its first status; "close K"
    waits (10 s at most) until each has had K statuses, closes them all and prints
    the fewest and most any of them had. Ends when stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
TIMEOUT = 10.0


@dataclass
class Tally:
    """What the connections saw, added up."""

    requests: int = 0
    latencies: list[float] = field(default_factory=list)
    versions: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    connections_opened: int = 0

    def fail(self, kind: str, detail: str) -> None:
        self.failures[kind] += 1
        self.examples.setdefault(kind, detail)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def _connection(
    number: int, port: int, expect: dict[str, dict[str, str]], deadline: float, tally: Tally
) -> None:
    paths = sorted(expect)
    turn = number
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.monotonic() < deadline:
        path = paths[turn % len(paths)]
        turn += 1
        started = time.perf_counter()
        if writer is None:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(HOST, port), TIMEOUT
                )
            except TimeoutError:
                tally.requests += 1
                tally.fail("connect timeout", f"{path}: not connected within {TIMEOUT} s")
                continue
            except OSError as err:
                tally.requests += 1
                tally.fail(f"connect {type(err).__name__}", f"{path}: {err!r}")
                continue
            tally.connections_opened += 1
        assert reader is not None
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode())
            status, headers, body = await asyncio.wait_for(_read_response(reader), TIMEOUT)
        except TimeoutError:  # before OSError, its base class
            tally.requests += 1
            tally.fail("timeout", f"{path}: no whole answer within {TIMEOUT} s")
            writer = _close(writer)
            continue
        except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as err:
            tally.requests += 1
            tally.fail(type(err).__name__, f"{path}: {err!r}")
            writer = _close(writer)
            continue
        tally.requests += 1
        tally.latencies.append(time.perf_counter() - started)
        if status != 200:
            tally.fail(f"status {status}", path)
        else:
            version = expect[path].get(hashlib.sha256(body).hexdigest(), "mixed")
            tally.versions[version] += 1
            if version == "mixed":
                tally.examples.setdefault("mixed", f"{path}: {len(body)} bytes")
        if headers.get("connection", "").lower() == "close":
            writer = _close(writer)
    _close(writer)


def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.close()
    return None


async def _get(
    port: int, connections: int, seconds: float, expect: dict[str, dict[str, str]]
) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        *(_connection(n, port, expect, deadline, tally) for n in range(connections))
    )
    return tally


def run_get(port: int, connections: int, seconds: float, expect_file: Path) -> dict[str, object]:
    """Hammer the server and return what happened, ready for JSON."""
    expect = json.loads(expect_file.read_text(encoding="utf-8"))
    started = time.monotonic()
    tally = asyncio.run(_get(port, connections, seconds, expect))
    elapsed = time.monotonic() - started
    return {
        "connections": connections,
        "connections_opened": tally.connections_opened,
        "seconds": round(elapsed, 3),
        "requests": tally.requests,
        "requests_per_second": round(tally.requests / elapsed, 1),
        "failures": sum(tally.failures.values()),
        "failure_kinds": dict(tally.failures),
        "examples": tally.examples,
        "versions": dict(tally.versions),
        "p50_ms": round(_percentile(tally.latencies, 0.50) * 1000, 2),
        "p90_ms": round(_percentile(tally.latencies, 0.90) * 1000, 2),
        "p99_ms": round(_percentile(tally.latencies, 0.99) * 1000, 2),
        "max_ms": round(max(tally.latencies, default=0.0) * 1000, 2),
    }


async def _listener(port: int, seen: list[int], number: int) -> None:
    reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 20)
    writer.write(f"GET /__explainer/events HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode())
    try:
        await reader.readuntil(b"\r\n\r\n")
        while True:
            block = await reader.readuntil(b"\n\n")
            if block.startswith(b"event: status"):
                seen[number] += 1
    except (OSError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def _every_one_has(seen: list[int], events: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while min(seen, default=events) < events and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return min(seen, default=events) >= events


async def _sse(port: int) -> None:
    """Obey "open N" and "close K" lines on stdin until it closes."""
    loop = asyncio.get_running_loop()
    seen: list[int] = []
    tasks: list[asyncio.Task[None]] = []
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        command, _, number = line.partition(" ")
        if command == "open":
            seen = [0] * int(number)
            tasks = [asyncio.create_task(_listener(port, seen, n)) for n in range(len(seen))]
            ready = await _every_one_has(seen, 1, 60)
            print("ready" if ready else f"not ready: {sorted(seen)[:5]}", flush=True)
        elif command == "close" or not line:
            await _every_one_has(seen, int(number or 0), 10)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            print(json.dumps({"fewest": min(seen, default=0), "most": max(seen, default=0)}))
            sys.stdout.flush()
            if not line:
                return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    get = modes.add_parser("get")
    get.add_argument("--port", type=int, required=True)
    get.add_argument("--connections", type=int, default=100)
    get.add_argument("--seconds", type=float, default=3.0)
    get.add_argument("--expect", type=Path, required=True)
    sse = modes.add_parser("sse")
    sse.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.mode == "get":
        print(json.dumps(run_get(args.port, args.connections, args.seconds, args.expect)))
    else:
        asyncio.run(_sse(args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
