"""`retractSource` and `restoreSource` (admin), and what a source asserts (README.md,
"Retracting a source").

A retraction is one transaction: every fact the source asserts is read under its write
lock, those asserted by it alone are removed (an entity stays while another source's
relationship still joins it), the others are rewritten without its provenance, its claims
and the values shown only on its word (graph/claims.py, `without_source`); each fact's
state before is kept on a `Retraction` node, so `restoreSource` can give everything back,
and each change is recorded in history."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

import strawberry
from strawberry.types import Info

from graph import claims
from graph.auth.guard import authorize
from graph.bulk.report import change_record
from graph.cypher import conflicts as conflicts_q
from graph.cypher import retraction as q
from graph.cypher.nodes import relationship_id
from graph.cypher.plan import MAX_LIST
from graph.db import Transaction
from graph.domain import LABELS, RELATIONSHIP_TYPES, Kind
from graph.errors import Forbidden
from graph.resolvers import cursors
from graph.resolvers.arguments import check_range
from graph.types.connections import CollectionEdge, Connection, PageInfo
from graph.types.mutations import ForbiddenError, conflict, forbidden, not_found, validation
from graph.types.retraction import AssertedEntity, AssertedRelationship, Retraction

# A retraction or restoration is one transaction: a source asserting more facts than
# this is refused (with what to do) rather than half done.
MAX_FACTS = 50_000


class _Refused(Exception):
    def __init__(self, result: Any) -> None:
        self.result = result


# --- snapshots: a fact's properties as JSON, dates kept as dates -----------------------


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if hasattr(value, "to_native"):  # the driver's neo4j.time values
        return _encode(value.to_native())
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$date" in value:
        return dt.date.fromisoformat(value["$date"])
    if isinstance(value, dict) and "$datetime" in value:
        return dt.datetime.fromisoformat(value["$datetime"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _props(props: dict[str, Any]) -> dict[str, Any]:
    return {k: _decode(v) for k, v in props.items()}


async def _admin(info: Info) -> Any:
    try:
        return await authorize(info, "admin")
    except Forbidden as exc:
        return forbidden(exc.message)


async def _check_source(tx: Transaction, source_id: str, retracted: bool) -> None:
    rows = await tx.run(q.source_state(source_id))
    if not rows:
        raise _Refused(not_found("source", source_id))
    if rows[0]["retracted"] != retracted:
        raise _Refused(
            conflict(
                f"source {source_id!r} is already retracted; restoreSource gives it back"
                if not retracted
                else f"source {source_id!r} is not retracted; nothing to restore"
            )
        )


def _too_many(source_id: str, what: str) -> Any:
    return validation(
        [
            f"source {source_id!r} asserts more than {MAX_FACTS:,} {what}: too many for one "
            "transaction; retract it with the bulk tools or split it"
        ]
    )


def _changes(
    change: dict[str, Any], action: str, source_id: str, entries: list[dict[str, Any]]
) -> tuple[str, dict[str, Any]]:
    """One Change per fact touched, created in one statement."""
    return (
        "UNWIND $entries AS e "
        "CREATE (:Change:Unsequenced {id: randomUUID(), at: $at, by: $by, via: $via, "
        "  action: $action, target: e.target, subject: e.subject, object: e.object, "
        "  type: e.type, provenance: e.provenance, note: e.note}) "
        "RETURN count(*) AS recorded",
        {**change, "action": action, "entries": entries, "source": source_id},
    )


async def retract(info: Info, source_id: str, reason: str | None, dry_run: bool):
    principal = await _admin(info)
    if isinstance(principal, ForbiddenError):
        return principal
    change = change_record(principal.subject, "api")

    async def work(tx: Transaction) -> dict[str, Any]:
        await _check_source(tx, source_id, retracted=False)
        [found] = await tx.run(q.everything_asserted(source_id, MAX_FACTS + 1))
        if len(found["entities"]) > MAX_FACTS:
            raise _Refused(_too_many(source_id, "entities"))
        if len(found["relationships"]) > MAX_FACTS:
            raise _Refused(_too_many(source_id, "relationships"))
        claims_taken = 0
        drop_rels, kept_rels, entries, snapshot, conflict_ids = [], [], [], [], []
        for rel in found["relationships"]:
            after = claims.without_source(rel["props"], rel["type"], source_id)
            claims_taken += len(rel["props"].get("_claims") or []) - len(after.get("_claims", []))
            target = relationship_id(rel["from"], rel["type"], rel["to"])
            gone = not after.get("_prov")
            if gone:
                drop_rels.append(rel["rid"])
            else:
                kept_rels.append({"rid": rel["rid"], "props": after})
            still = set() if gone else set(claims.contested(after, rel["type"]))
            conflict_ids += [
                f"{target}#{g}" for g in claims.groups_of(rel["type"]) if g not in still
            ]
            snapshot.append({"r": [rel["from"], rel["type"], rel["to"]], "props": rel["props"]})
            entries.append(
                _entry(rel["type"], rel["from"], rel["to"], rel["props"], source_id, gone)
            )
        alone: dict[str, dict[str, Any]] = {}
        kept_entities = []
        for ent in found["entities"]:
            kind = ent["props"]["kind"]
            after = claims.without_source(ent["props"], kind, source_id)
            claims_taken += len(ent["props"].get("_claims") or []) - len(after.get("_claims", []))
            (alone if not after.get("_prov") else {})[ent["id"]] = after
            if after.get("_prov"):
                kept_entities.append({"id": ent["id"], "props": after})
            snapshot.append({"e": ent["id"], "kind": kind, "props": ent["props"]})
        linked: set[str] = set()
        if alone:
            [row] = await tx.run(q.still_linked(sorted(alone), drop_rels))
            linked = set(row["linked"])
        for entity_id, after in alone.items():
            if entity_id in linked:  # another source's relationship keeps it
                kept_entities.append({"id": entity_id, "props": after})
        drop_entities = sorted(set(alone) - linked)
        for ent in found["entities"]:
            kind, gone = ent["props"]["kind"], ent["id"] in drop_entities
            entries.append(_entry(kind, ent["id"], None, ent["props"], source_id, gone))
            after = (
                {**ent["props"]}
                if gone
                else next(e["props"] for e in kept_entities if e["id"] == ent["id"])
            )
            still = set() if gone else set(claims.contested(after, kind))
            conflict_ids += [f"{ent['id']}#{g}" for g in claims.groups_of(kind) if g not in still]
        counts = {
            "entities_removed": len(drop_entities),
            "entities_kept": len(kept_entities),
            "relationships_removed": len(drop_rels),
            "relationships_kept": len(kept_rels),
            "claims_removed": claims_taken,
        }
        if dry_run:
            return counts
        await tx.run(
            q.apply_retraction(
                source_id,
                drop_relationships=drop_rels,
                drop_entities=drop_entities,
                entities=kept_entities,
                relationships=kept_rels,
                snapshot=[json.dumps(_encode_fact(s), ensure_ascii=False) for s in snapshot],
                change=change,
                note=reason,
            )
        )
        await tx.run(q.drop_conflicts(conflict_ids))
        await tx.run(_changes(change, "retract", source_id, _noted(entries, reason)))
        return counts

    try:
        counts = await info.context.db.transaction(work)
    except _Refused as refused:
        return refused.result
    return Retraction(source_id=strawberry.ID(source_id), dry_run=dry_run, **counts)


def _encode_fact(fact: dict[str, Any]) -> dict[str, Any]:
    return {**fact, "props": {k: _encode(v) for k, v in fact["props"].items()}}


def _entry(
    kind: str, subject: str, obj: str | None, props: dict[str, Any], source_id: str, gone: bool
) -> dict[str, Any]:
    return {
        "target": "entity" if obj is None else "relationship",
        "subject": subject,
        "object": obj,
        "type": kind,
        "provenance": [p for p in props.get("_prov") or [] if claims.source_of(p) == source_id],
        "note": "removed: asserted by this source alone" if gone else "source taken off",
    }


def _noted(entries: list[dict[str, Any]], reason: str | None) -> list[dict[str, Any]]:
    if not reason:
        return entries
    return [{**e, "note": f"{e['note']}: {reason}"} for e in entries]


async def restore(info: Info, source_id: str, reason: str | None):
    """Gives back what the source's last retraction took: removed facts as they were,
    and its provenance and claims on the facts that stayed (whatever else changed on them
    since is kept)."""
    principal = await _admin(info)
    if isinstance(principal, ForbiddenError):
        return principal
    change = change_record(principal.subject, "api")

    async def work(tx: Transaction) -> dict[str, Any]:
        await _check_source(tx, source_id, retracted=True)
        rows = await tx.run(q.last_retraction(source_id))
        if not rows:
            raise _Refused(conflict(f"source {source_id!r} has no retraction to undo"))
        facts = [json.loads(f) for f in rows[0]["facts"]]
        ents = [f for f in facts if "e" in f]
        rels = [f for f in facts if "r" in f]
        [now] = await tx.run(q.current_facts([f["e"] for f in ents], [f["r"] for f in rels]))
        current_e = {e["id"]: e["props"] for e in now["entities"]}
        current_r = {(r["from"], r["type"], r["to"]): r["props"] for r in now["relationships"]}
        by_kind: dict[str, list[dict]] = defaultdict(list)
        entries, back = [], {"entities": 0, "relationships": 0}
        for f in ents:
            before = _props(f["props"])
            here = current_e.get(f["e"])
            props = (
                before
                if here is None
                else claims.with_source_again(here, f["kind"], before, source_id)
            )
            by_kind[f["kind"]].append({"id": f["e"], "props": props})
            back["entities"] += here is None
            entries.append(_entry(f["kind"], f["e"], None, before, source_id, False))
        for kind, members in by_kind.items():
            await tx.run(q.restore_entities(LABELS[Kind(kind)], members))
        by_type: dict[str, list[dict]] = defaultdict(list)
        for f in rels:
            start, rel_type, end = f["r"]
            if rel_type not in RELATIONSHIP_TYPES:
                continue
            before = _props(f["props"])
            here = current_r.get((start, rel_type, end))
            props = (
                before
                if here is None
                else claims.with_source_again(here, rel_type, before, source_id)
            )
            by_type[rel_type].append({"from": start, "to": end, "props": props})
            back["relationships"] += here is None
            entries.append(_entry(rel_type, start, end, before, source_id, False))
        for rel_type, members in by_type.items():
            await tx.run(q.restore_relationships(rel_type, members))
        for kind, members in by_kind.items():
            for m in members:
                contested = claims.contested_values(m["props"], kind)
                if contested:
                    await tx.run(conflicts_q.sync_conflicts(m["id"], kind, contested, change["at"]))
        await tx.run(q.finish_restore(rows[0]["id"], source_id, change))
        restored = [{**e, "note": "source restored"} for e in entries]
        await tx.run(_changes(change, "restore", source_id, _noted(restored, reason)))
        return back

    try:
        back = await info.context.db.transaction(work)
    except _Refused as refused:
        return refused.result
    return Retraction(
        source_id=strawberry.ID(source_id),
        dry_run=False,
        entities_removed=0,
        entities_kept=0,
        relationships_removed=0,
        relationships_kept=0,
        claims_removed=0,
        entities_restored=back["entities"],
        relationships_restored=back["relationships"],
    )


# --- what a source asserts, paged -------------------------------------------------------

ENTITY_ORDER, RELATIONSHIP_ORDER = "ASSERTED_ENTITY", "ASSERTED_RELATIONSHIP"


async def entities_asserted(
    info: Info, source_id: str, first: int, after: str | None
) -> Connection[AssertedEntity]:
    check_range("first", first, 1, MAX_LIST)
    after_id = None
    if after is not None:
        _, after_id = cursors.decode(after, ENTITY_ORDER, False, (type(None),))
    [row] = await info.context.db.read(q.asserted_entities(source_id, first, after_id, True))
    items = row["rows"]
    edges = [
        CollectionEdge(
            cursor=cursors.encode(ENTITY_ORDER, False, None, r["node"]["id"]),
            node=AssertedEntity.of(r, source_id),
        )
        for r in items[:first]
    ]
    return _connection(edges, len(items) > first, row["total"])


async def relationships_asserted(
    info: Info, source_id: str, first: int, after: str | None
) -> Connection[AssertedRelationship]:
    check_range("first", first, 1, MAX_LIST)
    key = None
    if after is not None:
        _, rel_id = cursors.decode(after, RELATIONSHIP_ORDER, False, (type(None),))
        key = rel_id.split("|")
    [row] = await info.context.db.read(q.asserted_relationships(source_id, first, key, True))
    items = row["rows"]
    edges = [
        CollectionEdge(
            cursor=cursors.encode(
                RELATIONSHIP_ORDER, False, None, relationship_id(r["from"], r["type"], r["to"])
            ),
            node=AssertedRelationship.of(r, source_id),
        )
        for r in items[:first]
    ]
    return _connection(edges, len(items) > first, row["total"])


def _connection(edges: list, more: bool, total: int | None) -> Connection:
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
        total=total,
    )
