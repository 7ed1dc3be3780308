"""The export's one query (graph/cypher/export.py) needs no database to check: ids and
relationships travel as parameters, relationship types match declared ones only."""

from graph.cypher.export import subgraph_members
from graph.domain import RELATIONSHIP_TYPES


def test_members_travel_as_parameters():
    rels = [{"from": "a'} DETACH DELETE n //", "type": "LENT", "to": "b"}]
    query, params = subgraph_members(["x", "y) RETURN 1 //"], rels)
    assert params == {"ids": ["x", "y) RETURN 1 //"], "rels": rels}
    assert "DETACH" not in query
    assert "RETURN 1" not in query
    assert query.endswith("RETURN nodes, edges, sources")


def test_relationships_are_matched_among_the_declared_types_only():
    query, _ = subgraph_members([], [])
    assert "[r:" + "|".join(RELATIONSHIP_TYPES) + "]" in query
    assert "WHERE type(r) = rel.type" in query


def test_sources_are_read_once_for_every_member_citing_them():
    query, _ = subgraph_members(["x"], [])
    assert "WITH DISTINCT split(entry, '|')[0] AS sourceId" in query
