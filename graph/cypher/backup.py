"""Reading the whole graph page by page, and writing it back (graph/backup.py).

Reads walk internal ids in ranges (`UNWIND range(...)` seeks each id), so every page
costs what it returns, whatever the size of the store. Writes take labels and
relationship types only from `allowed_labels()` / `allowed_types()`: the declared domain
and the service's own labels, checked before any query text is made.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.cypher.duplicates import DISTINCT_LABEL
from graph.cypher.setup import SEED_LABEL
from graph.cypher.version import VERSION_LABEL
from graph.db import Cypher
from graph.domain import ENTITY_LABEL, LABELS, RELATIONSHIP_TYPES, SOURCE_LABEL

# The service's own labels and relationship types, besides the declared domain's: the
# history, merged ids and their survivor, API keys, conflicts between claims, the seed's
# fingerprints, the graph version, and editors' marks of distinct entities.
INTERNAL_LABELS = (
    "Change",
    "Redirect",
    "ApiKey",
    "Conflict",
    SEED_LABEL,
    VERSION_LABEL,
    DISTINCT_LABEL,
)
INTERNAL_TYPES = ("MERGED_INTO",)

# While a restore runs, every node it made carries this label and its id in the backup,
# so relationships find their ends by an index; both are removed at the end.
RESTORING = "Restoring"
RESTORE_KEY = "__restoreId"
RESTORE_INDEX = "restore_key"


def allowed_labels() -> frozenset[str]:
    return frozenset({ENTITY_LABEL, SOURCE_LABEL, *LABELS.values(), *INTERNAL_LABELS})


def allowed_types() -> frozenset[str]:
    return frozenset({*RELATIONSHIP_TYPES, *INTERNAL_TYPES})


COUNTS: Cypher = (
    "CALL () { MATCH (n) RETURN count(n) AS nodes, max(id(n)) AS maxNode } "
    "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships, max(id(r)) AS maxRel } "
    "RETURN nodes, relationships, coalesce(maxNode, -1) AS maxNode, "
    "coalesce(maxRel, -1) AS maxRel",
    {},
)

# Counts alone come from Neo4j's count store, without reading the graph.
QUICK_COUNTS: Cypher = (
    "CALL () { MATCH (n) RETURN count(n) AS nodes } "
    "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
    "RETURN nodes, relationships",
    {},
)


def node_page(first: int, span: int) -> Cypher:
    """The nodes whose internal ids are in [first, first + span)."""
    return (
        "UNWIND range($first, $first + $span - 1) AS i "
        "MATCH (n) WHERE id(n) = i "
        "RETURN i, labels(n) AS labels, properties(n) AS props",
        {"first": first, "span": span},
    )


def relationship_page(first: int, span: int) -> Cypher:
    return (
        "UNWIND range($first, $first + $span - 1) AS i "
        "MATCH (a)-[r]->(b) WHERE id(r) = i "
        "RETURN i, type(r) AS type, id(a) AS start, id(b) AS end, properties(r) AS props",
        {"first": first, "span": span},
    )


def _checked(names: Iterable[str], allowed: frozenset[str], what: str) -> list[str]:
    names = sorted(names)
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ValueError(f"{what} {unknown} not allowed")
    return names


def create_nodes(labels: Iterable[str], rows: list[dict]) -> Cypher:
    """Rows {i, p}: one node each, with the given (allow-listed) labels."""
    text = "".join(f":{label}" for label in _checked(labels, allowed_labels(), "labels"))
    return (
        f"UNWIND $rows AS row CREATE (n:{RESTORING}{text}) "
        f"SET n = row.p SET n.{RESTORE_KEY} = row.i "
        "RETURN count(n) AS made",
        {"rows": rows},
    )


def create_relationships(rel_type: str, rows: list[dict]) -> Cypher:
    """Rows {s, e, p}: ends by their ids in the backup."""
    [checked] = _checked([rel_type], allowed_types(), "relationship type")
    return (
        "UNWIND $rows AS row "
        f"MATCH (a:{RESTORING} {{{RESTORE_KEY}: row.s}}) "
        f"MATCH (b:{RESTORING} {{{RESTORE_KEY}: row.e}}) "
        f"CREATE (a)-[r:{checked}]->(b) SET r = row.p "
        "RETURN count(r) AS made",
        {"rows": rows},
    )


RESTORE_INDEX_CREATE = (
    f"CREATE INDEX {RESTORE_INDEX} IF NOT EXISTS FOR (n:{RESTORING}) ON (n.{RESTORE_KEY})"
)
RESTORE_INDEX_DROP = f"DROP INDEX {RESTORE_INDEX} IF EXISTS"


def finish_restore(batch: int) -> Cypher:
    """Up to `batch` restored nodes lose the restore's label and key; run until 0."""
    return (
        f"MATCH (n:{RESTORING}) WITH n LIMIT $batch "
        f"REMOVE n:{RESTORING}, n.{RESTORE_KEY} RETURN count(n) AS done",
        {"batch": batch},
    )
