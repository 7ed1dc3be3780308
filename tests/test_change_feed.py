"""The change feed (graph/subscriptions/feed.py) against the real Neo4j: writes committed
through any Database (another worker, another instance) reach every subscriber in
commit order; a subscriber resumes after the last seq it saw; the worker's limit holds."""

import asyncio
import contextlib
import datetime as dt

import pytest

from graph.cypher import changes
from graph.db import Database
from graph.errors import TooManySubscriptions
from graph.subscriptions.feed import ChangeFeed


def _change(subject: str) -> dict:
    return {"action": "update", "target": "entity", "subject": subject, "type": "ORGANIZATION"}


async def _record(db: Database, subject: str) -> None:
    change = {"by": "feed-test", "via": "api", "at": dt.datetime.now(dt.UTC)}

    async def work(tx):
        await tx.run(changes.record_change(change, _change(subject)))

    await db.transaction(work)


async def _take(stream, count: int, prefix: str) -> list[dict]:
    got: list[dict] = []
    async with contextlib.aclosing(stream):
        async for change in stream:
            if (change.get("subject") or "").startswith(prefix):
                got.append(change)
                if len(got) == count:
                    break
    return got


def test_writes_through_another_database_reach_every_subscriber_in_order(settings):
    async def scenario():
        reader, writer = Database(settings), Database(settings)
        feed = ChangeFeed(reader, poll_s=0.05, max_subscribers=2)
        try:
            first = asyncio.create_task(_take(feed.subscribe(), 3, "feed-a"))
            second = asyncio.create_task(_take(feed.subscribe(), 3, "feed-a"))
            await asyncio.sleep(0.5)
            with pytest.raises(TooManySubscriptions):
                await anext(feed.subscribe())
            for i in range(3):
                await _record(writer, f"feed-a{i}")
            got = await asyncio.wait_for(asyncio.gather(first, second), 20)
            for seen in got:
                assert [c["subject"] for c in seen] == ["feed-a0", "feed-a1", "feed-a2"]
                seqs = [c["seq"] for c in seen]
                assert seqs == sorted(seqs)
                assert len(set(seqs)) == 3
            # Resume: after the first seq, the two later changes come from the backlog.
            resumed = await asyncio.wait_for(
                _take(feed.subscribe(after=got[0][0]["seq"]), 2, "feed-a"), 20
            )
            assert [c["subject"] for c in resumed] == ["feed-a1", "feed-a2"]
        finally:
            await feed.close()
            await writer.write(
                ("MATCH (c:Change) WHERE c.subject STARTS WITH 'feed-' DELETE c", {})
            )
            await reader.close()
            await writer.close()

    asyncio.run(scenario())
