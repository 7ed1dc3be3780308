"""Map projections that carry a whole selection's data: a node's properties plus, under
`__pf`, its prefetched relationships (each with the other end, projected the same way,
nested as deep as the selection goes), and under `__src` the sources of its provenance.

So a root field needs one query however deeply its selection nests; the resolvers read
`__pf` / `__src` instead of asking the database again.
"""

from __future__ import annotations

from itertools import count

from graph.cypher.common import SOURCES, relationship_pattern
from graph.cypher.plan import PREFETCHED_KEY, SOURCES_KEY, Plan
from graph.cypher.related import window_entries

_ARROWS = {"OUT": ("-", "->"), "IN": ("<-", "-"), "BOTH": ("-", "-")}

_SOURCES = SOURCES


def _properties(var: str, plan: Plan) -> list[str]:
    """The node's properties the plan reads (`.*`: all of them). Names come from the
    declared domain through the planner (graph.resolvers.selection), never from a client."""
    if not plan.planned or plan.props is None:
        return [".*"]
    return [f".`{name}`" for name in sorted(plan.props)]


def project(var: str, plan: Plan | None, params: dict, counter: count | None = None) -> str:
    """A map expression for node `var` shaped by `plan` (plain properties when None)."""
    if plan is None or (
        not plan.sources and not plan.rels and (not plan.planned or plan.props is None)
    ):
        return f"properties({var})"
    counter = counter or count()
    extra = _properties(var, plan)
    if plan.sources:
        extra.append(f"{SOURCES_KEY}: {_SOURCES.format(var=var, i=next(counter))}")
    if plan.rels:
        rels = []
        for key, rel in sorted(plan.rels.items()):
            if rel.window is not None:
                rels += window_entries(var, rel, params, counter, project)
                continue
            i = next(counter)
            r, m = f"r{i}", f"m{i}"
            left, right = _ARROWS[rel.direction]
            pattern = relationship_pattern(list(rel.types) if rel.types else None)
            limit = f"lim{i}"
            params[limit] = rel.first
            edge = f"{r} {{.*}}" if rel.edge_props else "{}"
            if rel.edge_sources:
                edge = f"{r} {{.*, {SOURCES_KEY}: {_SOURCES.format(var=r, i=next(counter))}}}"
            other = project(m, rel.other, params, counter)
            rels.append(
                f"`{key}`: COLLECT {{ MATCH ({var}){left}[{r}{pattern}]{right}({m}:Entity) "
                f"WITH {r}, {m} ORDER BY type({r}), {m}.name, {m}.id LIMIT ${limit} "
                f"RETURN {{type: type({r}), outgoing: startNode({r}) = {var}, "
                f"props: {edge}, other: {other}}} }}"
            )
        extra.append(f"{PREFETCHED_KEY}: {{" + ", ".join(rels) + "}")
    return f"{var} {{{', '.join(extra)}}}"
