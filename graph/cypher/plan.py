"""What to fetch for a selection: relationships nested to any depth, and where the
sources of provenance are needed. Built by `graph.resolvers.selection`, turned into
Cypher by `graph.cypher.projection`."""

from __future__ import annotations

from dataclasses import dataclass, field

# Typed relationship fields list this many; `relationships(first:)` allows up to MAX_LIST.
DEFAULT_LIST = 100
MAX_LIST = 500


def rel_key(types: tuple[str, ...] | None, direction: str, first: int) -> str:
    """The key a prefetched relationship list is stored under (safe as a Cypher map key:
    declared type names, a direction word and an integer only)."""
    return f"{'|'.join(types) if types else '*'}:{direction}:{first}"


@dataclass
class RelPlan:
    types: tuple[str, ...] | None
    direction: str
    first: int
    other: Plan
    edge_sources: bool = False
    # Whether the relationship's own properties are read (a wrapper's title or role,
    # `relationships { properties }`); a plain list of the other ends reads none.
    edge_props: bool = False


@dataclass
class Plan:
    sources: bool = False
    rels: dict[str, RelPlan] = field(default_factory=dict)
    # The node properties the selection reads (None: all of them). Only a plan made from
    # a selection (`planned`) narrows them; an empty accumulator takes what it is given.
    props: frozenset[str] | None = None
    planned: bool = False

    def merge(self, other: Plan) -> None:
        if not self.planned:
            self.props = other.props if other.planned else None
        elif not other.planned or other.props is None or self.props is None:
            self.props = None
        else:
            self.props = self.props | other.props
        self.planned = True
        self.sources = self.sources or other.sources
        for key, rel in other.rels.items():
            mine = self.rels.get(key)
            if mine is None:
                self.rels[key] = rel
            else:
                mine.edge_sources = mine.edge_sources or rel.edge_sources
                mine.edge_props = mine.edge_props or rel.edge_props
                mine.other.merge(rel.other)

    def add(self, types: tuple[str, ...] | None, direction: str, first: int) -> RelPlan:
        key = rel_key(types, direction, first)
        if key not in self.rels:
            self.rels[key] = RelPlan(types, direction, first, Plan())
        return self.rels[key]
