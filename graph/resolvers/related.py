"""Relationship fields of entities: from a field's arguments to the window it reads
(graph.cypher.plan.Window), and the rows of that window, prefetched by the root field's
query (graph.cypher.related) or, when the plan did not cover the field, loaded for all
the entities of one level at once (graph.resolvers.context).

The planner (graph.resolvers.selection) builds windows with the same functions from the
same arguments, so the key it stores a window under is the key the resolver reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graph.cypher.filters import Params, compile_where
from graph.cypher.plan import DEFAULT_LIST, DEFAULT_PAGE, MAX_LIST, PREFETCHED_KEY, Window
from graph.domain import (
    DATE,
    INT,
    NUMBER,
    RELATIONSHIP_PROPERTIES,
    RELATIONSHIP_SORTS,
    TEXT,
    RelationshipField,
)
from graph.errors import BadUserInput
from graph.resolvers import cursors
from graph.resolvers.arguments import check_range

# The Python types of a sort key in a cursor, per sort.
_KEY_TYPES: dict[str, tuple[type, ...]] = {
    "NAME": (str,),
    "TYPE": (str,),
    "DATE": (dt.date,),
    "AMOUNT": (int, float),
}
_PROPERTY_KEY_TYPES: dict[str, tuple[type, ...]] = {
    TEXT: (str,),
    DATE: (dt.date,),
    INT: (int, float),
    NUMBER: (int, float),
}


def plain(value: Any) -> Any:
    """Input objects as nested dicts/lists with Python names, enums as their values, and
    nothing unset: the form filters compile from, and the form window keys hash."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "__strawberry_definition__"):
        return {k: plain(v) for k, v in vars(value).items() if v is not None}
    return value


def _sort(field_type: str, order_by: Any) -> tuple[str, bool]:
    """(sort, descending) from an `orderBy` input: NAME, DATE, AMOUNT, or a property of
    the relationship (`EDGE:<name>`)."""
    if order_by is None:
        return "NAME", False
    order = plain(order_by)
    key = order.get("key", "NAME")
    descending = order.get("direction", "ASC") == "DESC"
    if key in ("NAME", "DATE", "AMOUNT"):
        return key, descending
    name = _property_of_key(field_type, key)
    return f"EDGE:{name}", descending


def _property_of_key(rel_type: str, key: str) -> str:
    """The stored relationship property a sort key sorts by (TITLE -> title; a money
    property's key -> its amount)."""
    column = RELATIONSHIP_SORTS[rel_type].get(key)
    if column is None:
        raise BadUserInput(f"{rel_type} relationships cannot be sorted by {key}.")
    return column


def key_types(rel_type: str | None, sort: str) -> tuple[type, ...]:
    if sort.startswith("EDGE:") and rel_type is not None:
        return _PROPERTY_KEY_TYPES.get(RELATIONSHIP_PROPERTIES[rel_type].get(sort[5:], ""), ())
    return _KEY_TYPES.get(sort, ())


def list_window(
    field: RelationshipField, first: int = DEFAULT_LIST, where: Any = None, order_by: Any = None
) -> Window:
    """The window a plain list field reads (`creditsGranted(first:, where:, orderBy:)`)."""
    check_range("first", first, 1, MAX_LIST)
    sort, descending = _sort(field.type, order_by)
    return Window(
        (field.type,),
        str(field.direction),
        first,
        where=checked_where(where),
        sort=sort,
        descending=descending,
    )


def one_window(field: RelationshipField) -> Window:
    """The window a single-valued field reads (a credit's lender): the first by name."""
    return Window((field.type,), str(field.direction), 1)


def page_window(
    field: RelationshipField,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
    where: Any = None,
    edge: Any = None,
    order_by: Any = None,
) -> Window:
    """The window a connection field reads (`creditsGrantedConnection(...)`)."""
    check_range("first", first, 1, MAX_LIST)
    sort, descending = _sort(field.type, order_by)
    start = None
    if after is not None:
        start = cursors.decode(after, sort, descending, key_types(field.type, sort))
    return Window(
        (field.type,),
        str(field.direction),
        first,
        paged=True,
        where=checked_where(where),
        edge_where=plain(edge) if edge is not None else None,
        sort=sort,
        descending=descending,
        after=start,
    )


def generic_window(
    types: list[str] | None, direction: str, first: int, after: str | None
) -> Window:
    """`relationshipsConnection`: relationships of any declared type, ordered by type,
    then the other end's name."""
    check_range("first", first, 1, MAX_LIST)
    start = cursors.decode(after, "TYPE", False, (str,)) if after is not None else None
    return Window(
        tuple(types) if types else None, direction, first, paged=True, sort="TYPE", after=start
    )


@dataclass
class Fetched:
    """A window's rows (at most `first`, or `first + 1` for a page), and its count and
    aggregates when they were asked for (`edge_totals`: per money property of the
    relationship, its sums per currency)."""

    rows: list[dict]
    total: int | None = None
    totals: list[dict] | None = None
    dates: dict | None = None
    edge_totals: dict[str, list[dict]] | None = None


def prefetched(node: dict, window: Window) -> Fetched | None:
    found = node.get(PREFETCHED_KEY)
    if found is None:
        return None
    key = window.key
    rows = found.get(key)
    if rows is None:
        return None
    return Fetched(
        rows,
        found.get(f"{key}_n"),
        found.get(f"{key}_sum"),
        found.get(f"{key}_dates"),
        found.get(f"{key}_esum"),
    )


def prefetched_rows(node: dict, window: Window) -> list[dict]:
    """The window's prefetched rows; LookupError when the root field's plan did not
    fetch them (graph.execution's shortcut then leaves the field to its resolver)."""
    rows = node[PREFETCHED_KEY][window.key]
    if rows is None:
        raise LookupError(window.key)
    return rows


async def fetch(
    node: dict, info: Any, window: Window, total: bool = False, aggregate: bool = False
) -> Fetched:
    """The window's rows: prefetched, else loaded (with all other entities of this level
    that ask for the same window, in one query)."""
    found = prefetched(node, window)
    if (
        found is not None
        and (not total or found.total is not None)
        and (not aggregate or found.totals is not None)
    ):
        return found
    loaded = await info.context.related.load((node["id"], window, total, aggregate))
    return loaded if loaded is not None else Fetched([], 0, [], None)


def page_info(window: Window, fetched: Fetched) -> Any:
    from graph.types.connections import PageInfo

    rows = fetched.rows[: window.first]
    return PageInfo(
        has_next_page=len(fetched.rows) > window.first,
        end_cursor=cursor_of(window, rows[-1]) if rows else None,
    )


async def total_of(node: dict, info: Any, window: Window, fetched: Fetched) -> int:
    """The window's count over all pages: prefetched when the plan saw `totalCount`."""
    if fetched.total is None:
        fetched = await fetch(node, info, window, total=True)
    return fetched.total or 0


async def aggregate_of(node: dict, info: Any, window: Window, fetched: Fetched) -> Fetched:
    if fetched.totals is None or fetched.total is None:
        fetched = await fetch(node, info, window, total=True, aggregate=True)
    return fetched


def cursor_of(window: Window, row: dict) -> str:
    return cursors.encode(window.sort, window.descending, row["key"], row["tie"])


def check_filter_error(exc: ValueError) -> BadUserInput:
    return BadUserInput(f"The filter is not valid: {exc}.")


def checked_where(where: Any) -> dict[str, Any] | None:
    """A field's `where` as plain values, refused with BAD_USER_INPUT when the Cypher
    builder would refuse it (an undeclared relationship type in `related`, nesting too
    deep): compiled once here, by the same rules, so a window's filter never fails
    later, inside the root field's query, as an internal error."""
    if where is None:
        return None
    values = plain(where)
    try:
        compile_where("m", values, Params())
    except ValueError as exc:
        raise check_filter_error(exc) from exc
    return values
