"""The members of an export, read whole in one query: every property and the provenance
of each entity and relationship an answer named, and the sources they cite."""

from __future__ import annotations

from graph.cypher.common import relationship_pattern
from graph.db import Cypher


def subgraph_members(entity_ids: list[str], relationships: list[dict[str, str]]) -> Cypher:
    """One row: `nodes` (each entity's properties), `edges` ({type, from, to, props} of
    each relationship, `relationships` given as {from, type, to}) and `sources` (the
    properties of every source their provenance cites). Members no longer in the graph
    are left out; relationship types are matched among the declared ones only."""
    pattern = relationship_pattern(None)
    query = (
        "CALL () { UNWIND $ids AS id MATCH (n:Entity {id: id}) "
        "  RETURN collect(properties(n)) AS nodes } "
        "CALL () { UNWIND $rels AS rel "
        f"  MATCH (a:Entity {{id: rel.from}})-[r{pattern}]->(b:Entity {{id: rel.to}}) "
        "  WHERE type(r) = rel.type "
        "  RETURN collect({type: type(r), from: a.id, to: b.id, props: properties(r)}) AS edges } "
        "CALL (nodes, edges) { UNWIND nodes + [e IN edges | e.props] AS member "
        "  UNWIND coalesce(member._prov, []) AS entry "
        "  WITH DISTINCT split(entry, '|')[0] AS sourceId "
        "  MATCH (s:Source {id: sourceId}) RETURN collect(properties(s)) AS sources } "
        "RETURN nodes, edges, sources"
    )
    return query, {"ids": entity_ids, "rels": relationships}
