"""The change feed of one worker process: one poller reads the Change nodes committed
since it last looked, in `seq` (commit) order, and hands each to every subscriber of
this process. However many clients subscribe, a worker sends Neo4j one small query per
poll interval (two when something committed), and hears writes made through any worker
or service instance, since they all commit to the same graph version
(graph/cypher/version.py). There is no broker besides Neo4j.

A subscriber that gives `after` (the last seq it saw, e.g. before a reconnect) is first
sent what committed after it, read by itself from Neo4j, then the live events: it joins
the live feed before reading that backlog, and drops live events the backlog already
held, so nothing falls between the two. A backlog holds at most `max_replay` changes
(SUBSCRIPTION_MAX_REPLAY): past that the subscription is refused before any event is
sent (ReplayTooLong, REPLAY_TOO_LONG), since reading the state again and subscribing
after its version costs less than replaying the log, and `after: 0` from anyone would
otherwise make a worker send the whole history.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from graph.cypher import version
from graph.cypher.changes import changes_after
from graph.db import Database
from graph.errors import GraphError, ReplayTooLong, TooManySubscriptions

log = logging.getLogger(__name__)

# Changes read per query: a poll (or a backlog) past this goes on at once with the next.
PAGE = 500
# Events a slow subscriber may have waiting before it is dropped (it may resume `after`).
QUEUE = 10_000


class _Ended:
    """Put on a subscriber's queue when the feed stops or drops it."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class ChangeFeed:
    def __init__(
        self, db: Database, poll_s: float, max_subscribers: int, max_replay: int = 1000
    ) -> None:
        self.db = db
        self.poll_s = poll_s
        self.max_subscribers = max_subscribers
        self.max_replay = max_replay
        self._queues: set[asyncio.Queue] = set()
        self._members = 0  # subscriptions, those still waiting for the first poll included
        self._task: asyncio.Task | None = None
        self._position: int | None = None  # the last seq handed out
        self._ready = asyncio.Event()
        self._closed = False

    @property
    def subscribers(self) -> int:
        return self._members

    async def close(self) -> None:
        """Ends every subscription (their clients get `complete`) and stops polling."""
        self._closed = True
        for queue in list(self._queues):
            queue.put_nowait(_Ended("the service is shutting down"))
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def subscribe(self, after: int | None = None) -> AsyncIterator[dict[str, Any]]:
        """Change records (properties of Change nodes) committed after `after`, or from
        now on, in seq order, until the feed closes."""
        if self._closed:
            return
        if self._members >= self.max_subscribers:
            raise TooManySubscriptions(self.max_subscribers)
        self._members += 1
        queue: asyncio.Queue = asyncio.Queue(QUEUE)
        try:
            self._start()
            await self._ready.wait()
            # Joined and positioned at once (no await between): every change after
            # `upto` reaches the queue, the backlog reads every one up to it.
            self._queues.add(queue)
            upto = self._position or 0
            if after is not None and after < upto:
                for change in await self._backlog(max(after, 0), upto):
                    yield change
            while True:
                item = await queue.get()
                if isinstance(item, _Ended):
                    return
                if item["seq"] > upto:
                    yield item
        finally:
            self._members -= 1
            self._queues.discard(queue)
            if not self._members:
                await self._stop()

    async def _backlog(self, after: int, upto: int) -> list[dict[str, Any]]:
        """The changes of the commits after `after` up to `upto`; ReplayTooLong when
        there are more than `max_replay` (read no further than one page past it)."""
        found: list[dict[str, Any]] = []
        async for change in self._pages(after, upto):
            found.append(change)
            if len(found) > self.max_replay:
                raise ReplayTooLong(self.max_replay, after, upto)
        return found

    async def _pages(self, after: int, upto: int) -> AsyncIterator[dict[str, Any]]:
        """Every change of the commits after `after` up to `upto`, page by page."""
        seq, change_id = after, None
        while True:
            rows = await self.db.read(changes_after(seq, change_id, upto, PAGE))
            for row in rows:
                yield row["change"]
            if len(rows) < PAGE:
                return
            seq, change_id = rows[-1]["change"]["seq"], rows[-1]["change"]["id"]

    def _start(self) -> None:
        if self._task is None:
            self._ready.clear()
            self._task = asyncio.create_task(self._poll(), name="change-feed")

    async def _stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _poll(self) -> None:
        self._position = None
        while True:
            try:
                await self._poll_once()
                self._ready.set()
            except GraphError as error:
                log.warning("change feed: polling Neo4j failed (%s); trying again", error)
            await asyncio.sleep(self.poll_s)

    async def _poll_once(self) -> None:
        rows = await self.db.read((version.CURRENT, {}))
        current = rows[0]["version"] if rows else 0
        if self._position is None or current < self._position:
            # First look, or the database was emptied (a new epoch counts from 0 again).
            self._position = current
            return
        if current > self._position:
            async for change in self._pages(self._position, current):
                self._publish(change)
            # Commits that recorded no change advance the version too.
            self._position = current

    def _publish(self, change: dict[str, Any]) -> None:
        # A subscriber joining now reads this commit whole in its backlog, and skips it here.
        self._position = change["seq"]
        for queue in list(self._queues):
            try:
                queue.put_nowait(change)
            except asyncio.QueueFull:
                self._queues.discard(queue)
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
                queue.put_nowait(_Ended("too far behind; resume with `after`"))
