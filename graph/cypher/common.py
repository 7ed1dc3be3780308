"""Fragments shared by the builders, and the allow-listed pieces of query text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.domain import DATE_COLUMNS, RELATIONSHIP_TYPES, TOTALS
from graph.wording import all_of

# What a query returns for a node: all its properties; the Python side splits them
# into the entity's fields and its public `properties`.
NODE = "properties({var})"

# An entity's name as NAME pages order it (case-insensitive), stored so that a range
# index per label serves that order (graph.cypher.setup, graph.cypher.collections).
# Every write that sets a name sets it too; a missing name sorts as ''.
SORT_NAME = "_sortName"

# An entity's blocking keys for the duplicate finder (graph/matching/names.py), a list
# kept by every write of its names (graph/cypher/writes.py, changes.py, duplicates.py).
DUPLICATE_KEYS = "_dupKeys"

# The sources of a node's or relationship's provenance (`_prov` entries are
# `source|paragraph|locator`), as a list of maps; `{i}` keeps its variables apart.
SOURCES = (
    "COLLECT {{ UNWIND coalesce({var}._prov, []) AS p{i} "
    "WITH DISTINCT split(p{i}, '|')[0] AS sid{i} "
    "MATCH (s{i}:Source {{id: sid{i}}}) RETURN properties(s{i}) }}"
)

# Properties kept on nodes and relationships for the service's own use, never shown.
INTERNAL_PROPERTIES = frozenset({"_prov", "_search", SORT_NAME, DUPLICATE_KEYS})


def search_text_of(var: str) -> str:
    """The expression that computes `var`'s `_search` from its aliases (null with none)."""
    return f"reduce(t = '', x IN {var}.aliases | t + x + ' ; ')"


def stored(props: dict[str, Any]) -> dict[str, Any]:
    """Properties as written: an empty list is no property (null removes it), as every
    write and Neo4j's import tool (graph/bulk/offline.py) keep them."""
    return {k: None if isinstance(v, list) and not v else v for k, v in props.items()}


def stored_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose `props` are written whole (`SET n = row.props`), as `stored`."""
    return [{**row, "props": stored(row["props"])} for row in rows]


def sort_name_of(var: str) -> str:
    """The expression that computes `var`'s stored sort key from its name."""
    return f"coalesce(toLower({var}.name), '')"


def relationship_pattern(types: Iterable[str] | None) -> str:
    """`:A|B|C` for declared relationship types only (an allow-list, never user text).

    With no types, every declared type: provenance links and anything undeclared are
    never followed.
    """
    chosen = list(RELATIONSHIP_TYPES) if types is None else list(types)
    unknown = [t for t in chosen if t not in RELATIONSHIP_TYPES]
    if unknown:
        raise ValueError(
            f"relationship type {all_of(map(repr, unknown))} is not declared; the declared "
            f"types are {all_of(sorted(RELATIONSHIP_TYPES))}"
        )
    if not chosen:
        raise ValueError("at least one relationship type is needed")
    return ":" + "|".join(chosen)


def _by_kind(var: str, columns: dict[str, str], kinds: Iterable[Any] | None = None) -> str:
    """A CASE on the node's kind choosing one declared property per kind (null for kinds
    that declare none). Kind and property names come from the domain, never a client.

    With `kinds` (what the node is known to be: a collection's label), only those arms;
    one kind is its bare property, which a range index on it can serve (a CASE cannot)."""
    if kinds is not None:
        wanted = {str(k) for k in kinds}
        columns = {k: c for k, c in columns.items() if k in wanted}
        if len(wanted) == 1 and len(columns) == 1:
            return f"{var}.`{next(iter(columns.values()))}`"
    if not columns:
        return "null"
    arms = " ".join(f"WHEN '{kind}' THEN {var}.`{column}`" for kind, column in columns.items())
    return f"CASE {var}.kind {arms} END"


def date_of(var: str, kinds: Iterable[Any] | None = None) -> str:
    """The node's date on a timeline: the property its kind declares as its date."""
    return _by_kind(var, {str(k): c for k, c in DATE_COLUMNS.items()}, kinds)


def amount_of(var: str, kinds: Iterable[Any] | None = None) -> str:
    """The amount of the money the node's kind totals (a credit's amount, ...)."""
    return _by_kind(var, {str(k): m.amount for k, m in TOTALS.items()}, kinds)


def currency_of(var: str, kinds: Iterable[Any] | None = None) -> str:
    """The currency of the money the node's kind totals."""
    return _by_kind(var, {str(k): m.currency for k, m in TOTALS.items()}, kinds)
