"""The duplicate finder's blocking keys (`_dupKeys`, graph/matching/names.py), kept on
every entity: written with its names by every upsert and merge, and here given to
entities that lack them (a store written before they existed, a restored backup) or
made again for all when the rules that make them change (`KEYS_VERSION`)."""

from __future__ import annotations

from graph.cypher import duplicates
from graph.db import Database
from graph.matching.names import KEYS_VERSION, entity_keys

BATCH = 5_000


async def refresh_keys(db: Database, batch: int = BATCH) -> int:
    """Gives keys to the entities that need them, in batches (each its own transaction);
    returns how many entities it wrote."""
    [state] = await db.read(duplicates.KEYS_STATE)
    if not state["entities"]:
        return 0  # an empty store (a restore about to write one): nothing to key yet
    every = state["version"] != KEYS_VERSION
    after, written = "", 0
    while True:
        rows = await db.read(duplicates.names_after(after, batch, missing_only=not every))
        if not rows:
            break
        keyed = [
            {
                "id": row["id"],
                "keys": entity_keys(
                    row["name"] or "",
                    row["aliases"],
                    row["nameZh"] if isinstance(row["nameZh"], str) else None,
                ),
            }
            for row in rows
        ]
        await db.write(duplicates.set_keys(keyed))
        written += len(rows)
        after = rows[-1]["id"]
    if every:
        await db.write(duplicates.record_keys_version(KEYS_VERSION))
    return written
