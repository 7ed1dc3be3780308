"""Entity filters (see `graph.types.filters`) compiled to WHERE expressions whose values are
all parameters: used by the root collections and by relationship fields at any depth."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.cypher.common import amount_of, currency_of, date_of, relationship_pattern
from graph.domain import (
    BOOL,
    DATE,
    INT,
    NUMBER,
    RELATIONSHIP_PROPERTY_DECLS,
    RELATIONSHIP_TYPES,
    TEXT,
    Money,
    Property,
)


@dataclass
class Params:
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def string_clauses(expr: str, spec: dict[str, Any], params: Params) -> list[str]:
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
    parts = string_clauses(f"{var}.name", spec, params)
    alias_parts = string_clauses("a", spec, params)
    if not parts:
        return []
    name_clause = " AND ".join(parts)
    alias_clause = " AND ".join(alias_parts)
    return [f"({name_clause} OR any(a IN coalesce({var}.aliases, []) WHERE {alias_clause}))"]


def range_clauses(
    expr: str, spec: dict[str, Any], params: Params, low: str, high: str
) -> list[str]:
    """Inclusive bounds; false, never null, when the value is missing."""
    out = []
    if spec.get(low) is not None:
        out.append(f"({expr} IS NOT NULL AND {expr} >= {params.add(spec[low])})")
    if spec.get(high) is not None:
        out.append(f"({expr} IS NOT NULL AND {expr} <= {params.add(spec[high])})")
    return out


def _money_clauses(amount: str, currency: str, spec: dict[str, Any], params: Params) -> list[str]:
    """An amount range, in one currency when `currency` is given."""
    clauses = range_clauses(amount, spec, params, "min", "max")
    if spec.get("currency"):
        clauses.append(f"({currency} IS NOT NULL AND {currency} = {params.add(spec['currency'])})")
    return clauses


def edge_clauses(
    r: str, declared: dict[str, Property | Money], spec: dict[str, Any], params: Params
) -> list[str]:
    """Conditions on relationship `r`'s own properties, each by its declared type
    (`declared`: the properties of the types `r` can be, by name; names and columns come
    from the declaration, never from a client)."""
    clauses: list[str] = []
    for name, condition in sorted(spec.items()):
        prop = declared.get(name)
        if prop is None:
            raise ValueError(f"the relationship has no property {name!r}")
        if isinstance(prop, Money):
            amount, currency = (f"{r}.`{c}`" for c in prop.columns)
            clauses += _money_clauses(amount, currency, condition, params)
            continue
        expr = f"{r}.`{prop.stored}`"
        if prop.type == TEXT:
            clauses += string_clauses(expr, condition, params)
        elif prop.type == DATE:
            clauses += range_clauses(expr, condition, params, "after", "before")
        elif prop.type in (INT, NUMBER):
            clauses += range_clauses(expr, condition, params, "min", "max")
        elif prop.type == BOOL:
            # A missing value reads as the declared default, as the field shows it.
            if prop.default is not None:
                expr = f"coalesce({expr}, {params.add(prop.default)})"
            clauses.append(f"({expr} IS NOT NULL AND {expr} = {params.add(condition)})")
        else:
            raise ValueError(f"relationships cannot be filtered by {name!r}")
    return clauses


def compile_where(
    var: str,
    where: dict[str, Any] | None,
    params: Params,
    depth: int = 0,
    kinds: Iterable[Any] | None = None,
) -> str:
    """A WHERE expression for `var` (always parenthesised; 'true' when empty). `kinds`:
    the kinds `var` can be (its label's), so dates and money read their property."""
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
        clauses += range_clauses(date_of(var, kinds), where["date"], params, "after", "before")
    if where.get("amount"):
        spec = where["amount"]
        clauses += _money_clauses(amount_of(var, kinds), currency_of(var, kinds), spec, params)
    for rel in where.get("related") or []:
        clauses.append(_related(var, rel, params, depth))
    for rel in where.get("not_related") or []:
        clauses.append("NOT " + _related(var, rel, params, depth))
    if where.get("and_"):
        clauses += [compile_where(var, w, params, depth + 1, kinds) for w in where["and_"]]
    if where.get("or_"):
        clauses.append(
            "("
            + " OR ".join(compile_where(var, w, params, depth + 1, kinds) for w in where["or_"])
            + ")"
        )
    if where.get("not_"):
        clauses.append("NOT " + compile_where(var, where["not_"], params, depth + 1, kinds))
    return "(" + " AND ".join(clauses) + ")" if clauses else "true"


_ARROWS = {"OUT": ("-", "->"), "IN": ("<-", "-"), "BOTH": ("-", "-")}


def _related(var: str, rel: dict[str, Any], params: Params, depth: int) -> str:
    """EXISTS { (var)-[:TYPE]-(m) WHERE <nested filter on m> } — nestable, so 'organizations
    that borrowed a credit lent by Bank of Beijing' is two levels."""
    # Named after `var`, so a filter inside a nested projection never reuses (and so
    # never binds to) a variable of the query around it.
    other = f"{var}_m{depth}"
    r = f"{var}_r{depth}"
    left, right = _ARROWS[rel.get("direction", "BOTH")]
    pattern = relationship_pattern([rel["type"]] if rel.get("type") else None)
    inner = compile_where(other, rel.get("where"), params, depth + 1)
    on_edge = {k: v for k, v in rel.items() if k not in ("type", "direction", "where")}
    if rel.get("type"):
        declared = {p.name: p for p in RELATIONSHIP_TYPES[rel["type"]].properties}
        missing = sorted(set(on_edge) - set(declared))
        if missing:
            raise ValueError(f"{rel['type']} relationships have no property {missing[0]!r}")
    else:
        declared = RELATIONSHIP_PROPERTY_DECLS
    edge = " AND ".join(edge_clauses(r, declared, on_edge, params)) or "true"
    return (
        f"EXISTS {{ MATCH ({var}){left}[{r}{pattern}]{right}({other}:Entity) "
        f"WHERE {inner} AND {edge} }}"
    )
