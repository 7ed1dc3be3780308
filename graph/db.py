"""The only module that talks to the Neo4j driver.

Reads go through read routing and writes through write routing, so a cluster spreads
the load. Every query runs with a transaction timeout. Driver errors are translated to
the project's errors here and nowhere else (see `graph.errors`).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import itertools
import logging
import math
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, LiteralString, TypeVar

import orjson
import pytz
from neo4j import (
    READ_ACCESS,
    WRITE_ACCESS,
    AsyncGraphDatabase,
    AsyncTransaction,
    Query,
    RoutingControl,
)
from neo4j import exceptions as neo
from neo4j import spatial as neo_spatial
from neo4j import time as neo_time
from neo4j._data import RecordExporter
from neo4j.auth_management import AsyncAuthManagers
from neo4j.graph import Node, Path, Relationship

from graph import request_context
from graph.cypher import version
from graph.errors import BadUserInput, GraphError, QueryTimeout, ServiceUnavailable
from graph.settings import Settings

log = logging.getLogger(__name__)

Cypher = tuple[LiteralString, dict[str, Any]]
T = TypeVar("T")
_WRITE_ATTEMPTS = 12
# How long a single statement is tried again (`_run`) after what the driver calls
# retryable (a stale pooled connection after a Neo4j restart, a cluster's leader moving,
# Neo4j out of transaction memory for a moment): the driver's own default was 2 s here.
_STATEMENT_RETRY_S = 2.0
# A query's client-side deadline: its transaction timeout plus this (seconds).
_DEADLINE_GRACE_S = 1.0

# The user or password is wrong, or too many wrong attempts locked the user for a while.
_CREDENTIAL_CODES = {
    "Neo.ClientError.Security.Unauthorized",
    "Neo.ClientError.Security.AuthenticationRateLimit",
    "Neo.ClientError.Security.CredentialsExpired",
}

_TIMEOUT_CODES = {
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.TransientError.Transaction.LockClientStopped",
}


class Database:
    """One async driver per process, shared by every request."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        auth: Any = settings.neo4j_auth()
        if settings.uses_local_neo4j:
            # The password file is read again whenever Neo4j refuses it: a service started
            # before the local Neo4j made its password, or after a new one was made, keeps
            # working without a restart.
            async def current_auth() -> tuple[str, str]:
                return settings.neo4j_auth() or ("", "")

            auth = AsyncAuthManagers.basic(current_auth)
        self.driver = AsyncGraphDatabase.driver(
            settings.bolt_uri,
            auth=auth,
            max_connection_pool_size=settings.pool_size,
            connection_timeout=3.0,
            # Under load a request waits its turn for a pooled connection (bounded by the
            # query's deadline) rather than failing; in an outage, no connection can be
            # made and the failure is immediate anyway.
            connection_acquisition_timeout=settings.query_timeout_s,
            notifications_min_severity="OFF",
        )
        self.database = settings.neo4j_database
        # The graph version (epoch, version) this process last advanced to, once committed.
        self.committed: tuple[str, int] | None = None
        # Observers of every query sent (tests count round trips with this).
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []

    async def close(self) -> None:
        await self.driver.close()

    async def read(self, cypher: Cypher) -> list[dict[str, Any]]:
        return await self._run(cypher, RoutingControl.READ)

    async def write(self, cypher: Cypher) -> list[dict[str, Any]]:
        return await self._run(cypher, RoutingControl.WRITE)

    async def ping(self) -> bool:
        try:
            await self.read(("RETURN 1 AS ok", {}))
        except GraphError:
            return False
        return True

    def not_answering(self) -> str:
        """What to tell a person at a terminal when `ping` fails."""
        hint = (
            "start it with `python -m graph.cli neo4j start` (or `make run`)"
            if self.settings.uses_local_neo4j
            else "check NEO4J_URI and the credentials"
        )
        return f"Neo4j at {self.settings.bolt_uri} is not answering: {hint}."

    async def wait_until_ready(self, give_up_after: float | None = None) -> bool:
        """Ping Neo4j until it answers, with exponential backoff (0.5 s doubling to 30 s),
        saying so in the log at each failed attempt. False when `give_up_after` seconds
        passed first; None waits for as long as it takes."""
        started = time.monotonic()
        delay = 0.5
        attempt = 0
        while True:
            attempt += 1
            if await self.ping():
                if attempt > 1:
                    log.info(
                        "Neo4j at %s is answering (after %d attempts, %.1fs)",
                        self.settings.bolt_uri,
                        attempt,
                        time.monotonic() - started,
                    )
                return True
            waited = time.monotonic() - started
            if give_up_after is not None and waited + delay > give_up_after:
                log.error(
                    "Neo4j at %s did not answer in %.0fs (%d attempts); giving up",
                    self.settings.bolt_uri,
                    waited,
                    attempt,
                )
                return False
            log.warning(
                "Neo4j at %s is not answering (attempt %d); retrying in %.1fs",
                self.settings.bolt_uri,
                attempt,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)

    async def transaction(
        self,
        work: Callable[[Transaction], Awaitable[T]],
        timeout_s: float | None = None,
        advance: bool = True,
    ) -> T:
        """Run `work` in one write transaction: all its statements commit together or not
        at all. Transient failures (deadlocks between concurrent writers) are retried with
        backoff, the whole unit of work again. `timeout_s` replaces QUERY_TIMEOUT_S
        for long units of work, such as a bulk ingestion batch.

        Last, before committing, the transaction advances the graph version and stamps
        the Change nodes it recorded with it (graph/cypher/version.py); `advance` false
        only for a restore, which brings its own version node."""
        budget = (timeout_s or self.settings.query_timeout_s) + _DEADLINE_GRACE_S
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                async with (
                    asyncio.timeout(budget),
                    self.driver.session(database=self.database) as session,
                ):
                    tx = await session.begin_transaction(
                        timeout=timeout_s or self.settings.query_timeout_s
                    )
                    try:
                        unit = Transaction(tx, self.listeners)
                        result = await work(unit)
                        stamp = await unit.run((version.ADVANCE, {})) if advance else []
                        await tx.commit()
                        if stamp:
                            self.committed = (stamp[0]["epoch"], stamp[0]["version"])
                        return result
                    finally:
                        if not tx.closed():
                            await tx.close()  # rolls back whatever did not commit
            except neo.TransientError as exc:
                if attempt == _WRITE_ATTEMPTS - 1 or exc.code in _TIMEOUT_CODES:
                    raise _translate(exc) from exc
                await asyncio.sleep(min(1.0, 0.02 * 2**attempt) * (0.5 + random.random()))
            except _FAILURES as exc:
                raise _failure(exc) from exc
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def read_transaction(self, timeout_s: float) -> AsyncIterator[ReadTransaction]:
        """One read transaction for a long read (a backup), rolled back on leaving. Its
        rows come as the driver gives them (see `ReadTransaction`). Neo4j reads are
        read-committed: what other transactions commit meanwhile may be seen."""
        session = self.driver.session(database=self.database, default_access_mode=READ_ACCESS)
        try:
            tx = await session.begin_transaction(timeout=timeout_s)
        except _FAILURES as exc:
            await session.close()
            raise _failure(exc) from exc
        try:
            yield ReadTransaction(tx)
        finally:
            try:
                if not tx.closed():
                    await tx.close()
                await session.close()
            except _FAILURES:
                log.warning("closing a read transaction failed", exc_info=True)

    async def _run(self, cypher: Cypher, routing: RoutingControl) -> list[dict[str, Any]]:
        text, params = cypher
        for listener in self.listeners:
            listener(text, params)
        started = time.perf_counter()
        try:
            # The transaction timeout stops the query in Neo4j; this deadline also bounds
            # what Neo4j cannot stop (connecting, retries during an outage).
            async with asyncio.timeout(self.settings.query_timeout_s + _DEADLINE_GRACE_S):
                for attempt in itertools.count():
                    try:
                        records, keys = await self._statement(text, params, routing)
                        break
                    except (neo.Neo4jError, neo.DriverError) as exc:
                        waited = time.perf_counter() - started
                        if waited > _STATEMENT_RETRY_S or not _worth_retrying(exc):
                            raise
                    await asyncio.sleep(min(0.5, 0.05 * 2**attempt) * (0.5 + random.random()))
        except _FAILURES as exc:
            raise _failure(exc) from exc
        finally:
            request_context.record_neo4j(time.perf_counter() - started)
        return [dict(zip(keys, _values(record), strict=True)) for record in records]

    async def _statement(
        self, text: LiteralString, params: dict[str, Any], routing: RoutingControl
    ) -> tuple[list[Any], list[str]]:
        """One attempt at one statement, in a transaction of its own. Not the driver's
        `execute_query`, whose retries take a refused connection too (about 3 s for each
        query while Neo4j is down); `_run` retries what is worth it. The same bookmarks
        as `execute_query`, so a read sees the writes before it."""
        async with self.driver.session(
            database=self.database,
            default_access_mode=READ_ACCESS if routing == RoutingControl.READ else WRITE_ACCESS,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        ) as session:
            result = await session.run(Query(text, timeout=self.settings.query_timeout_s), params)
            records = [record async for record in result]
            return records, list(result.keys())


def _worth_retrying(exc: neo.Neo4jError | neo.DriverError) -> bool:
    """What the driver would retry, but a query stopped for its time (it would only take
    as long again) and a refused connection: nothing listens on Neo4j's port, so the
    answer is SERVICE_UNAVAILABLE at once rather than after seconds of retrying."""
    if isinstance(exc, neo.Neo4jError) and (exc.code or "") in _TIMEOUT_CODES:
        return False
    return exc.is_retryable() and not _refused(exc)


def _refused(exc: BaseException) -> bool:
    """A ConnectionRefusedError among the causes (the driver wraps it twice)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ConnectionRefusedError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Transaction:
    """The statements of one unit of work (see `Database.transaction`)."""

    def __init__(self, tx: AsyncTransaction, listeners: list) -> None:
        self._tx = tx
        self._listeners = listeners

    async def run(self, cypher: Cypher) -> list[dict[str, Any]]:
        text, params = cypher
        for listener in self._listeners:
            listener(text, params)
        started = time.perf_counter()
        try:
            result = await self._tx.run(text, params)
            return [_native(record.data()) async for record in result]
        finally:
            request_context.record_neo4j(time.perf_counter() - started)


class ReadTransaction:
    """The statements of a `Database.read_transaction`, streamed: rows are fetched as
    they are consumed, never all held at once, with their values as the driver made them
    (temporal values keep their nanoseconds and zones; see `portable`)."""

    def __init__(self, tx: AsyncTransaction) -> None:
        self._tx = tx

    async def rows(self, cypher: Cypher) -> AsyncIterator[dict[str, Any]]:
        text, params = cypher
        try:
            result = await self._tx.run(text, params)
            keys = result.keys()
            async for record in result:
                yield dict(zip(keys, record, strict=True))
        except _FAILURES as exc:
            raise _failure(exc) from exc


_PLAIN = frozenset({str, int, float, bool, type(None), bytes})


def _values(record: Any) -> list[Any]:
    """A record's values as plain Python (a Record is a tuple of them). Most answers hold
    only JSON's own types (maps, lists, text, numbers), which orjson confirms in C about
    ten times faster than the Python walk of `_native` (nested entity on 10^5 entities:
    0.8 ms against 9 ms, bench/FINDINGS.md); anything else it refuses (temporal values,
    nodes, bytes) and the walk converts."""
    values = list(record)
    try:
        orjson.dumps(values)
    except TypeError:  # orjson.JSONEncodeError is one
        return [_native(value) for value in values]
    return values


_EXPORTER = RecordExporter()


def _native(value: Any) -> Any:
    """Driver values as plain Python: neo4j.time types become datetime ones; nodes,
    relationships and paths become what `Record.data()` makes of them. Plain values, the
    bulk of any answer, are passed over without a call."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {k: v if type(v) in _PLAIN else _native(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _PLAIN else _native(v) for v in value]
    if isinstance(value, Node | Relationship | Path):
        return _native(_EXPORTER.transform(value))
    to_native = getattr(value, "to_native", None)
    if to_native is not None:
        return to_native()
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(map(_native, value))
    return value


# What a query or a unit of work can fail with, outside the work's own code.
_FAILURES = (TimeoutError, OSError, neo.Neo4jError, neo.DriverError)
_NOT_IN_TIME = "The graph database did not answer in time; try again shortly."


def _failure(exc: BaseException) -> GraphError:
    """The client's error for one of `_FAILURES` (the order matters: TimeoutError is an
    OSError, ServiceUnavailable and SessionExpired are DriverErrors)."""
    if isinstance(exc, TimeoutError):  # our deadline
        return QueryTimeout(_NOT_IN_TIME)
    if isinstance(exc, neo.ServiceUnavailable | neo.SessionExpired | OSError):
        return ServiceUnavailable("The graph database is unreachable right now; try again shortly.")
    if isinstance(exc, neo.Neo4jError):
        return _translate(exc)
    return ServiceUnavailable(_NOT_IN_TIME)  # any other driver error


def _translate(exc: neo.Neo4jError) -> GraphError:
    code = exc.code or ""
    if code in _TIMEOUT_CODES or "TimedOut" in code:
        return QueryTimeout("The query took too long and was stopped; narrow it and retry.")
    if code.startswith("Neo.TransientError") or code.startswith("Neo.DatabaseError"):
        return ServiceUnavailable("The graph database is busy or unavailable; try again.")
    if code in _CREDENTIAL_CODES:
        log.error("Neo4j refused the credentials (%s)", code)
        return ServiceUnavailable("The graph database is unavailable right now; try again later.")
    if (
        code == "Neo.ClientError.Procedure.ProcedureCallFailed"
        and "fulltext" in str(exc.message or "").lower()
    ):
        return BadUserInput("The search text could not be understood; rephrase it.")
    log.error("unexpected Neo4j error %s", code)
    return GraphError("internal error")


# --- Stored values as JSON, and back (graph.backup) ---------------------------------------
# A property value is a string, number, boolean, or a list of one of them, or a temporal,
# spatial or byte array value, which JSON has no type for: those become {"$": tag, ...}
# (Neo4j stores no maps, so a JSON object in a property's place is always a tag).


def _offset(value: Any) -> int:
    return int(value.utcoffset().total_seconds())


class _FixedOffset(dt.tzinfo):
    """A fixed offset with no zone name, so the driver sends it as an offset (unlike
    pytz's, whose offset 0 is the zone UTC), and which a neo4j Time may carry."""

    def __init__(self, seconds: int) -> None:
        self._delta = dt.timedelta(seconds=seconds)

    def utcoffset(self, _: Any) -> dt.timedelta:
        return self._delta

    def dst(self, _: Any) -> None:
        return None

    def tzname(self, _: Any) -> None:
        return None


def portable(value: Any) -> Any:
    """A property value as the driver gives it, as JSON-ready data that `from_portable`
    turns back into the same Neo4j value (ints stay ints, floats floats)."""
    kind = type(value)
    if kind in (str, int, bool, type(None)):
        return value
    if kind is float:
        # JSON has no NaN or infinity: tagged, as their Python spelling.
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if kind is list:
        return [portable(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return {"$": "bytes", "v": base64.b64encode(value).decode("ascii")}
    if kind is neo_time.Date:
        return {"$": "date", "v": value.iso_format()}
    if kind is neo_time.DateTime:
        wall = value.replace(tzinfo=None).iso_format()
        if value.tzinfo is None:
            return {"$": "localdatetime", "v": wall}
        zone = getattr(value.tzinfo, "zone", None) or getattr(value.tzinfo, "key", None)
        # The driver reads an offset of 0 and the zone UTC alike; kept as an offset.
        if zone and zone != "UTC" and not zone.startswith("Etc/"):
            return {"$": "datetime", "v": wall, "offset": _offset(value), "zone": zone}
        return {"$": "datetime", "v": wall, "offset": _offset(value)}
    if kind is neo_time.Time:
        wall = value.replace(tzinfo=None).iso_format()
        if value.tzinfo is None:
            return {"$": "localtime", "v": wall}
        return {"$": "time", "v": wall, "offset": _offset(value)}
    if kind is neo_time.Duration:
        return {
            "$": "duration",
            "v": [value.months, value.days, value.seconds, value.nanoseconds],
        }
    if isinstance(value, neo_spatial.Point):
        return {"$": "point", "srid": value.srid, "v": list(value)}
    raise TypeError(f"no portable form for a {kind.__name__}")


_POINTS = {
    7203: neo_spatial.CartesianPoint,
    9157: neo_spatial.CartesianPoint,
    4326: neo_spatial.WGS84Point,
    4979: neo_spatial.WGS84Point,
}


def from_portable(data: Any) -> Any:
    """The inverse of `portable`: a value to send as a query parameter."""
    if type(data) is list:
        return [from_portable(v) for v in data]
    if type(data) is not dict:
        return data
    tag = data.get("$")
    if tag == "float":
        return float(data["v"])
    if tag == "bytes":
        return bytearray(base64.b64decode(data["v"]))
    if tag == "date":
        return neo_time.Date.from_iso_format(data["v"])
    if tag == "localdatetime":
        return neo_time.DateTime.from_iso_format(data["v"])
    if tag == "datetime":
        offset = _FixedOffset(data["offset"])
        value = neo_time.DateTime.from_iso_format(data["v"]).replace(tzinfo=offset)
        zone = data.get("zone")
        # pytz, as the driver itself hands named zones back: zoneinfo's C implementation
        # reads the driver's DateTime as if it were a datetime and crashed the process
        # (a segmentation fault in 1 restore in 3).
        return value.astimezone(pytz.timezone(zone)) if zone else value
    if tag == "localtime":
        return neo_time.Time.from_iso_format(data["v"])
    if tag == "time":
        return neo_time.Time.from_iso_format(data["v"]).replace(tzinfo=_FixedOffset(data["offset"]))
    if tag == "duration":
        months, days, seconds, nanoseconds = data["v"]
        return neo_time.Duration(months=months, days=days, seconds=seconds, nanoseconds=nanoseconds)
    if tag == "point" and data.get("srid") in _POINTS:
        return _POINTS[data["srid"]](data["v"])
    raise ValueError(f"not a value this backup format knows: {data!r}")
