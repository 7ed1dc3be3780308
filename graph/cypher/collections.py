"""Filtered, sorted, keyset-paginated pages of one kind of entity.

A filter (graph.cypher.filters) becomes a WHERE clause whose values are all parameters.
Pages are keyset-based: the cursor holds the last row's sort key and id, and the next
page starts strictly after that pair, so page 1,000 costs what page 1 costs and rows
inserted meanwhile never make a page repeat or skip an item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.cypher.common import SORT_NAME, amount_of, date_of
from graph.cypher.filters import Params, compile_where
from graph.cypher.plan import Plan
from graph.cypher.projection import project
from graph.db import Cypher
from graph.domain import ENTITY_LABEL, LABELS, Kind

# Sort keys: the expression that orders rows, per key name, for the kinds a collection
# holds (one kind: its date or amount property itself, not a CASE over every kind). Nulls
# sort as the sentinel so the keyset comparison stays total. NAME is the stored key
# (graph.cypher.common), never null, so it has no sentinel: compared bare, its range
# index serves the order.
SORT_KEYS: dict[str, tuple[Callable[[list[Kind] | None], str], Any]] = {
    "NAME": (lambda _: f"n.{SORT_NAME}", None),
    "DATE": (lambda kinds: date_of("n", kinds), dt.date(1, 1, 1)),
    "AMOUNT": (lambda kinds: amount_of("n", kinds), -1.0),
}


@dataclass(frozen=True)
class Page:
    kind: Kind | None
    where: dict[str, Any] | None
    sort: str = "NAME"
    descending: bool = False
    first: int = 20
    after: tuple[Any, str] | None = None
    with_total: bool = False
    plan: Plan | None = None


def _kinds(page: Page) -> list[Kind] | None:
    """The kinds every matched node has, when the page says (one kind's collection)."""
    if page.kind:
        return [page.kind]
    kinds = (page.where or {}).get("kinds")
    if kinds is not None and len(kinds) == 1 and kinds[0] in LABELS:
        return [Kind(kinds[0])]
    return None


def _label(page: Page) -> str:
    """The label to match. All kinds filtered to one kind at the top level match that
    kind's label (every entity has its kind's label, graph.cypher.writes), so its sort-key
    index serves a NAME page: through the Entity one, the planner read the sort keys of
    every kind to find a rare kind's few rows (measured), where before it sought its kind."""
    kinds = _kinds(page)
    return kinds[0].label if kinds else ENTITY_LABEL


def page_of_entities(page: Page) -> Cypher:
    params = Params()
    label = _label(page)
    kinds = _kinds(page)
    key_of, sentinel = SORT_KEYS[page.sort]
    key_expr = key_of(kinds)
    where = compile_where("n", page.where, params, kinds=kinds)
    op = "<" if page.descending else ">"
    if sentinel is None:
        # A range on the bare key, on the first page too (every string is >= ''), lets the
        # planner seek the key's range index and read it in order, stopping after `first`
        # rows, instead of scanning and sorting the whole label. The first conjunct is the
        # seek; the second, the tie-break on id at the cursor's key, says `<>` rather than
        # `op`: with `key > $k OR n.id > $i` both sides can use an index, and the planner
        # answered the OR with a union of two seeks, which loses the order (a full sort
        # of the rest of the label, measured).
        if page.after is None:
            keyset = f"{key_expr} >= {params.add('')}"
        else:
            k, i = params.add(page.after[0]), params.add(page.after[1])
            keyset = f"{key_expr} {op}= {k} AND ({key_expr} <> {k} OR n.id {op} {i})"
    else:
        key_expr = f"coalesce({key_expr}, {params.add(sentinel)})"
        keyset = "true"
        if page.after is not None:
            k, i = params.add(page.after[0]), params.add(page.after[1])
            keyset = f"({key_expr} {op} {k} OR ({key_expr} = {k} AND n.id {op} {i}))"
    order = "DESC" if page.descending else "ASC"
    total = (
        f"CALL () {{ MATCH (n:{label}) WHERE {where} RETURN count(n) AS total }} "
        if page.with_total
        else "CALL () { RETURN null AS total } "
    )
    # The keyset condition stands in the MATCH's WHERE, on the key expression itself: put
    # after the key's projection, the planner sorted every row before filtering them (a
    # full sort, growing with the depth of the page) instead of keeping the top few.
    query = (
        total + f"CALL () {{ MATCH (n:{label}) WHERE {where} AND {keyset} "
        f"WITH n, {key_expr} AS key "
        f"WITH n, key ORDER BY key {order}, n.id {order} LIMIT {params.add(page.first + 1)} "
        f"RETURN collect({{node: {project('n', page.plan, params.values)}, key: key}}) AS rows }} "
        "RETURN total, rows"
    )
    return query, params.values
