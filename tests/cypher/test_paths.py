"""The multi-path builders need no database: hop bounds and k are checked integers, types
come from the allow-list, ids and kinds travel as parameters."""

import pytest

from graph.cypher import paths


def test_all_shortest_paths_use_the_all_shortest_selector():
    query, params = paths.all_shortest_paths("a", "b", 4, 20)
    assert "MATCH p = ALL SHORTEST (a) (()-[:" in query
    assert "]-(x:Entity)){0,3} ()-[:" in query
    assert "$kinds" not in query
    assert query.endswith("LIMIT $first")
    assert params == {"from": "a", "to": "b", "first": 20, "kinds": None}


def test_a_kind_filter_applies_to_inner_nodes_inside_the_pattern():
    query, params = paths.all_shortest_paths("a", "b", 6, 5, kinds=["PLACE"])
    assert "(x:Entity) WHERE x.kind IN $kinds){0,5}" in query
    assert params["kinds"] == ["PLACE"]


def test_k_shortest_paths_are_simple_and_ordered():
    query, params = paths.k_shortest_paths("a", "b", 3, 6, types=["LENT", "BORROWED"])
    assert (
        "SHORTEST 3 GROUPS ((a) (()-[:LENT|BORROWED]-(x:Entity)){0,5} ()-[:LENT|BORROWED]-(b)"
        in (query)
    )
    assert "WHERE all(i IN range(0, size(x) - 1) WHERE x[i] <> a" in query
    assert "ORDER BY length(p), [n IN nodes(p) | n.id]" in query
    assert query.endswith("LIMIT $k")
    assert params["k"] == 3


def test_one_hop_paths_have_no_quantified_part():
    # Neo4j refuses the quantifier {0,0}: one hop is a plain pattern, and a path of one
    # relationship has no inner entity to repeat.
    for query, _ in (
        paths.k_shortest_paths("a", "b", 2, 1),
        paths.all_shortest_paths("a", "b", 1, 5),
    ):
        assert "SHORTEST" in query
        assert "(a)-[:" in query
        assert "{0," not in query
    query, _ = paths.k_shortest_paths("a", "b", 2, 1)
    assert "SHORTEST 2 GROUPS (a)-[:" in query


@pytest.mark.parametrize(("k", "hops"), [(0, 6), (21, 6), (3, 0), (3, 11)])
def test_out_of_range_bounds_are_refused(k, hops):
    with pytest.raises(ValueError, match="out of range"):
        paths.k_shortest_paths("a", "b", k, hops)


def test_undeclared_types_are_refused():
    with pytest.raises(
        ValueError, match="'MENTIONS' is not declared; the declared types are ADMINISTERS, "
    ):
        paths.all_shortest_paths("a", "b", 3, 5, types=["MENTIONS"])
    with pytest.raises(ValueError, match="is not declared; the declared types are ADMINISTERS, "):
        paths.connecting_subgraph(["a", "b"], 3, 10, types=["LENT]->(x) DETACH DELETE x//"])


def test_a_path_from_an_entity_to_itself_is_the_entity():
    for query, params in (
        paths.all_shortest_paths("a", "a", 3, 5),
        paths.k_shortest_paths("a", "a", 3, 3),
    ):
        assert "SHORTEST" not in query
        assert params == {"from": "a"}


def test_hostile_ids_stay_parameters():
    hostile = "x'}) DETACH DELETE n //"
    query, params = paths.connecting_subgraph([hostile, "b"], 4, 10)
    assert hostile not in query
    assert params == {"ids": [hostile, "b"], "perPair": 10}
    assert "ALL SHORTEST (a)-[:" in query
    assert "]-{1,4}(b)" in query
