"""One relationship field of one node, as map entries inside the node's projection: a
filtered, sorted page of (relationship, other end) rows, and when asked its total count
and aggregates. Every part is an expression (COLLECT / COUNT subqueries), so it nests in
`graph.cypher.projection` at any depth and a root field stays one query.

Pages are keyset-based like the root collections (graph.cypher.collections): each row
carries its sort key and a tie-break that is unique among the node's relationships (the
other end's id, the type and the direction), and a cursor resumes strictly after them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import count
from typing import Any

from graph.cypher.common import (
    SORT_NAME,
    SOURCES,
    amount_of,
    currency_of,
    date_of,
    relationship_pattern,
)
from graph.cypher.filters import Params, compile_where, edge_clauses
from graph.cypher.plan import SOURCES_KEY, RelPlan, Window
from graph.domain import (
    DATE,
    INT,
    NUMBER,
    RELATIONSHIP_PROPERTIES,
    RELATIONSHIP_TYPES,
    TEXT,
    Money,
    Property,
)

_ARROWS = {"OUT": ("-", "->"), "IN": ("<-", "-"), "BOTH": ("-", "-")}

# The lowest value of each sortable type: a missing value sorts as it, so that the
# keyset comparison stays total.
_SENTINELS: dict[str, Any] = {TEXT: "", DATE: dt.date(1, 1, 1), INT: -1.0e300, NUMBER: -1.0e300}
SORTABLE = frozenset(_SENTINELS)


def sort_expression(window: Window, var: str, r: str, m: str) -> tuple[str, Any]:
    """The expression a window is ordered by, and its sentinel for missing values."""
    if window.sort == "NAME":
        return f"{m}.{SORT_NAME}", ""
    if window.sort == "DATE":
        return date_of(m), _SENTINELS[DATE]
    if window.sort == "AMOUNT":
        return amount_of(m), _SENTINELS[NUMBER]
    if window.sort == "TYPE":
        return f"type({r}) + '\\u0000' + coalesce({m}.{SORT_NAME}, '')", ""
    if window.sort.startswith("EDGE:"):
        name = window.sort[5:]
        types = _edge_properties(window)
        if types.get(name) not in SORTABLE:
            raise ValueError(f"relationships cannot be sorted by {name!r}")
        return f"{r}.`{name}`", _SENTINELS[types[name]]
    raise ValueError(f"unknown sort {window.sort!r}")


def tie_break(var: str, r: str, m: str) -> str:
    """Unique among one node's relationships: a pair is linked at most once per type and
    direction (graph.cypher.writes MERGEs on both ends and the type)."""
    return (
        f"{m}.id + '\\u0000' + type({r}) + CASE WHEN startNode({r}) = {var} THEN '>' ELSE '<' END"
    )


def _edge_properties(window: Window) -> dict[str, str]:
    """The declared properties of the window's relationship types (all must agree)."""
    out: dict[str, str] = {}
    for t in window.types or RELATIONSHIP_PROPERTIES:
        out.update(RELATIONSHIP_PROPERTIES[t])
    return out


def _declared(window: Window) -> dict[str, Property | Money]:
    """The declared properties of the window's relationship types, by name."""
    types = window.types or tuple(RELATIONSHIP_TYPES)
    return {p.name: p for t in types for p in RELATIONSHIP_TYPES[t].properties}


def _money_sum(filtered: str, amount: str, currency: str, i: int) -> str:
    """Per currency, the sum, count, min and max of `amount` over the rows `filtered`
    matches, as a list of maps ordered by currency.

    Folded with reduce() over a COLLECT list, not aggregated with sum() / min(): Neo4j
    refuses aggregating functions in a subquery expression that sits inside another
    aggregation or subquery's map (this projection always does)."""
    last = "acc[-1]"
    return (
        f"reduce(acc = [], x IN COLLECT {{ {filtered} "
        f"WITH {currency} AS c{i}, {amount} AS a{i} "
        f"WHERE c{i} IS NOT NULL AND a{i} IS NOT NULL "
        f"WITH c{i}, a{i} ORDER BY c{i} RETURN [c{i}, a{i}] }} | "
        f"CASE WHEN size(acc) > 0 AND {last}.currency = x[0] "
        f"THEN acc[..-1] + [{{currency: x[0], amount: {last}.amount + x[1], "
        f"count: {last}.count + 1, "
        f"min: CASE WHEN x[1] < {last}.min THEN x[1] ELSE {last}.min END, "
        f"max: CASE WHEN x[1] > {last}.max THEN x[1] ELSE {last}.max END}}] "
        "ELSE acc + [{currency: x[0], amount: x[1], count: 1, min: x[1], max: x[1]}] END)"
    )


def window_entries(
    var: str,
    rel: RelPlan,
    params: dict,
    counter: count,
    project: Callable[[str, Any, dict, count], str],
) -> list[str]:
    """`key: expression` entries for the node's projection (see the module docstring)."""
    window = rel.window
    assert window is not None
    i = next(counter)
    r, m = f"r{i}", f"m{i}"
    values = Params(params)
    left, right = _ARROWS[window.direction]
    pattern = relationship_pattern(list(window.types) if window.types else None)
    match = f"MATCH ({var}){left}[{r}{pattern}]{right}({m}:Entity)"
    conditions = [
        compile_where(m, window.where, values),
        *edge_clauses(r, _declared(window), window.edge_where or {}, values),
    ]
    filtered = f"{match} WHERE {' AND '.join(conditions)}"

    key_expr, sentinel = sort_expression(window, var, r, m)
    key_expr = f"coalesce({key_expr}, {values.add(sentinel)})"
    tie = tie_break(var, r, m)
    order = "DESC" if window.descending else "ASC"
    keyset = "true"
    if window.after is not None:
        op = "<" if window.descending else ">"
        k, t = values.add(window.after[0]), values.add(window.after[1])
        keyset = f"({key_expr} {op} {k} OR ({key_expr} = {k} AND {tie} {op} {t}))"
    limit = values.add(window.first + 1 if window.paged else window.first)

    edge = "{}"
    if rel.edge_props or rel.edge_sources:
        edge = f"{r} {{.*}}"
    if rel.edge_sources:
        edge = f"{r} {{.*, {SOURCES_KEY}: {SOURCES.format(var=r, i=next(counter))}}}"
    other = project(m, rel.other, params, counter)
    key = window.key
    if window.paged:  # edges: cursors, relationship ids, the relationship's own view
        row = (
            f"type: type({r}), outgoing: startNode({r}) = {var}, props: {edge}, "
            f"other: {other}, key: k{i}, tie: t{i}"
        )
    else:
        # A list or single-valued field of one type shows the other ends, and the
        # relationship's properties when a wrapper reads them: nothing else is sent
        # (the type, direction and sort keys of each row were ~20% of the nested
        # entity's time in Neo4j and the driver, bench/FINDINGS.md).
        row = f"other: {other}" if edge == "{}" else f"props: {edge}, other: {other}"
    entries = [
        f"`{key}`: COLLECT {{ {filtered} AND {keyset} "
        f"WITH {r}, {m}, {key_expr} AS k{i}, {tie} AS t{i} "
        f"ORDER BY k{i} {order}, t{i} {order} LIMIT {limit} "
        f"RETURN {{{row}}} }}"
    ]
    if rel.total or rel.aggregate:
        entries.append(f"`{key}_n`: COUNT {{ {filtered} }}")
    if rel.aggregate:
        entries.append(f"`{key}_sum`: {_money_sum(filtered, amount_of(m), currency_of(m), i)}")
        # The relationships' own money (a fund's investment), per declared property.
        sums = []
        for p in _declared(window).values():
            if isinstance(p, Money):
                amount, currency = (f"{r}.`{c}`" for c in p.columns)
                sums.append(f"`{p.name}`: {_money_sum(filtered, amount, currency, i)}")
        if sums:
            entries.append(f"`{key}_esum`: {{{', '.join(sums)}}}")
        date = date_of(m)
        entries.append(
            f"`{key}_dates`: reduce(acc = null, d IN COLLECT {{ {filtered} "
            f"WITH {date} AS d{i} WHERE d{i} IS NOT NULL RETURN d{i} }} | "
            "{earliest: CASE WHEN acc IS NULL OR d < acc.earliest THEN d ELSE acc.earliest END, "
            "latest: CASE WHEN acc IS NULL OR d > acc.latest THEN d ELSE acc.latest END, "
            "count: coalesce(acc.count, 0) + 1})"
        )
    return entries
