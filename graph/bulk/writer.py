"""One batch of rows, written in one transaction through the upserts of
graph/cypher/writes.py: entities grouped by kind first, then relationships by type.

Ids are first mapped through redirects (one read in the same transaction), so a row that
names a merged entity lands on its survivor; the survivor keeps its name and gains the
row's as an alias. Rows the database refuses (an id that belongs to another kind, an end
that is missing) come back located: the file and line they came from, and why.

A guarded write (`guard`, the seed's) never replaces what someone else set: of each
existing fact it writes only the properties it lacks and those whose value still comes
from the guard's owner (`_setBy`, see graph/cypher/writes.py; for a property set before
`_setBy` was kept, when every provenance entry of the fact is the owner's source).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.bulk import fold
from graph.bulk.records import Input, Record
from graph.cypher import bulk, writes
from graph.db import Database, Transaction
from graph.domain import Kind

ENTITIES, RELATIONSHIPS = "entities", "relationships"
# A batch is far more work than an API query (QUERY_TIMEOUT_S), and its first run also
# compiles one query per kind and type it holds.
BATCH_TIMEOUT_S = 300.0


@dataclass(slots=True)
class Row:
    target: str  # ENTITIES or RELATIONSHIPS
    group: Kind | str  # the entity kind, or the relationship type
    data: dict[str, Any]  # a row for the upsert (graph.facts.entity_row / relationship_row)
    origin: Input
    record: Record


def _redirected(target: str, data: dict[str, Any], survivors: dict[str, dict]) -> dict:
    if target == RELATIONSHIPS:
        if data["from"] not in survivors and data["to"] not in survivors:
            return data
        moved = {**data}
        for end in ("from", "to"):
            if data[end] in survivors:
                moved[end] = survivors[data[end]]["survivor"]
        return moved
    survivor = survivors.get(data["id"])
    if survivor is None:
        return data
    aliases = list(dict.fromkeys([*data["aliases"], data["name"]]))
    return {**data, "id": survivor["survivor"], "name": survivor["name"], "aliases": aliases}


def _located(target: str, rejected: list[dict], members: list[Row], sent: list[dict]) -> list:
    """Each refused row with where it came from (by its ids as sent)."""
    ends = ("id",) if target == ENTITIES else ("from", "to")
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for i, data in enumerate(sent):
        by_key[tuple(data[e] for e in ends)].append(i)
    located = []
    for refusal in rejected:
        places = by_key.get(tuple(refusal.get(e) for e in ends)) or []
        row = members[places.pop(0)] if places else None
        entry = {**refusal, "target": target}
        if row is not None:
            entry["where"] = row.origin.where(row.record)
            entry["line"] = row.record.line
            original = {e: row.data[e] for e in ends}
            if any(original[e] != refusal.get(e) for e in ends):
                entry["reason"] += f" (the row names {original}, merged into it)"
        located.append(entry)
    return located


@dataclass(frozen=True, slots=True)
class Guard:
    """Writes of `source` that came `via` (the seed: its source id, "seed") may replace
    their own earlier values, and nobody else's."""

    source: str
    via: str

    def writable(self, state: dict[str, Any]) -> Callable[[str], bool]:
        """For one existing fact (keys, setBy, prov): may a property be written?"""
        present = set(state["keys"])
        owners = dict(entry.split("|", 1) for entry in state["setBy"] or [])
        own = f"{self.source}|{self.via}"
        only_ours = all(p.split("|", 1)[0] == self.source for p in state["prov"] or [])

        def ok(key: str) -> bool:
            if key not in present:
                return True
            if key in owners:
                return owners[key] == own
            return only_ours

        return ok


async def _guarded(
    tx: Transaction, guard: Guard, target: str, group: Kind | str, sent: list[dict]
) -> list[dict]:
    """`sent` with what the guard may not replace left out (one read, same transaction)."""
    states: dict[Any, dict[str, Any]]
    if target == ENTITIES:
        rows = await tx.run(bulk.entity_state([d["id"] for d in sent]))
        states = {r["id"]: r for r in rows}
    else:
        pairs = [[d["from"], d["to"]] for d in sent]
        rows = await tx.run(bulk.relationship_state(str(group), pairs))
        states = {(r["from"], r["to"]): r for r in rows}
    out = []
    for data in sent:
        state = states.get(data["id"] if target == ENTITIES else (data["from"], data["to"]))
        if state is None:
            out.append(data)
            continue
        ok = guard.writable(state)
        # What it may write, it writes as a new release of its source: its claims replace
        # its own earlier ones (graph/claims.py, `supersede`).
        kept = {
            **data,
            "props": {k: v for k, v in data["props"].items() if ok(k)},
            "supersede": True,
        }
        if target == ENTITIES and not ok("name"):
            kept["name"] = state["name"]
            kept["keepName"] = True  # nor does it claim the name it may not write
        out.append(kept)
    return out


def _named_once(target: str, sent: list[dict]) -> list[int]:
    """Positions of the rows whose fact no other row of the group names."""
    keys = [d["id"] if target == ENTITIES else (d["from"], d["to"]) for d in sent]
    times: dict[Any, int] = defaultdict(int)
    for key in keys:
        times[key] += 1
    return [i for i, key in enumerate(keys) if times[key] == 1]


async def _create_new(
    tx: Transaction, target: str, group: Kind | str, sent: list[dict], recorded: dict
) -> set[int]:
    """The fast path (graph/cypher/writes.py, `create_entities`): the rows named once in
    the group, folded in Python as new facts (graph/bulk/fold.py) and created if the store
    does not hold them; returns the positions in `sent` of the rows it created."""
    changes = {"create": recorded["createdChange"], "update": recorded["updatedChange"]}
    via = recorded["via"]
    rows = []
    for i in _named_once(target, sent):
        data = sent[i]
        if target == ENTITIES:
            fact, written = fold.entity(None, Kind(group).value, data, via, changes)
            rows.append({"i": i, "id": data["id"], "fact": fact})
        else:
            fact, written = fold.relationship(None, str(group), data, via, changes)
            rows.append({"i": i, "from": data["from"], "to": data["to"], "fact": fact})
        if written.conflicts:  # one row, one value per property: never, but not assumed
            rows.pop()
    if not rows:
        return set()
    if target == ENTITIES:
        cypher = writes.create_entities(Kind(group), rows)
    else:
        cypher = writes.create_relationships(str(group), rows)
    [result] = await tx.run(cypher)
    return set(result["created"])


def _note(target: str, group: Kind | str, members: list[Row]) -> str:
    """What a batch's Change says it was: how many rows of what, from where."""
    what = group.value if isinstance(group, Kind) else group
    places = sorted({m.origin.name for m in members})
    noun = "entity" if target == ENTITIES else "relationship"
    return f"bulk ingestion: a batch of {len(members)} {what} {noun} rows from " + ", ".join(places)


async def write_batch(
    db: Database,
    rows: list[Row],
    change: dict[str, Any],
    guard: Guard | None = None,
    fast: bool = True,
) -> list[tuple[str, dict[str, Any]]]:
    """Writes `rows` in one transaction; returns (ENTITIES | RELATIONSHIPS, upsert result)
    for each group, in the order written. `fast`: facts the store does not hold yet are
    created directly (`_create_new`) unless a guard asks for the upserts' comparison."""
    groups: dict[tuple[str, Kind | str], list[Row]] = {}
    ids: set[str] = set()
    for row in rows:
        groups.setdefault((row.target, row.group), []).append(row)
        if row.target == ENTITIES:
            ids.add(row.data["id"])
        else:
            ids.add(row.data["from"])
            ids.add(row.data["to"])
    order = sorted(groups, key=lambda key: key[0] != ENTITIES)

    async def work(tx: Transaction) -> list[tuple[str, dict, list[Row], list[dict]]]:
        survivors = {r["id"]: r for r in await tx.run(bulk.redirects(sorted(ids)))}
        done = []
        for target, group in order:
            members = groups[(target, group)]
            sent = [_redirected(target, m.data, survivors) for m in members]
            if guard is not None:
                sent = await _guarded(tx, guard, target, group, sent)
            recorded = writes.batch_change(change, _note(target, group, members), sent)
            created: set[int] = set()
            if fast and guard is None:
                created = await _create_new(tx, target, group, sent, recorded)
                recorded["alsoCreated"] = len(created)
            rest = [d for i, d in enumerate(sent) if i not in created] if created else sent
            if not rest:
                cypher = writes.record_batch(group, recorded)
            elif target == ENTITIES:
                cypher = writes.upsert_entities(Kind(group), rest, recorded)
            else:
                cypher = writes.upsert_relationships(str(group), rest, recorded)
            [result] = await tx.run(cypher)
            if created:
                result = {
                    **result,
                    "written": result["written"] + len(created),
                    "created": result["created"] + len(created),
                }
            done.append((target, result, members, sent))
        return done

    results = []
    for target, result, members, sent in await db.transaction(work, timeout_s=BATCH_TIMEOUT_S):
        if result["rejected"]:
            result = {**result, "rejected": _located(target, result["rejected"], members, sent)}
        results.append((target, result))
    return results
