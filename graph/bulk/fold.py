"""What the upserts of graph/cypher/writes.py leave in an empty store, computed in Python:
the offline importer (graph/bulk/offline.py) writes these states as files for Neo4j's
import tool instead of sending the rows through Cypher.

Each function mirrors one statement, clause by clause (the Cypher is quoted beside each
step), and `tests/test_offline_import.py` loads one file both ways and compares the two
graphs property by property; a change to either side that the other does not follow
fails there.

A fact is a plain dict of its stored properties. Rows arrive in the order the online path
writes them (entities before relationships, file order within each), and a fact named by
several rows is folded row after row, as MERGE would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.claims import SEP, row_claims
from graph.cypher.nodes import relationship_id


@dataclass(slots=True)
class Conflict:
    """A property that two values are claimed for (the `Conflict` node, made online once
    the import is in: there are few)."""

    id: str
    property: str
    target: str  # "entity" or "relationship"
    subject: str
    object: str | None
    kind: str
    values: int


@dataclass(slots=True)
class Written:
    """What folding one row did: created the fact, changed it (or neither), and the
    conflicts it opened or widened."""

    created: bool
    changed: bool
    conflicts: list[Conflict] = field(default_factory=list)


def _add_new(had: list | None, items: list) -> list:
    """`coalesce(had, []) + [x IN items WHERE NOT x IN coalesce(had, [])]`."""
    base = list(had or ())
    seen = set(base)
    return base + [x for x in items if x not in seen]


def _union(had: list | None, items: list) -> list:
    """`reduce(k = coalesce(had, []), x IN items | CASE WHEN x IN k THEN k ELSE k + x END)`."""
    out = list(had or ())
    seen = set(out)
    for x in items:
        if x not in seen:
            out.append(x)
            seen.add(x)
    return out


def _or_absent(fact: dict[str, Any], key: str, value: list) -> None:
    """Lists are stored only when they hold something (graph/cypher/writes.py, `_NONEMPTY`)."""
    if value:
        fact[key] = value
    else:
        fact.pop(key, None)


def _apply(fact: dict[str, Any], values: dict[str, Any]) -> None:
    """SET n += c.set (a null removes)."""
    for key, value in values.items():
        if value is None:
            fact.pop(key, None)
        else:
            fact[key] = value


def _claims(
    fact: dict[str, Any], claims: list[dict[str, Any]], conflict: Conflict
) -> list[Conflict]:
    """writes._CLAIMS for one row (never `supersede`: ingestion does not guard)."""
    opened = []
    # A fact with no claims before this row (a new one): each property's claims are this
    # row's, of one value, so that value is shown and nothing conflicts (what the
    # comparison below finds for it, in less time).
    first = not fact.get("_claims") and not fact.get("_pinned")
    for c in claims:
        if first:
            if c["entries"]:
                fact["_claims"] = list(fact.get("_claims") or ()) + c["entries"]
                if not c["multi"]:
                    _apply(fact, c["set"])
            continue
        had = list(fact.get("_claims") or ())
        fresh = [e for e in c["entries"] if e not in had]
        if fresh:
            fact["_claims"] = had + fresh
        if not fresh or c["multi"]:
            continue
        parts = [x.split(SEP) for x in fact["_claims"] if x.startswith(c["prefix"])]
        values: list[str] = []
        for x in parts:
            if x[1] not in values:
                values.append(x[1])
        counts = [len({x[2].split("|")[0] for x in parts if x[1] == v}) for v in values]
        at = next(i for i, v in enumerate(values) if c["prefix"] + v + SEP == c["value"])
        pinned = any(x.startswith(c["prefix"]) for x in fact.get("_pinned") or ())
        if all(k <= counts[at] for k in counts) and not pinned:
            _apply(fact, c["set"])
        if len(values) > 1:
            name = c["prefix"].split(SEP)[0]
            opened.append(
                Conflict(
                    c["conflict"],
                    name,
                    conflict.target,
                    conflict.subject,
                    conflict.object,
                    conflict.kind,
                    len(values),
                )
            )
    return opened


def _set_by(fact: dict[str, Any], keys: list[str], prov: list[str], via: str) -> None:
    """writes._SET_BY: each property the row writes is now the row's."""
    source = prov[0].split("|", 1)[0] if prov else ""
    had = fact.get("_setBy")
    kept = [x for x in had if x.split("|", 1)[0] not in keys] if had else []
    _or_absent(fact, "_setBy", kept + [f"{k}|{source}|{via}" for k in keys])


def _mark(fact: dict[str, Any], written: Written, changes: Mapping[str, str]) -> None:
    if written.changed:
        action = "create" if written.created else "update"
        fact["_changes"] = list(fact.get("_changes") or ()) + [changes[action]]


def entity(
    fact: dict[str, Any] | None,
    kind: str,
    row: dict[str, Any],
    via: str,
    changes: Mapping[str, str],
) -> tuple[dict[str, Any], Written]:
    """writes.upsert_entities for one row on `fact` (None: not in the store yet). The
    kind is the row's: the check refused a file that gives one id two kinds."""
    created = fact is None
    n: dict[str, Any] = {"id": row["id"], "kind": kind} if fact is None else fact
    before = dict(n)
    # n.aliases = reduce(...), n._prov = _ADD_PROVENANCE
    _or_absent(n, "aliases", _union(n.get("aliases"), row["aliases"]))
    n["_prov"] = _add_new(n.get("_prov"), row["prov"])
    # n._search = reduce(s = '', x IN n.aliases | s + x + ' ; ')
    if n.get("aliases"):
        n["_search"] = "".join(a + " ; " for a in n["aliases"])
    else:
        n.pop("_search", None)
    made = row_claims(
        kind, row["props"], row["prov"], name=row["name"], aliases=row["aliases"], target=row["id"]
    )
    conflicts = _claims(n, made, Conflict("", "", "entity", row["id"], None, kind, 0))
    # n._sortName = coalesce(toLower(n.name), '')
    n["_sortName"] = (n.get("name") or "").lower()
    written = Written(created, created or before != n, conflicts)
    _or_absent(n, "_dupKeys", _union(n.get("_dupKeys"), row.get("keys") or []))
    _set_by(n, ["name", *row["props"]], row["prov"], via)
    _mark(n, written, changes)
    return n, written


def relationship(
    fact: dict[str, Any] | None,
    rel_type: str,
    row: dict[str, Any],
    via: str,
    changes: Mapping[str, str],
) -> tuple[dict[str, Any], Written]:
    """writes.upsert_relationships for one row (its ends were checked to exist)."""
    created = fact is None
    r: dict[str, Any] = {} if fact is None else fact
    before = dict(r)
    r["_prov"] = _add_new(r.get("_prov"), row["prov"])
    target = relationship_id(row["from"], rel_type, row["to"])
    made = row_claims(rel_type, row["props"], row["prov"], target=target)
    about = Conflict("", "", "relationship", row["from"], row["to"], rel_type, 0)
    conflicts = _claims(r, made, about)
    written = Written(created, created or before != r, conflicts)
    _set_by(r, list(row["props"]), row["prov"], via)
    _mark(r, written, changes)
    return r, written
