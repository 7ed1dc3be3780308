"""Filtered, sorted, keyset-paginated pages of one kind of entity.

A filter is a small tree (see `graph.types.filters`) compiled here to a WHERE clause whose
values are all parameters. Pages are keyset-based: the cursor holds the last row's sort
key and id, and the next page starts strictly after that pair, so page 1,000 costs what
page 1 costs and rows inserted meanwhile never make a page repeat or skip an item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from graph.cypher.common import SORT_NAME, relationship_pattern
from graph.cypher.plan import Plan
from graph.cypher.projection import project
from graph.db import Cypher
from graph.domain import ENTITY_LABEL, LABELS, Kind

# Sort keys: the expression that orders rows, per key name. Nulls sort as the sentinel so
# the keyset comparison stays total. NAME is the stored key (graph.cypher.common), never
# null, so it has no sentinel: compared bare, its range index serves the order.
SORT_KEYS: dict[str, tuple[str, Any]] = {
    "NAME": (f"n.{SORT_NAME}", None),
    "DATE": ("coalesce(n.date, n.signedOn, n.publishedOn)", dt.date(1, 1, 1)),
    "AMOUNT": ("coalesce(n.amount, n.totalCredit)", -1.0),
}


@dataclass
class Params:
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def _string(expr: str, spec: dict[str, Any], params: Params) -> list[str]:
    """Clauses on a text value. Each is false, never null, when the value is missing, so
    NOT is a true complement (in Cypher, NOT null is null)."""
    insensitive = spec.get("case_insensitive", True)
    target = f"toLower({expr})" if insensitive else expr

    def value(v: Any) -> str:
        if isinstance(v, list):
            return params.add([x.lower() if insensitive else x for x in v])
        return params.add(v.lower() if insensitive else v)

    operators = {"equals": "=", "contains": "CONTAINS", "starts_with": "STARTS WITH", "in_": "IN"}
    return [
        f"({expr} IS NOT NULL AND {target} {op} {value(spec[key])})"
        for key, op in operators.items()
        if spec.get(key) is not None
    ]


def _name(var: str, spec: dict[str, Any], params: Params) -> list[str]:
    """A name filter matches the name or any alias."""
    parts = _string(f"{var}.name", spec, params)
    alias_parts = _string("a", spec, params)
    if not parts:
        return []
    name_clause = " AND ".join(parts)
    alias_clause = " AND ".join(alias_parts)
    return [f"({name_clause} OR any(a IN coalesce({var}.aliases, []) WHERE {alias_clause}))"]


def _range(expr: str, spec: dict[str, Any], params: Params, low: str, high: str) -> list[str]:
    """Inclusive bounds; false, never null, when the value is missing."""
    out = []
    if spec.get(low) is not None:
        out.append(f"({expr} IS NOT NULL AND {expr} >= {params.add(spec[low])})")
    if spec.get(high) is not None:
        out.append(f"({expr} IS NOT NULL AND {expr} <= {params.add(spec[high])})")
    return out


def compile_where(var: str, where: dict[str, Any] | None, params: Params, depth: int = 0) -> str:
    """A WHERE expression for `var` (always parenthesised; 'true' when empty)."""
    if not where:
        return "true"
    if depth > 5:
        raise ValueError("filters nest at most 5 levels deep")
    clauses: list[str] = []
    if where.get("id") is not None:
        clauses.append(f"{var}.id = {params.add(where['id'])}")
    if where.get("ids") is not None:
        clauses.append(f"{var}.id IN {params.add(where['ids'])}")
    if where.get("name"):
        clauses += _name(var, where["name"], params)
    if where.get("kinds") is not None:
        clauses.append(f"{var}.kind IN {params.add(where['kinds'])}")
    if where.get("date"):
        expr = f"coalesce({var}.date, {var}.signedOn)"
        clauses += _range(expr, where["date"], params, "after", "before")
    if where.get("amount"):
        spec = where["amount"]
        expr = f"coalesce({var}.amount, {var}.totalCredit)"
        clauses += _range(expr, spec, params, "min", "max")
        if spec.get("currency"):
            currency = f"coalesce({var}.currency, {var}.totalCreditCurrency)"
            clauses.append(
                f"({currency} IS NOT NULL AND {currency} = {params.add(spec['currency'])})"
            )
    for rel in where.get("related") or []:
        clauses.append(_related(var, rel, params, depth))
    for rel in where.get("not_related") or []:
        clauses.append("NOT " + _related(var, rel, params, depth))
    if where.get("and_"):
        clauses += [compile_where(var, w, params, depth + 1) for w in where["and_"]]
    if where.get("or_"):
        clauses.append(
            "(" + " OR ".join(compile_where(var, w, params, depth + 1) for w in where["or_"]) + ")"
        )
    if where.get("not_"):
        clauses.append("NOT " + compile_where(var, where["not_"], params, depth + 1))
    return "(" + " AND ".join(clauses) + ")" if clauses else "true"


_ARROWS = {"OUT": ("-", "->"), "IN": ("<-", "-"), "BOTH": ("-", "-")}


def _related(var: str, rel: dict[str, Any], params: Params, depth: int) -> str:
    """EXISTS { (var)-[:TYPE]-(m) WHERE <nested filter on m> } — nestable, so 'organizations
    that borrowed a credit lent by Bank of Beijing' is two levels."""
    other = f"m{depth}"
    r = f"r{depth}"
    left, right = _ARROWS[rel.get("direction", "BOTH")]
    pattern = relationship_pattern([rel["type"]] if rel.get("type") else None)
    inner = compile_where(other, rel.get("where"), params, depth + 1)
    edge_clauses = []
    if rel.get("title"):
        edge_clauses += _string(f"{r}.title", rel["title"], params)
    if rel.get("role"):
        edge_clauses += _string(f"{r}.role", rel["role"], params)
    edge = " AND ".join(edge_clauses) if edge_clauses else "true"
    return (
        f"EXISTS {{ MATCH ({var}){left}[{r}{pattern}]{right}({other}:Entity) "
        f"WHERE {inner} AND {edge} }}"
    )


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


def _label(page: Page) -> str:
    """The label to match. All kinds filtered to one kind at the top level match that
    kind's label (every entity has its kind's label, graph.cypher.writes), so its sort-key
    index serves a NAME page: through the Entity one, the planner read the sort keys of
    every kind to find a rare kind's few rows (measured), where before it sought its kind."""
    if page.kind:
        return page.kind.label
    kinds = (page.where or {}).get("kinds")
    if kinds is not None and len(kinds) == 1 and kinds[0] in LABELS:
        return Kind(kinds[0]).label
    return ENTITY_LABEL


def page_of_entities(page: Page) -> Cypher:
    params = Params()
    label = _label(page)
    key_expr, sentinel = SORT_KEYS[page.sort]
    where = compile_where("n", page.where, params)
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
