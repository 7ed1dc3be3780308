"""The only module that talks to the Neo4j driver.

Reads go through read routing and writes through write routing, so a cluster spreads
the load. Every query runs with a transaction timeout. Driver errors are translated to
the project's errors here and nowhere else (see `graph.errors`).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, LiteralString, TypeVar

from graph.errors import BadUserInput, GraphError, QueryTimeout, ServiceUnavailable
from graph.settings import Settings
from neo4j import AsyncGraphDatabase, AsyncTransaction, Query, RoutingControl
from neo4j import exceptions as neo

log = logging.getLogger(__name__)

Cypher = tuple[LiteralString, dict[str, Any]]
T = TypeVar("T")
_WRITE_ATTEMPTS = 12

_TIMEOUT_CODES = {
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.TransientError.Transaction.LockClientStopped",
}


class Database:
    """One async driver per process, shared by every request."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        auth = (
            (settings.neo4j_username, settings.neo4j_password) if settings.neo4j_password else None
        )
        self.driver = AsyncGraphDatabase.driver(
            settings.bolt_uri,
            auth=auth,
            max_connection_pool_size=settings.pool_size,
            connection_timeout=3.0,
            connection_acquisition_timeout=min(5.0, settings.query_timeout_s),
            max_transaction_retry_time=2.0,
            notifications_min_severity="OFF",
        )
        self.database = settings.neo4j_database
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

    async def transaction(
        self, work: Callable[[Transaction], Awaitable[T]], timeout_s: float | None = None
    ) -> T:
        """Run `work` in one write transaction: all its statements commit together or not
        at all. Transient failures (deadlocks between concurrent writers) are retried with
        backoff, the whole unit of work again. `timeout_s` replaces QUERY_TIMEOUT_S
        for long units of work, such as a bulk ingestion batch."""
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                async with self.driver.session(database=self.database) as session:
                    tx = await session.begin_transaction(
                        timeout=timeout_s or self.settings.query_timeout_s
                    )
                    try:
                        result = await work(Transaction(tx, self.listeners))
                        await tx.commit()
                        return result
                    finally:
                        if not tx.closed():
                            await tx.close()  # rolls back whatever did not commit
            except neo.TransientError as exc:
                if attempt == _WRITE_ATTEMPTS - 1 or exc.code in _TIMEOUT_CODES:
                    raise _translate(exc) from exc
                await asyncio.sleep(min(1.0, 0.02 * 2**attempt) * (0.5 + random.random()))
            except (neo.ServiceUnavailable, neo.SessionExpired, OSError) as exc:
                raise ServiceUnavailable(
                    "The graph database is unreachable right now; try again shortly."
                ) from exc
            except neo.Neo4jError as exc:
                raise _translate(exc) from exc
            except neo.DriverError as exc:
                raise ServiceUnavailable(
                    "The graph database did not answer in time; try again shortly."
                ) from exc
        raise AssertionError("unreachable")

    async def _run(self, cypher: Cypher, routing: RoutingControl) -> list[dict[str, Any]]:
        text, params = cypher
        for listener in self.listeners:
            listener(text, params)
        try:
            records, _, _ = await self.driver.execute_query(
                Query(text, timeout=self.settings.query_timeout_s),
                params,
                routing_=routing,
                database_=self.database,
            )
        except (neo.ServiceUnavailable, neo.SessionExpired, OSError) as exc:
            raise ServiceUnavailable(
                "The graph database is unreachable right now; try again shortly."
            ) from exc
        except neo.Neo4jError as exc:
            raise _translate(exc) from exc
        except neo.DriverError as exc:
            raise ServiceUnavailable(
                "The graph database did not answer in time; try again shortly."
            ) from exc
        return [_native(record.data()) for record in records]


class Transaction:
    """The statements of one unit of work (see `Database.transaction`)."""

    def __init__(self, tx: AsyncTransaction, listeners: list) -> None:
        self._tx = tx
        self._listeners = listeners

    async def run(self, cypher: Cypher) -> list[dict[str, Any]]:
        text, params = cypher
        for listener in self._listeners:
            listener(text, params)
        result = await self._tx.run(text, params)
        return [_native(record.data()) async for record in result]


def _native(value: Any) -> Any:
    """Driver values as plain Python: neo4j.time types become datetime ones."""
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_native(v) for v in value]
    to_native = getattr(value, "to_native", None)
    return to_native() if to_native is not None else value


def _translate(exc: neo.Neo4jError) -> GraphError:
    code = exc.code or ""
    if code in _TIMEOUT_CODES or "TimedOut" in code:
        return QueryTimeout("The query took too long and was stopped; narrow it and retry.")
    if code.startswith("Neo.TransientError") or code.startswith("Neo.DatabaseError"):
        return ServiceUnavailable("The graph database is busy or unavailable; try again.")
    if (
        code == "Neo.ClientError.Procedure.ProcedureCallFailed"
        and "fulltext" in str(exc.message or "").lower()
    ):
        return BadUserInput("The search text could not be understood; rephrase it.")
    log.error("unexpected Neo4j error %s", code)
    return GraphError("internal error")
