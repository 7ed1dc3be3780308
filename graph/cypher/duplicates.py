"""The duplicate finder's queries: blocks of entities sharing a blocking key, what the
scorer needs about the entities and pairs in them, editors' marks that two entities are
distinct, and the upkeep of the keys (graph/matching/).

Blocks come from one pass over the entities (each entity's `_dupKeys`, grouped by the
caller), never from comparing entities with each other: the pairs are made from blocks
afterwards (graph.matching.candidates).

A mark that two entities are distinct is a `(:DistinctPair {key, a, b, note, by, at})`
node under the ids they had when marked; ids merged away since are read through their
redirects, so a mark follows the entities into their survivors.
"""

from __future__ import annotations

from typing import Any

from graph.cypher.common import DUPLICATE_KEYS, relationship_pattern
from graph.db import Cypher
from graph.domain import ENTITY_LABEL

DISTINCT_LABEL = "DistinctPair"
DISTINCT_CONSTRAINT = (
    f"CREATE CONSTRAINT distinct_pair_key IF NOT EXISTS FOR (d:{DISTINCT_LABEL}) "
    "REQUIRE d.key IS UNIQUE"
)


def names(kinds: list[str] | None) -> Cypher:
    """One row, `entities`: [id, kind, blocking keys, name, aliases, Chinese name] of
    every entity (of `kinds`): one pass, grouped into blocks by the caller
    (graph.matching.candidates)."""
    return (
        f"MATCH (n:{ENTITY_LABEL}) WHERE $kinds IS NULL OR n.kind IN $kinds "
        f"RETURN collect([n.id, n.kind, n.{DUPLICATE_KEYS}, n.name, n.aliases, n.nameZh]) "
        "AS entities",
        {"kinds": kinds},
    )


def entities(ids: list[str]) -> Cypher:
    """One row, `entities`: each entity's properties and the ids at the other end of its
    relationships (one per relationship)."""
    pattern = relationship_pattern(None)
    return (
        f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) "
        "RETURN collect([properties(n), COLLECT { "
        f"  MATCH (n)-[{pattern}]-(x:{ENTITY_LABEL}) RETURN x.id "
        "}]) AS entities",
        {"ids": ids},
    )


def links(pairs: list[list[str]]) -> Cypher:
    """One row, `links`: [a, b, relationship types joining them] for each pair."""
    pattern = relationship_pattern(None)
    return (
        "UNWIND $pairs AS pair "
        f"MATCH (a:{ENTITY_LABEL} {{id: pair[0]}})-[r{pattern}]-(b:{ENTITY_LABEL} {{id: pair[1]}}) "
        "WITH pair, collect(DISTINCT type(r)) AS types "
        "RETURN collect([pair[0], pair[1], types]) AS links",
        {"pairs": pairs},
    )


def names_and_degrees(ids: list[str]) -> Cypher:
    """One row, `entities`: [id, name, number of relationships] of each entity."""
    pattern = relationship_pattern(None)
    return (
        f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) "
        f"RETURN collect([n.id, n.name, COUNT {{ (n)-[{pattern}]-() }}]) AS entities",
        {"ids": ids},
    )


# Every mark, as the pair of entities it names now (ids merged away read through their
# redirects; a redirect always points at a live entity, graph/cypher/changes.py).
_RESOLVED_MARKS = (
    f"MATCH (d:{DISTINCT_LABEL}) "
    "OPTIONAL MATCH (:Redirect {id: d.a})-[:MERGED_INTO]->(sa:Entity) "
    "OPTIONAL MATCH (:Redirect {id: d.b})-[:MERGED_INTO]->(sb:Entity) "
    "WITH d, coalesce(sa.id, d.a) AS a, coalesce(sb.id, d.b) AS b "
)


def distinct_pairs() -> Cypher:
    """One row, `pairs`: [a, b] for every mark, as the entities are now."""
    return _RESOLVED_MARKS + "RETURN collect([a, b]) AS pairs", {}


def distinct_key(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def mark_distinct(a: str, b: str, note: str | None, change: dict[str, Any]) -> Cypher:
    """Marks two (current) entity ids distinct; `created` false when they were already."""
    return (
        "OPTIONAL CALL () { "
        + _RESOLVED_MARKS
        + "WHERE (a = $a AND b = $b) OR (a = $b AND b = $a) RETURN d LIMIT 1 } "
        "WITH d AS existing "
        "CALL (existing) { "
        "  WITH existing WHERE existing IS NULL "
        f"  MERGE (d:{DISTINCT_LABEL} {{key: $key}}) "
        "  ON CREATE SET d.a = $a, d.b = $b, d.note = $note, d.by = $by, d.at = $at "
        "  RETURN count(*) AS created "
        "} "
        "RETURN existing IS NULL AND created > 0 AS created",
        {"a": a, "b": b, "key": distinct_key(a, b), "note": note, **change},
    )


def kinds_of(ids: list[str]) -> Cypher:
    return (
        f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) RETURN n.id AS id, n.kind AS kind",
        {"ids": ids},
    )


def unmark_distinct(a: str, b: str) -> Cypher:
    """Removes every mark that names these two (current) entities; returns how many."""
    return (
        _RESOLVED_MARKS + "WHERE (a = $a AND b = $b) OR (a = $b AND b = $a) "
        "DETACH DELETE d RETURN count(*) AS removed",
        {"a": a, "b": b},
    )


# --- Keys' upkeep ------------------------------------------------------------------------

# The rules the keys were made by, kept on the graph version node (as the claims'
# migration keeps its own, graph/cypher/setup.py), and whether there is anything to key.
KEYS_STATE: Cypher = (
    "OPTIONAL MATCH (v:GraphVersion {id: 'graph'}) "
    "RETURN v.duplicateKeys AS version, EXISTS { MATCH (n:Entity) } AS entities",
    {},
)


def record_keys_version(version: int) -> Cypher:
    return (
        "MERGE (v:GraphVersion {id: 'graph'}) "
        "ON CREATE SET v.epoch = randomUUID(), v.version = 0 "
        "SET v.duplicateKeys = $version",
        {"version": version},
    )


def names_after(after: str, batch: int, missing_only: bool) -> Cypher:
    """Up to `batch` entities after id `after` (id order), with what their keys are made
    of; with `missing_only`, those without keys only."""
    return (
        f"MATCH (n:{ENTITY_LABEL}) WHERE n.id > $after "
        f"AND (NOT $missing OR n.{DUPLICATE_KEYS} IS NULL) "
        "WITH n ORDER BY n.id LIMIT $batch "
        "RETURN n.id AS id, n.name AS name, coalesce(n.aliases, []) AS aliases, "
        "n.nameZh AS nameZh",
        {"after": after, "batch": batch, "missing": missing_only},
    )


def set_keys(rows: list[dict[str, Any]]) -> Cypher:
    """Rows {id, keys}: the entity's keys, replaced."""
    return (
        f"UNWIND $rows AS row MATCH (n:{ENTITY_LABEL} {{id: row.id}}) "
        f"SET n.{DUPLICATE_KEYS} = row.keys RETURN count(n) AS written",
        {"rows": rows},
    )
