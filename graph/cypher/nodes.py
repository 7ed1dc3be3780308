"""Global ids (README.md, "Global ids and federation") and the query that fetches any
mix of them at once.

An entity's id and a source's id are slugs (`[a-z0-9-]`); a relationship's id is
`from|TYPE|to`, the ids of its start and end around its declared type. A relationship is
keyed by exactly that: every write MERGEs on (start, type, end) (graph/cypher/writes.py)
and a merge collapses two that become the same (graph/cypher/changes.py), so there is at
most one relationship of a type from one entity to another, and no discriminator is
needed. A slug can never hold `|`, so the two forms never meet.
"""

from __future__ import annotations

from typing import Any

from graph.cypher.common import SOURCES, relationship_pattern
from graph.cypher.plan import SOURCES_KEY, Plan
from graph.cypher.projection import project
from graph.db import Cypher
from graph.domain import RELATIONSHIP_TYPES

SEPARATOR = "|"


def relationship_id(start_id: str, rel_type: str, end_id: str) -> str:
    return f"{start_id}{SEPARATOR}{rel_type}{SEPARATOR}{end_id}"


def parse_relationship_id(text: str) -> tuple[str, str, str] | None:
    """(start id, type, end id), or None when `text` is not a relationship id."""
    parts = text.split(SEPARATOR)
    if len(parts) != 3 or not parts[0] or not parts[2] or parts[1] not in RELATIONSHIP_TYPES:
        return None
    return parts[0], parts[1], parts[2]


def ask_of(index: int, text: str) -> dict[str, Any] | None:
    """What the lookup asks for one id: an entity or source by slug, a relationship by
    its ends and type; None for text that can be neither (answered null, never sent)."""
    if SEPARATOR not in text:
        return {"i": index, "id": text, "type": None} if text else None
    parsed = parse_relationship_id(text)
    if parsed is None:
        return None
    return {"i": index, "from": parsed[0], "type": parsed[1], "to": parsed[2]}


def _resolved(var: str, param: str) -> str:
    """Entity `var` by id `param`: itself, or the survivor it was merged into."""
    return (
        f"CALL (ask) {{ MATCH ({var}:Entity {{id: {param}}}) RETURN {var} "
        f"UNION MATCH (:Redirect {{id: {param}}})-[:MERGED_INTO]->({var}:Entity) RETURN {var} }} "
    )


def nodes_by_ids(asks: list[dict[str, Any]], plan: Plan | None = None) -> Cypher:
    """One row per ask (`ask_of`): `i`, and the `entity` (projected by `plan`), `source` or
    `edge` ({type, from, to, props}) it names, all null when none.

    A slug is an entity's id (or a merged-away one: its survivor) before it is a source's.
    A relationship id's ends are resolved the same way, so an id written before a merge
    finds the relationship it was moved onto (or folded into) on the survivor.
    """
    params: dict[str, Any] = {"asks": asks}
    pattern = relationship_pattern(None)
    sources = SOURCES.format(var="r", i="e")
    query = (
        "UNWIND $asks AS ask "
        "OPTIONAL CALL (ask) { WITH ask WHERE ask.type IS NULL "
        + _resolved("n", "ask.id")
        + f"  RETURN {project('n', plan, params)} AS entity LIMIT 1 }} "
        "OPTIONAL CALL (ask, entity) { WITH ask WHERE ask.type IS NULL AND entity IS NULL "
        "  MATCH (s:Source {id: ask.id}) RETURN properties(s) AS source LIMIT 1 } "
        "OPTIONAL CALL (ask) { WITH ask WHERE ask.type IS NOT NULL "
        + _resolved("a", "ask.from")
        + _resolved("b", "ask.to")
        + f"  MATCH (a)-[r{pattern}]->(b) WHERE type(r) = ask.type "
        f"  RETURN {{type: type(r), from: a.id, to: b.id, "
        f"props: r {{.*, {SOURCES_KEY}: {sources}}}}} AS edge LIMIT 1 }} "
        "RETURN ask.i AS i, entity, source, edge"
    )
    return query, params
