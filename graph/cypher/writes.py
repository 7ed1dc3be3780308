"""Upserts for entities, relationships and sources, in batches (UNWIND + MERGE).

Provenance is a list of `source|paragraph|locator` strings on each node and
relationship; a repeated assertion adds nothing, a new source adds an entry. Every
write that creates or alters something leaves a `Change` node (who, when, how, with the
provenance it came with) in the same transaction; `history(id)` reads them.

Who set each property is kept too (`_setBy`, entries `property|source|via`: the source of
the write's first provenance entry, and the way it came, `api`, `ingest` or `seed`), so a
later load of the seed can tell its own values from those an editor or another source
gave since (graph/bulk/writer.py, `guard`).
"""

from __future__ import annotations

import uuid
from typing import Any

from graph.claims import SEP, row_claims
from graph.cypher.common import (
    DUPLICATE_KEYS,
    SORT_NAME,
    relationship_pattern,
    search_text_of,
    sort_name_of,
)
from graph.cypher.nodes import relationship_id
from graph.db import Cypher
from graph.domain import RELATIONSHIP_TYPES, Kind

_ADD_PROVENANCE = (
    "coalesce({var}._prov, []) + [p IN row.prov WHERE NOT p IN coalesce({var}._prov, [])]"
)


# The blocking keys of the row's names join the entity's (graph/matching/names.py): a
# superset of what its names now give when a name was replaced, which only widens the
# comparisons; a merge and the backfill (graph/cypher/duplicates.py) keep them too.
def _nonempty(expr: str) -> str:
    """`expr`, a list, or null when it is empty: a list property is stored only when it
    holds something (what Neo4j's import tool, graph/bulk/offline.py, can write too)."""
    return f"[l IN [{expr}] WHERE size(l) > 0][0]"


_ADD_KEYS = _nonempty(
    f"reduce(k = coalesce(n.{DUPLICATE_KEYS}, []), x IN coalesce(row.keys, []) | "
    "CASE WHEN x IN k THEN k ELSE k + x END)"
)

# Each property a row writes (`row.written`, in the row's order: Cypher's `keys()` of a
# map has an order of its own) is now the row's: its `_setBy` entry is replaced.
_SET_BY = (
    "  SET {var}._setBy = "
    + _nonempty(
        "[x IN coalesce({var}._setBy, []) WHERE NOT split(x, '|')[0] IN {keys}] "
        "+ [k IN {keys} | k + '|' + split(head(row.prov), '|')[0] + '|' + $via]"
    )
    + " "
)


# The claims a row makes (graph/claims.py): each new (property, value, provenance) entry
# is added; a property whose value gained an assertion shows that value when no other has
# more distinct sources (ties go to the newest) and no editor pinned another; a property
# with two values gets its Conflict node (reopened when a value the resolution did not
# consider arrives). A unit subquery: the row goes on whatever its claims are.
_CLAIMS = (
    "CALL ({var}, row) {{ "
    "  UNWIND row.claims AS c "
    "  WITH {var}, c, coalesce({var}._claims, []) AS had "
    # A source that corrects itself (the seed's new release) supersedes what it said of
    # the property before.
    "  WITH {var}, c, [e IN c.entries WHERE NOT e IN had] AS fresh, "
    "    CASE WHEN c.supersede THEN [x IN had WHERE x STARTS WITH c.prefix "
    "      AND NOT x IN c.entries AND split(split(x, $claimSep)[2], '|')[0] = c.source] "
    "    ELSE [] END AS dropped "
    # Read again as it is set: the row's claims are set one after another, and a value
    # read before the first (`had`, planned eagerly) would lose the others.
    "  SET {var}._claims = [x IN coalesce({var}._claims, []) WHERE NOT x IN dropped] + fresh "
    "  WITH {var}, c, size(fresh) > 0 OR size(dropped) > 0 AS moved "
    "  WHERE moved AND NOT c.multi "
    "  WITH {var}, c, [x IN {var}._claims WHERE x STARTS WITH c.prefix | "
    "    split(x, $claimSep)] AS parts "
    "  WITH {var}, c, parts, reduce(vs = [], x IN parts | "
    "    CASE WHEN x[1] IN vs THEN vs ELSE vs + x[1] END) AS vals "
    "  WITH {var}, c, vals, [v IN vals | size(reduce(s = [], x IN parts | "
    "    CASE WHEN x[1] = v AND NOT split(x[2], '|')[0] IN s "
    "    THEN s + split(x[2], '|')[0] ELSE s END))] AS counts "
    "  WITH {var}, c, vals, counts, "
    "    [i IN range(0, size(vals) - 1) WHERE c.prefix + vals[i] + $claimSep = c.value][0] AS at "
    "  SET {var} += CASE WHEN all(k IN counts WHERE k <= counts[at]) "
    "    AND NOT any(x IN coalesce({var}._pinned, []) WHERE x STARTS WITH c.prefix) "
    "    THEN c.set ELSE {{}} END "
    "  FOREACH (_ IN CASE WHEN size(vals) > 1 THEN [1] ELSE [] END | "
    "    MERGE (k:Conflict {{id: c.conflict}}) "
    "    ON CREATE SET k.status = 'open', k.property = split(c.prefix, $claimSep)[0], "
    "      k.target = '{target}', k.subject = {subject}, k.object = {object}, "
    "      k.kind = {kind}, k.since = $at "
    "    SET k.status = CASE WHEN k.status = 'resolved' "
    "      AND NOT c.value IN coalesce(k.considered, []) THEN 'open' ELSE k.status END, "
    "      k.values = size(vals), k.updatedAt = $at) "
    "  WITH {var}, c, vals OPTIONAL MATCH (settled:Conflict {{id: c.conflict}}) "
    "  WHERE size(vals) = 1 DELETE settled "
    "}} "
)


def upsert_source(source: dict[str, Any], overwrite: bool = True) -> Cypher:
    """With `overwrite` false the source is only created on first use: later mentions of
    the same id never rewrite its title or authors."""
    setter = "SET s += $props" if overwrite else "ON CREATE SET s += $props"
    return (
        f"MERGE (s:Source {{id: $id}}) {setter} RETURN s.id AS id",
        {"id": source["id"], "props": {k: v for k, v in source.items() if k != "id"}},
    )


_CHANGE = (
    "FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | "
    "  CREATE (:Change:Unsequenced {{id: randomUUID(), at: $at, by: $by, via: $via, "
    "    action: CASE WHEN created THEN 'create' ELSE 'update' END, target: '{target}', "
    "    subject: {subject}, object: {object}, type: {type}, provenance: row.prov}})) "
)

# Bulk ingestion records one Change per batch, group and action instead of one per row
# (a node per row was ~40% of a relationship batch's time in Neo4j): each fact it created
# or altered keeps that Change's id in `_changes`, which `history` follows.
_BATCH_MARK = (
    "FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | "
    "  SET {var}._changes = coalesce({var}._changes, []) + "
    "    CASE WHEN created THEN $createdChange ELSE $updatedChange END) "
)
# `$alsoCreated`: the facts of the same batch and group that `create_entities` /
# `create_relationships` made before this statement, counted on the same Change.
_BATCH_CHANGES = (
    "FOREACH (a IN [x IN [['create', created + $alsoCreated, $createdChange], "
    "    ['update', updated, $updatedChange]] WHERE x[1] > 0] | "
    "  CREATE (:Change:Unsequenced {{id: a[2], at: $at, by: $by, via: $via, action: a[0], "
    "    target: '{target}', type: {type}, count: a[1], note: $note, "
    "    provenance: $provenance}})) "
    "RETURN written, created, updated, rejected"
)

_COUNTS = (
    "count(*) AS written, "
    "sum(CASE WHEN created THEN 1 ELSE 0 END) AS created, "
    "sum(CASE WHEN changed AND NOT created THEN 1 ELSE 0 END) AS updated, "
)


def batch_change(change: dict[str, Any], note: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """`change` for bulk batches: the ids of its two Change nodes (made here, so the
    facts can point at them), the note they carry, and the provenance of the batch's
    `rows` (every distinct entry; `history` shows each fact those of them it holds)."""
    provenance = sorted({entry for row in rows for entry in row.get("prov") or ()})
    return {
        **change,
        "createdChange": str(uuid.uuid4()),
        "updatedChange": str(uuid.uuid4()),
        "note": note,
        "provenance": provenance,
        "alsoCreated": 0,
    }


def _recording(
    change: dict[str, Any], var: str, target: str, type_param: str, subject: str, obj: str
) -> tuple[str, str, str]:
    """How a write records itself: (what each row that created or altered something
    writes, the clause that gives the counts, what follows them). A Change node per row;
    or, for a `batch_change`, the batch's Change id on each fact and its Change nodes
    created once the counts are known."""
    if "createdChange" in change:
        closing = _BATCH_CHANGES.format(target=target, type=type_param)
        return _BATCH_MARK.format(var=var), "WITH ", closing
    per_row = _CHANGE.format(target=target, subject=subject, object=obj, type=type_param)
    return per_row, "RETURN ", ""


def upsert_entities(kind: Kind, rows: list[dict[str, Any]], change: dict[str, Any]) -> Cypher:
    """Rows: {id, name, aliases, props, prov}, all of one kind, whose label comes from the
    declared domain (an allow-list). `change` = {at, by, via} is recorded as a Change
    node for every row that created or altered something.

    A row whose id belongs to an entity of another kind is rejected, not relabelled.
    Returns one row: written, created, updated, rejected [{id, reason}].
    """
    mark, counts, closing = _recording(change, "n", "entity", "$kind", "row.id", "null")
    claims = _CLAIMS.format(var="n", target="entity", subject="row.id", object="null", kind="$kind")
    query = (
        "UNWIND $rows AS row "
        "MERGE (n:Entity {id: row.id}) "
        "ON CREATE SET n._new = true, n.kind = $kind "
        "WITH row, n, n.kind = $kind AS ok "
        "OPTIONAL CALL (row, n, ok) { "
        "  WITH * WHERE ok "
        "  WITH row, n, coalesce(n._new, false) AS created, properties(n) AS before "
        f"  SET n:{kind.label}, "
        "    n.aliases = "
        + _nonempty(
            "reduce(a = coalesce(n.aliases, []), x IN row.aliases | "
            "CASE WHEN x IN a THEN a ELSE a + x END)"
        )
        + ", "
        f"    n._prov = {_ADD_PROVENANCE.format(var='n')} "
        # No aliases, no _search (a reduce over null is null).
        f"  SET n._search = {search_text_of('n')} "
        "  REMOVE n._new "
        "  WITH row, n, created, before " + claims + f"SET n.{SORT_NAME} = {sort_name_of('n')} "
        "  WITH row, n, created, created OR before <> properties(n) AS changed "
        # Kept apart from `changed`: a store written before keys existed gains them on
        # its next write without that write counting as a change.
        f"  SET n.{DUPLICATE_KEYS} = {_ADD_KEYS} "
        + _SET_BY.format(var="n", keys="row.written")
        + mark
        + "  RETURN created, changed "
        "} " + counts + _COUNTS + "collect(CASE WHEN NOT ok THEN {id: row.id, "
        "  reason: 'id ' + row.id + ' already belongs to an entity of kind ' + n.kind + "
        "', not ' + $kind} "
        "END) AS rejected "
    ) + closing
    claimed = [
        {
            **row,
            "written": ["name", *row["props"]],
            "claims": row_claims(
                kind.value,
                row["props"],
                row["prov"],
                name=None if row.get("keepName") else row["name"],
                aliases=row["aliases"],
                target=row["id"],
                supersede=bool(row.get("supersede")),
            ),
        }
        for row in rows
    ]
    return query, {"rows": claimed, "kind": kind.value, "claimSep": SEP, **change}


def upsert_relationships(
    rel_type: str, rows: list[dict[str, Any]], change: dict[str, Any]
) -> Cypher:
    """Rows: {from, to, props, prov}, all of one declared relationship type. Rows whose
    ends are missing or of kinds the type does not join are rejected with a reason."""
    declared = RELATIONSHIP_TYPES[rel_type]
    pattern = relationship_pattern([rel_type])
    mark, counts, closing = _recording(change, "r", "relationship", "$type", "row.from", "row.to")
    query = (
        "UNWIND $rows AS row "
        "OPTIONAL MATCH (a:Entity {id: row.from}) "
        "OPTIONAL MATCH (b:Entity {id: row.to}) "
        "WITH row, a, b, "
        "  a IS NOT NULL AND b IS NOT NULL AND a.kind IN $fromKinds AND b.kind IN $toKinds AS ok "
        "OPTIONAL CALL (row, a, b, ok) { "
        "  WITH * WHERE ok "
        # Writing to the start node takes its lock until commit, so concurrent writers of
        # the same relationship queue up instead of both creating it.
        "  SET a._lock = true REMOVE a._lock "
        f"  MERGE (a)-[r{pattern}]->(b) "
        "  ON CREATE SET r._new = true "
        "  WITH row, r, coalesce(r._new, false) AS created, properties(r) AS before "
        f"  SET r._prov = {_ADD_PROVENANCE.format(var='r')} "
        "  REMOVE r._new "
        "  WITH row, r, created, before "
        + _CLAIMS.format(
            var="r", target="relationship", subject="row.from", object="row.to", kind="$type"
        )
        + "  WITH row, r, created, created OR before <> properties(r) AS changed "
        + _SET_BY.format(var="r", keys="row.written")
        + mark
        + "  RETURN created, changed "
        "} "
        + counts
        + _COUNTS
        + "collect(CASE WHEN NOT ok THEN {from: row.from, to: row.to, reason: "
        "  CASE WHEN a IS NULL THEN 'no entity with id ' + row.from "
        "       WHEN b IS NULL THEN 'no entity with id ' + row.to "
        "       ELSE $type + ' cannot join an entity of kind ' + a.kind + ' to one of kind ' "
        "         + b.kind END} "
        "END) AS rejected "
    ) + closing
    claimed = [
        {
            **row,
            "written": list(row["props"]),
            "claims": row_claims(
                rel_type,
                row["props"],
                row["prov"],
                target=relationship_id(row["from"], rel_type, row["to"]),
                supersede=bool(row.get("supersede")),
            ),
        }
        for row in rows
    ]
    params = {
        "rows": claimed,
        "claimSep": SEP,
        "type": rel_type,
        "fromKinds": list(declared.sources),
        "toKinds": list(declared.targets),
        **change,
    }
    return query, params


# The fast path of bulk ingestion (graph/bulk/writer.py): facts the store does not hold
# yet, their stored properties computed in Python by graph/bulk/fold.py (which mirrors the
# upserts above clause by clause), are created with one SET each instead of going through
# the claims' per-property comparison. A row whose fact exists by the time the statement
# runs (another writer, an earlier batch) is left alone and comes back to go through the
# upsert; so does a relationship whose ends are missing or of kinds its type does not join.


def create_entities(kind: Kind, rows: list[dict[str, Any]]) -> Cypher:
    """Rows: {i, id, fact}; MERGE on the unique id makes concurrent writers safe.
    Returns the `i` created."""
    return (
        "UNWIND $rows AS row "
        "MERGE (n:Entity {id: row.id}) "
        "ON CREATE SET n += row.fact, n._fresh = true "
        "WITH row, n WHERE n._fresh "
        f"SET n:{kind.label} REMOVE n._fresh "
        "RETURN collect(row.i) AS created",
        {"rows": rows},
    )


def create_relationships(rel_type: str, rows: list[dict[str, Any]]) -> Cypher:
    """Rows: {i, from, to, fact}; the start node's lock (as in `upsert_relationships`)
    keeps two writers from both creating one relationship. Returns the `i` created."""
    declared = RELATIONSHIP_TYPES[rel_type]
    pattern = relationship_pattern([rel_type])
    return (
        "UNWIND $rows AS row "
        "MATCH (a:Entity {id: row.from}) WHERE a.kind IN $fromKinds "
        "MATCH (b:Entity {id: row.to}) WHERE b.kind IN $toKinds "
        "SET a._lock = true REMOVE a._lock "
        f"WITH row, a, b WHERE NOT EXISTS {{ (a)-[{pattern}]->(b) }} "
        f"CREATE (a)-[r{pattern}]->(b) SET r = row.fact "
        "RETURN collect(row.i) AS created",
        {
            "rows": rows,
            "fromKinds": list(declared.sources),
            "toKinds": list(declared.targets),
        },
    )


def record_batch(group: Kind | str, change: dict[str, Any]) -> Cypher:
    """The Change nodes of a batch of one entity kind or relationship type (`group`)
    whose every row `create_entities` / `create_relationships` made (`$alsoCreated` of
    them): what the upsert would record with no row left to it, without planning the
    upsert (a large statement that Neo4j plans again as the store's statistics move, which
    a bulk load keeps doing). Returns the upsert's shape: written, created, updated,
    rejected."""
    target = "entity" if isinstance(group, Kind) else "relationship"
    name = group.value if isinstance(group, Kind) else group
    closing = _BATCH_CHANGES.format(target=target, type="$group")
    query = "WITH 0 AS written, 0 AS created, 0 AS updated, [] AS rejected " + closing
    return query, {**change, "group": name}


def graph_counts() -> Cypher:
    return (
        "CALL () { MATCH (n) RETURN count(n) AS nodes } "
        "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
        "CALL () { MATCH (n) UNWIND coalesce(n._prov, []) AS p RETURN count(p) AS nodeProv } "
        "CALL () { MATCH ()-[r]->() UNWIND coalesce(r._prov, []) AS p "
        "          RETURN count(p) AS relProv } "
        "RETURN nodes, relationships, nodeProv, relProv",
        {},
    )
