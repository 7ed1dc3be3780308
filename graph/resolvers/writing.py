"""Mutations: check the caller's role, check the input against the declared domain, then
write everything in one transaction (source, fact, history) or nothing at all."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

import strawberry
from strawberry.types import Info

from graph import claims
from graph.auth import keys
from graph.auth.guard import authorize
from graph.auth.roles import Principal
from graph.bulk.report import change_record
from graph.cypher import changes, conflicts, writes
from graph.cypher import duplicates as duplicates_q
from graph.cypher import entities as entities_q
from graph.cypher.common import DUPLICATE_KEYS
from graph.db import Transaction
from graph.domain import RELATIONSHIP_TYPES, Kind
from graph.errors import Forbidden, NotFound, ServiceUnavailable
from graph.facts import SLUG, check_facts, to_rows
from graph.resolvers.arguments import check_range
from graph.resolvers.entities import find_entity
from graph.types.duplicates import DistinctPair
from graph.types.entities import Entity, to_entity
from graph.types.mutations import (
    Change,
    Deleted,
    EntityInput,
    EntityWritten,
    ForbiddenError,
    ProvenanceInput,
    RelationshipInput,
    RelationshipWritten,
    SourceInput,
    conflict,
    forbidden,
    not_found,
    validation,
)
from graph.wording import one_of

MAX_HISTORY = 500


def slugify(text: str, fallback_prefix: str) -> str:
    """A readable slug (`bank-of-beijing`); text with no Latin letters (e.g. Chinese)
    gets `<prefix>-<short hash>` so ids stay stable and ASCII."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    if slug:
        return slug
    return f"{fallback_prefix}-{hashlib.sha1(text.encode()).hexdigest()[:10]}"


async def _principal(info: Info, role: str) -> Principal | ForbiddenError:
    """The caller, or a ForbiddenError result. No identity at all raises UNAUTHENTICATED."""
    try:
        return await authorize(info, role)
    except Forbidden as exc:
        return forbidden(exc.message)


def _source_doc(source: SourceInput) -> dict[str, Any]:
    doc = {
        "id": str(source.id) if source.id else slugify(source.title, "source"),
        "title": source.title,
        "publisher": source.publisher,
        "publishedOn": source.published_on.isoformat() if source.published_on else None,
        "authors": source.authors or [],
        "editors": source.editors or [],
        "url": source.url,
    }
    return {k: v for k, v in doc.items() if v is not None}


def _provenance_doc(prov: ProvenanceInput) -> list[dict[str, Any]]:
    locators = []
    if prov.page is not None:
        locators.append(f"page {prov.page}")
    if prov.quote:
        locators.append(f"quote: {prov.quote.strip()[:200]}")
    if prov.locator:
        locators.append(prov.locator.strip())
    entry: dict[str, Any] = {}
    if prov.paragraph is not None:
        entry["paragraph"] = prov.paragraph
    if locators:
        entry["locator"] = "; ".join(locators)
    return [entry]


# Where a problem is, by the mutation's arguments (`check_facts` names a file's places).
_ARGUMENTS = {"source": "provenance.source", "entities": "entity", "relationships": "relationship"}


def _argument(section: str, index: int, record: Any) -> str:
    return _ARGUMENTS[section]


def _check(doc: dict[str, Any], known_ids: set[str]) -> list[str]:
    problems = check_facts(doc, known_ids=known_ids, where=_argument)
    source_id = doc["source"]["id"]
    if not SLUG.match(source_id):
        problems.append(f"source id {source_id!r} must be a lowercase slug")
    for entry in doc.get("entities", []) + doc.get("relationships", []):
        for prov in entry.get("provenance", []):
            if prov.get("page") is not None and prov["page"] < 1:
                problems.append("page must be a positive integer")
    return problems


async def _resolve(tx: Transaction, ids: list[str]) -> dict[str, str]:
    rows = await tx.run(changes.resolve_ids(ids))
    return {row["id"]: row["current"] for row in rows}


async def _resolve_locked(tx: Transaction, ids: list[str]) -> dict[str, str]:
    """Each id as it is now (itself, or its survivor), with the entities they name locked
    in id order and the redirects read again under the locks, so that no merge can move
    or delete them before this transaction ends. Raises _Moved when one was merged away
    while this waited for its lock (the unit of work then starts again)."""
    resolved = await _resolve(tx, ids)
    for entity_id in sorted(set(resolved.values())):
        rows = await tx.run(changes.lock_entity(entity_id))
        if rows and rows[0]["id"] is None:
            raise _Moved
    if await _resolve(tx, ids) != resolved:
        raise _Moved
    return resolved


WRITE_ATTEMPTS = 20


async def _serialized(info: Info, work: Any) -> Any:
    """`work` in one transaction, started again when it raises _Moved (an entity it
    locked was merged away meanwhile)."""
    for _ in range(WRITE_ATTEMPTS):
        try:
            return await info.context.db.transaction(work)
        except _Moved:
            continue
    raise ServiceUnavailable("The entities kept being merged by others; try again.")


# --- Upserts ---------------------------------------------------------------------------


async def upsert_entity(info: Info, entity: EntityInput, provenance: ProvenanceInput):
    principal = await _principal(info, "editor")
    if isinstance(principal, ForbiddenError):
        return principal
    kind = Kind(entity.kind.value)
    entity_id = str(entity.id) if entity.id else slugify(entity.name, kind.value.lower())
    props: Any = entity.properties if entity.properties is not None else {}
    if not isinstance(props, dict):
        return validation(["properties must be a JSON object"])
    doc = {
        "source": _source_doc(provenance.source),
        "entities": [
            {
                "id": entity_id,
                "kind": kind.value,
                "name": entity.name,
                "aliases": entity.aliases or [],
                "properties": props,
                "provenance": _provenance_doc(provenance),
            }
        ],
    }
    problems = _check(doc, set())
    if problems:
        return validation(problems)
    source, rows_by_kind, _ = to_rows(doc)
    change = change_record(principal.subject, "api")

    async def work(tx: Transaction) -> dict:
        current = (await _resolve_locked(tx, [entity_id]))[entity_id]
        rows = rows_by_kind[kind]
        rows[0]["id"] = current
        await tx.run(writes.upsert_source(source, overwrite=False))
        [result] = await tx.run(writes.upsert_entities(kind, rows, change))
        if result["rejected"]:
            raise _Refused(conflict(result["rejected"][0]["reason"]))
        return {"id": current, **result}

    try:
        result = await _serialized(info, work)
    except _Refused as refused:
        return refused.result
    written = await _written(info, result["id"])
    return EntityWritten(
        entity=written,
        created=result["created"] == 1,
        changed=result["created"] + result["updated"] == 1,
    )


async def upsert_relationship(
    info: Info, relationship: RelationshipInput, provenance: ProvenanceInput
):
    principal = await _principal(info, "editor")
    if isinstance(principal, ForbiddenError):
        return principal
    rel_type = relationship.type
    from_id, to_id = str(relationship.from_), str(relationship.to)
    props: Any = relationship.properties if relationship.properties is not None else {}
    if not isinstance(props, dict):
        return validation(["properties must be a JSON object"])
    doc = {
        "source": _source_doc(provenance.source),
        "relationships": [
            {
                "from": from_id,
                "type": rel_type,
                "to": to_id,
                "properties": props,
                "provenance": _provenance_doc(provenance),
            }
        ],
    }
    problems = _check(doc, {from_id, to_id})
    if problems:
        return validation(problems)
    source, _, rows_by_type = to_rows(doc)
    change = change_record(principal.subject, "api")

    async def work(tx: Transaction) -> dict:
        resolved = await _resolve_locked(tx, [from_id, to_id])
        rows = rows_by_type[rel_type]
        rows[0]["from"], rows[0]["to"] = resolved[from_id], resolved[to_id]
        await tx.run(writes.upsert_source(source, overwrite=False))
        [result] = await tx.run(writes.upsert_relationships(rel_type, rows, change))
        if result["rejected"]:
            reason = result["rejected"][0]["reason"]
            if reason.startswith("no entity with id "):
                missing = reason.removeprefix("no entity with id ")
                raise _Refused(not_found("entity", missing))
            declared = RELATIONSHIP_TYPES[rel_type]
            raise _Refused(
                validation(
                    [
                        f"{reason}; {rel_type} joins "
                        f"{one_of(declared.sources)} to "
                        f"{one_of(declared.targets)}"
                    ]
                )
            )
        return {"from": resolved[from_id], "to": resolved[to_id], **result}

    try:
        result = await _serialized(info, work)
    except _Refused as refused:
        return refused.result
    [row] = await info.context.db.read(
        entities_q.relationship_between(result["from"], rel_type, result["to"])
    )
    return RelationshipWritten(
        type=rel_type,
        from_=to_entity(row["a"]),
        to=to_entity(row["b"]),
        created=result["created"] == 1,
        changed=result["created"] + result["updated"] == 1,
        props=row["r"],
    )


# --- Deletes and merges ------------------------------------------------------------------


async def delete_entity(info: Info, entity_id: str, reason: str | None):
    principal = await _principal(info, "admin")
    if isinstance(principal, ForbiddenError):
        return principal
    change = change_record(principal.subject, "api")

    async def work(tx: Transaction) -> list[dict]:
        # Locked first: a merge into it waits, or has committed and its redirect is seen.
        await tx.run(changes.lock_entity(entity_id))
        return await tx.run(changes.delete_entity(entity_id, change, reason))

    rows = await info.context.db.transaction(work)
    if not rows:
        return not_found("entity", entity_id)
    return Deleted(id=strawberry.ID(entity_id), relationships_removed=rows[0]["rels"])


async def delete_relationship(
    info: Info, from_id: str, rel_type: str, to_id: str, reason: str | None
):
    principal = await _principal(info, "admin")
    if isinstance(principal, ForbiddenError):
        return principal
    if rel_type not in RELATIONSHIP_TYPES:
        return not_found(
            f"relationship type {rel_type!r} (declared: {one_of(sorted(RELATIONSHIP_TYPES))}) from",
            from_id,
        )
    change = change_record(principal.subject, "api")

    async def work(tx: Transaction) -> list[dict]:
        rows = await tx.run(changes.delete_relationship(from_id, rel_type, to_id))
        for row in rows:
            entry = {
                "action": "delete",
                "target": "relationship",
                "subject": from_id,
                "object": to_id,
                "type": rel_type,
                "provenance": row["props"].get("_prov", []),
                "note": reason,
            }
            await tx.run(changes.record_change(change, entry))
        return rows

    rows = await info.context.db.transaction(work)
    if not rows:
        return not_found(f"{rel_type} relationship to {to_id!r} from", from_id)
    return Deleted(id=strawberry.ID(f"{from_id}|{rel_type}|{to_id}"), relationships_removed=0)


def _merged_properties(survivor: dict[str, Any], merged: dict[str, Any]) -> dict[str, Any]:
    """The survivor keeps its own values; it gains the merged entity's other properties,
    its name and aliases as aliases, its provenance and its blocking keys."""
    out = {k: v for k, v in merged.items() if k not in survivor and not k.startswith("_")}
    out.pop("id", None)
    aliases = list(survivor.get("aliases") or [])
    for alias in [merged.get("name"), *(merged.get("aliases") or [])]:
        if alias and alias not in aliases and alias != survivor.get("name"):
            aliases.append(alias)
    prov = list(survivor.get("_prov") or [])
    prov += [p for p in merged.get("_prov") or [] if p not in prov]
    keys = list(survivor.get(DUPLICATE_KEYS) or [])
    keys += [k for k in merged.get(DUPLICATE_KEYS) or [] if k not in keys]
    return {
        **out,
        "aliases": aliases,
        "_prov": prov,
        "_claims": claims.merged(survivor, merged),
        DUPLICATE_KEYS: sorted(keys),
    }


async def merge_entities(info: Info, survivor_id: str, merged_id: str, reason: str | None):
    """One transaction: resolve both ids through redirects, take both entities' write
    locks in id order (so concurrent merges of overlapping pairs queue up rather than
    deadlock), check under the locks that neither moved while waiting (else start again),
    then move everything from the merged entity to the survivor. Ids already merged into
    one entity answer as written, unchanged. An editor's action (issue 15: editors merge
    the duplicates they find): the merged id keeps resolving, and history keeps both."""
    principal = await _principal(info, "editor")
    if isinstance(principal, ForbiddenError):
        return principal
    if survivor_id == merged_id:
        return validation(["survivorId and mergedId must differ"])
    change = change_record(principal.subject, "api")

    async def lock(tx: Transaction, entity_id: str, named: str) -> None:
        rows = await tx.run(changes.lock_entity(entity_id))
        if rows and rows[0]["id"] is not None:
            return
        if rows or (await _resolve(tx, [entity_id]))[entity_id] != entity_id:
            raise _Moved  # merged away (or deleted) since the ids were resolved
        raise _Refused(not_found("entity", named))

    async def work(tx: Transaction) -> tuple[str, bool]:
        resolved = await _resolve(tx, [survivor_id, merged_id])
        s_id, m_id = resolved[survivor_id], resolved[merged_id]
        named = {s_id: survivor_id, m_id: merged_id}
        for entity_id in sorted({s_id, m_id}):
            await lock(tx, entity_id, named[entity_id])
        # Nothing merges into or out of a locked entity, so the redirects read now hold
        # until this transaction ends.
        if await _resolve(tx, [survivor_id, merged_id]) != resolved:
            raise _Moved
        if s_id == m_id:
            return s_id, False
        snapshots = {}
        for entity_id in (s_id, m_id):
            [row] = await tx.run(changes.entity_snapshot(entity_id))
            snapshots[entity_id] = row
        survivor, merged = snapshots[s_id], snapshots[m_id]
        if survivor["node"]["kind"] != merged["node"]["kind"]:
            raise _Refused(
                conflict(
                    f"{m_id} is of kind {merged['node']['kind']} and {s_id} of kind "
                    f"{survivor['node']['kind']}: only entities of one kind can be merged"
                )
            )
        for rel_type in merged["types"]:
            if rel_type in RELATIONSHIP_TYPES:
                await tx.run(changes.move_relationships(m_id, s_id, rel_type))
        props = _merged_properties(survivor["node"], merged["node"])
        await tx.run(changes.finish_merge(m_id, s_id, props))
        kind = survivor["node"]["kind"]
        contested = claims.contested_values({**survivor["node"], **props}, kind)
        if contested:
            await tx.run(conflicts.sync_conflicts(s_id, kind, contested, change["at"]))
        entry = {
            "action": "merge",
            "target": "entity",
            "subject": s_id,
            "object": m_id,
            "type": survivor["node"]["kind"],
            "provenance": merged["node"].get("_prov") or [],
            "note": reason,
        }
        await tx.run(changes.record_change(change, entry))
        return s_id, True

    try:
        result_id, changed = await _serialized(info, work)
    except _Refused as refused:
        return refused.result
    written = await _written(info, result_id)
    return EntityWritten(entity=written, created=False, changed=changed)


# --- Marks that two entities are distinct ---------------------------------------------


async def _distinct_pair(tx: Transaction, a_id: str, b_id: str) -> tuple[str, str, str]:
    """Both ids as they are now, locked (see `_resolve_locked`), and their kind; refuses
    one entity twice, a missing one and two kinds."""
    resolved = await _resolve_locked(tx, [a_id, b_id])
    a, b = resolved[a_id], resolved[b_id]
    if a == b:
        raise _Refused(validation([f"{a_id!r} and {b_id!r} are one entity ({a!r})"]))
    kinds = {row["id"]: row["kind"] for row in await tx.run(duplicates_q.kinds_of([a, b]))}
    for current, asked in ((a, a_id), (b, b_id)):
        if current not in kinds:
            raise _Refused(not_found("entity", asked))
    if kinds[a] != kinds[b]:
        raise _Refused(
            validation(
                [
                    f"{a!r} is of kind {kinds[a]} and {b!r} of kind {kinds[b]}: only "
                    "entities of one kind are ever proposed as duplicates"
                ]
            )
        )
    return a, b, kinds[a]


async def mark_distinct(info: Info, a_id: str, b_id: str, note: str | None):
    """Editor. Recorded in history as `mark-distinct` (subject and object: the two)."""
    principal = await _principal(info, "editor")
    if isinstance(principal, ForbiddenError):
        return principal
    if a_id == b_id:
        return validation(["a and b must differ"])
    change = change_record(principal.subject, "api")

    async def work(tx: Transaction) -> tuple[str, str, bool]:
        a, b, kind = await _distinct_pair(tx, a_id, b_id)
        [row] = await tx.run(duplicates_q.mark_distinct(a, b, note, change))
        if row["created"]:
            entry = {
                "action": "mark-distinct",
                "target": "entity",
                "subject": a,
                "object": b,
                "type": kind,
                "note": note,
            }
            await tx.run(changes.record_change(change, entry))
        return a, b, row["created"]

    try:
        a, b, created = await _serialized(info, work)
    except _Refused as refused:
        return refused.result
    return await _pair_written(info, a, b, created)


async def unmark_distinct(info: Info, a_id: str, b_id: str, note: str | None):
    """Editor. Undoes `markDistinct`: the two may be proposed again. Recorded in history
    as `unmark-distinct`."""
    principal = await _principal(info, "editor")
    if isinstance(principal, ForbiddenError):
        return principal
    if a_id == b_id:
        return validation(["a and b must differ"])
    change = change_record(principal.subject, "api")

    async def work(tx: Transaction) -> tuple[str, str]:
        a, b, kind = await _distinct_pair(tx, a_id, b_id)
        [row] = await tx.run(duplicates_q.unmark_distinct(a, b))
        if not row["removed"]:
            raise _Refused(not_found("mark of distinct entities for", f"{a_id}|{b_id}"))
        entry = {
            "action": "unmark-distinct",
            "target": "entity",
            "subject": a,
            "object": b,
            "type": kind,
            "note": note,
        }
        await tx.run(changes.record_change(change, entry))
        return a, b

    try:
        a, b = await _serialized(info, work)
    except _Refused as refused:
        return refused.result
    return await _pair_written(info, a, b, True)


async def _pair_written(info: Info, a: str, b: str, changed: bool) -> DistinctPair:
    found = {}
    for side, entity_id in (("a", a), ("b", b)):
        entity = await find_entity(info, entity_id, (side,))
        if entity is None:  # deleted by another writer in between
            raise NotFound(f"No entity with id {entity_id!r} after the write.")
        found[side] = entity
    return DistinctPair(a=found["a"], b=found["b"], changed=changed)


async def history(info: Info, entity_id: str, first: int) -> list[Change]:
    """Who made a change and the note it carries are shown to editors and admins only
    (a note is free text that may name people); API keys by their names."""
    check_range("first", first, 1, MAX_HISTORY)
    db = info.context.db
    rows = [row["change"] for row in await db.read(changes.history(entity_id, first))]
    authors: dict[str, str] | None = None
    if info.context.principal.has("editor"):
        authors = await keys.subject_names(db, {c["by"] for c in rows if c.get("by")})
    return [
        Change(
            id=c["id"],
            at=c["at"],
            by=None if authors is None else authors.get(c["by"], c["by"]),
            via=c.get("via"),
            action=c["action"],
            target=c["target"],
            subject=c["subject"],
            object=c.get("object"),
            type=c.get("type"),
            note=None if authors is None else c.get("note"),
            entries=c.get("provenance") or [],
        )
        for c in rows
    ]


class _Moved(Exception):
    """An entity a write was about to lock was merged away meanwhile: start again."""


class _Refused(Exception):
    """Aborts a unit of work (rolling it back) with a typed result for the client."""

    def __init__(self, result: Any) -> None:
        super().__init__("refused")
        self.result = result


async def _written(info: Info, entity_id: str) -> Entity:
    """The entity a write just committed, read back with the selection's plan."""
    written = await find_entity(info, entity_id, ("entity",))
    if written is None:  # deleted by another writer in between
        raise NotFound(f"No entity with id {entity_id!r} after the write.")
    return written
