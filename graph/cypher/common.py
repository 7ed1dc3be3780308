"""Fragments shared by the builders, and the allow-listed pieces of query text."""

from __future__ import annotations

from collections.abc import Iterable

from graph.domain import RELATIONSHIP_TYPES

# What a query returns for a node: all its properties; the Python side splits them
# into the entity's fields and its public `properties`.
NODE = "properties({var})"

# An entity's name as NAME pages order it (case-insensitive), stored so that a range
# index per label serves that order (graph.cypher.setup, graph.cypher.collections).
# Every write that sets a name sets it too; a missing name sorts as ''.
SORT_NAME = "_sortName"

# Properties kept on nodes and relationships for the service's own use, never shown.
INTERNAL_PROPERTIES = frozenset({"_prov", "_search", SORT_NAME})


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
        raise ValueError(f"undeclared relationship types: {unknown}")
    if not chosen:
        raise ValueError("at least one relationship type is needed")
    return ":" + "|".join(chosen)
