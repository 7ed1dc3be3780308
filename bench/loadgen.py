"""The load generator: a separate process that sends a fixed number of requests at a
fixed concurrency, after a warm-up, and measures each one.

    .venv/bin/python -m bench.loadgen PLAN.json RESULTS.json

PLAN.json lists cells {system, query, concurrency, requests, warmup} and, per system,
how to reach it: an HTTP GraphQL endpoint (a POST with a JSON body), `raw`: the Cypher
this service sends, replayed through the Python driver with no HTTP or GraphQL, or
`cached`: this service asked with GET and the `If-None-Match` of its first answer, as a
browser or CDN revalidates (a `304 Not Modified` is the success there).

The HTTP client is a few lines of asyncio over keep-alive connections (one per
concurrent client), so the load generator costs little CPU of the 2 cores it shares
with the systems it measures. An answer counts as an error when the status is not 200,
the body is not JSON, it has `errors`, or its `data` is null.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
from neo4j import AsyncGraphDatabase, Query, RoutingControl


@dataclass
class Cell:
    system: str
    query: str
    concurrency: int
    requests: int
    ok: int
    errors: int
    seconds: float
    throughput: float  # successful requests per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    first_error: str | None = None


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


class HttpConnection:
    """One keep-alive HTTP/1.1 connection that POSTs JSON (or GETs) and reads the answer."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = parts.path or "/"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, body: bytes) -> tuple[int, bytes]:
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        status, _, payload = await self.send(head + body)
        return status, payload

    async def get(self, query: str, etag: str | None) -> tuple[int, str | None, bytes]:
        """GET path?query (already encoded), revalidating `etag` when given; returns the
        status, the answer's ETag and its body."""
        head = (
            f"GET {self.path}?{query} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Accept: application/json\r\n" + (f"If-None-Match: {etag}\r\n" if etag else "") + "\r\n"
        ).encode()
        return await self.send(head)

    async def send(self, request: bytes) -> tuple[int, str | None, bytes]:
        """One request; on a kept-alive connection the server closed meanwhile (nothing
        came back), once more on a new one, as HTTP clients do."""
        reused = self.writer is not None
        try:
            return await self._send(request)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
        return await self._send(request)

    async def _send(self, request: bytes) -> tuple[int, str | None, bytes]:
        if self.writer is None:
            await self._connect()
        self.writer.write(request)
        reader = self.reader
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        length, chunked, close, etag = None, False, False, None
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
            elif name == b"etag":
                etag = value.strip().decode()
        if chunked:
            parts = []
            while True:
                size = int((await reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await reader.readline()
                    break
                parts.append(await reader.readexactly(size))
                await reader.readline()
            payload = b"".join(parts)
        elif length is not None:
            payload = await reader.readexactly(length)
        elif status == 304:
            payload = b""
        else:
            payload = await reader.read()
            close = True
        if close:
            self.close()
        return status, etag, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _check(status: int, payload: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {payload[:200]!r}"
    try:
        answer = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return f"not JSON: {payload[:200]!r}"
    if answer.get("errors"):
        return f"errors: {str(answer['errors'])[:300]}"
    if answer.get("data") is None:
        return "data is null"
    return None


async def _run_cell(send, concurrency: int, requests: int, warmup: int) -> tuple:
    """`send()` makes one request and returns an error text or None."""
    latencies: list[float] = []
    errors: list[str] = []

    async def worker(counter: list[int], total: int, record: bool) -> None:
        while counter[0] < total:
            counter[0] += 1
            t0 = time.perf_counter()
            try:
                err = await send()
            except Exception as exc:  # a dropped connection, a driver error
                err = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - t0
            if record:
                if err is None:
                    latencies.append(elapsed)
                else:
                    errors.append(err)

    if warmup:
        counter = [0]
        await asyncio.gather(*(worker(counter, warmup, False) for _ in range(concurrency)))
    counter = [0]
    started = time.perf_counter()
    await asyncio.gather(*(worker(counter, requests, True) for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, errors


async def _run_pooled(url: str, ask, concurrency: int, requests: int, warmup: int):
    """A cell over one keep-alive connection per concurrent client: `ask(conn)` makes one
    request and returns an error text or None."""
    pool: asyncio.Queue[HttpConnection] = asyncio.Queue()
    for _ in range(concurrency):
        pool.put_nowait(HttpConnection(url))

    async def send() -> str | None:
        conn = await pool.get()
        try:
            return await ask(conn)
        except Exception:
            conn.close()
            raise
        finally:
            pool.put_nowait(conn)

    try:
        return await _run_cell(send, concurrency, requests, warmup)
    finally:
        while not pool.empty():
            pool.get_nowait().close()


async def run_http(url: str, body: bytes, concurrency: int, requests: int, warmup: int):
    async def ask(conn: HttpConnection) -> str | None:
        return _check(*await conn.post(body))

    return await _run_pooled(url, ask, concurrency, requests, warmup)


async def run_cached(url: str, query: str, concurrency: int, requests: int, warmup: int):
    """GET with `If-None-Match`: the ETag comes from one first GET, and every measured
    answer must be `304 Not Modified` (the graph does not change during the run)."""
    first = HttpConnection(url)
    try:
        status, etag, payload = await first.get(query, None)
    finally:
        first.close()
    if _check(status, payload) or not etag:
        raise SystemExit(f"GET {url}: no cacheable answer ({status}, ETag {etag})")

    async def ask(conn: HttpConnection) -> str | None:
        status, _, payload = await conn.get(query, etag)
        return None if status == 304 else f"HTTP {status}: {payload[:200]!r}"

    return await _run_pooled(url, ask, concurrency, requests, warmup)


async def run_raw(
    driver, database: str, cypher: list, concurrency: int, requests: int, warmup: int
):
    async def send() -> str | None:
        for text, params in cypher:
            # Every record is received and decoded (the query is eager), and nothing more
            # is done with it: the floor.
            await driver.execute_query(
                Query(text, timeout=60.0), params, routing_=RoutingControl.READ, database_=database
            )
        return None

    return await _run_cell(send, concurrency, requests, warmup)


def _cell(system: str, query: str, concurrency: int, outcome: tuple) -> Cell:
    seconds, latencies, errors = outcome
    ordered = sorted(x * 1000 for x in latencies)
    return Cell(
        system=system,
        query=query,
        concurrency=concurrency,
        requests=len(latencies) + len(errors),
        ok=len(latencies),
        errors=len(errors),
        seconds=seconds,
        throughput=len(latencies) / seconds if seconds else 0.0,
        p50_ms=percentile(ordered, 0.50),
        p95_ms=percentile(ordered, 0.95),
        p99_ms=percentile(ordered, 0.99),
        mean_ms=sum(ordered) / len(ordered) if ordered else float("nan"),
        first_error=errors[0] if errors else None,
    )


def _decode(params: Any) -> Any:
    """Plan files carry dates as {"$date": iso}."""
    import datetime as dt

    if isinstance(params, dict):
        if set(params) == {"$date"}:
            return dt.date.fromisoformat(params["$date"])
        return {k: _decode(v) for k, v in params.items()}
    if isinstance(params, list):
        return [_decode(v) for v in params]
    return params


async def run_plan(plan: dict[str, Any], out_path: str) -> list[Cell]:
    systems = plan["systems"]
    raw = systems.get("raw")
    driver = None
    if raw:
        driver = AsyncGraphDatabase.driver(
            raw["uri"],
            # The bench Neo4j's credentials, from bench.run (environment, not the plan).
            auth=(
                (os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ["NEO4J_PASSWORD"])
                if os.environ.get("NEO4J_PASSWORD")
                else None
            ),
            max_connection_pool_size=raw.get("pool", 100),
            notifications_min_severity="OFF",
        )
    cells: list[Cell] = []
    try:
        for item in plan["cells"]:
            system, query, c = item["system"], item["query"], item["concurrency"]
            spec = plan["queries"][query]
            if system == "raw":
                outcome = await run_raw(
                    driver,
                    raw.get("database", "neo4j"),
                    _decode(spec["cypher"]),
                    c,
                    item["requests"],
                    item["warmup"],
                )
            elif system == "cached":
                document, variables = spec[systems[system]["document"]]
                encoded = urlencode({"query": document, "variables": orjson.dumps(variables)})
                outcome = await run_cached(
                    systems[system]["url"], encoded, c, item["requests"], item["warmup"]
                )
            else:
                document, variables = spec[systems[system]["document"]]
                body = orjson.dumps({"query": document, "variables": variables})
                outcome = await run_http(
                    systems[system]["url"], body, c, item["requests"], item["warmup"]
                )
            cell = _cell(system, query, c, outcome)
            cells.append(cell)
            print(
                f"{system:>14} {query:<14} c={c:<3} {cell.throughput:8.1f} req/s  "
                f"p50 {cell.p50_ms:8.1f}  p95 {cell.p95_ms:8.1f}  p99 {cell.p99_ms:8.1f} ms  "
                f"errors {cell.errors}" + (f"  ({cell.first_error[:120]})" if cell.errors else ""),
                flush=True,
            )
            with open(out_path, "w") as out:  # noqa: ASYNC230 (between cells, a small file)
                json.dump([asdict(c) for c in cells], out, indent=1)
    finally:
        if driver is not None:
            await driver.close()
    return cells


def main() -> None:
    plan_path, out_path = sys.argv[1], sys.argv[2]
    with open(plan_path) as f:
        plan = json.load(f)
    asyncio.run(run_plan(plan, out_path))


if __name__ == "__main__":
    main()
