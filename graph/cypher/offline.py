"""What the offline importer (graph/bulk/offline.py) writes online once the import tool
has built the store: the Change records the facts name, the conflicts, and list
properties that are empty (the tool stores no empty list)."""

from __future__ import annotations

from typing import Any

from graph.cypher.common import relationship_pattern
from graph.db import Cypher
from graph.domain import ENTITY_LABEL

# Nothing in the store but, at most, its version node (schema statements are writes,
# and every write transaction makes that node).
EMPTY: Cypher = (
    "OPTIONAL MATCH (n) WHERE NOT n:GraphVersion WITH n LIMIT 1 RETURN n IS NULL AS empty",
    {},
)


def changes(records: list[dict[str, Any]]) -> Cypher:
    """The Change records of the run, as ingestion's batches make them
    (graph/cypher/writes.py, `_BATCH_CHANGES`): stamped by the transaction's commit."""
    return (
        "UNWIND $records AS r CREATE (c:Change:Unsequenced) SET c = r",
        {"records": records},
    )


def conflicts(rows: list[dict[str, Any]]) -> Cypher:
    return (
        "UNWIND $rows AS row MERGE (k:Conflict {id: row.id}) SET k += row.props",
        {"rows": rows},
    )


def entity_lists(rows: list[dict[str, Any]]) -> Cypher:
    return (
        f"UNWIND $rows AS row MATCH (n:{ENTITY_LABEL} {{id: row.id}}) SET n += row.props",
        {"rows": rows},
    )


def relationship_lists(rel_type: str, rows: list[dict[str, Any]]) -> Cypher:
    """`rel_type` is checked against the declared types (relationship_pattern)."""
    return (
        f"UNWIND $rows AS row MATCH (:{ENTITY_LABEL} {{id: row.from}})"
        f"-[r{relationship_pattern([rel_type])}]->(:{ENTITY_LABEL} {{id: row.to}}) "
        "SET r += row.props",
        {"rows": rows},
    )
