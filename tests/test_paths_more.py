"""All shortest paths, k shortest paths and `connect`, asked over HTTP against the seed."""

import pytest

ALL_SHORTEST = """
query ($from: ID!, $to: ID!, $maxHops: Int, $types: [String!], $excludeTypes: [String!],
       $kinds: [EntityKind!], $excludeKinds: [EntityKind!], $first: Int) {
  allShortestPaths(fromId: $from, toId: $to, maxHops: $maxHops, types: $types,
                   excludeTypes: $excludeTypes, kinds: $kinds, excludeKinds: $excludeKinds,
                   first: $first) {
    length
    nodes { id kind }
    edges { type from to }
  }
}
""".replace("$maxHops: Int", "$maxHops: Int = 6").replace("$first: Int)", "$first: Int = 20)")

K_SHORTEST = """
query ($from: ID!, $to: ID!, $k: Int = 3, $maxHops: Int = 6, $kinds: [EntityKind!],
       $excludeKinds: [EntityKind!], $types: [String!]) {
  kShortestPaths(fromId: $from, toId: $to, k: $k, maxHops: $maxHops, kinds: $kinds,
                 excludeKinds: $excludeKinds, types: $types) {
    length
    nodes { id kind }
    edges { type from to }
  }
}
"""

CONNECT = """
query ($ids: [ID!]!, $maxHops: Int = 4) {
  connect(ids: $ids, maxHops: $maxHops) {
    truncated
    nodes { id }
    edges { type from to }
  }
}
"""

BOC, BOB = "bank-of-china", "bank-of-beijing"
AGREEMENT = "beijing-ip-bureau-banks-ip-financing-agreement"
PARK = "zhongguancun-science-park"
COMMITTEE = "zhongguancun-science-park-administrative-committee"
CEREMONY = "zhongguancun-ip-service-alliance-launch-ceremony"
ALLIANCE = "zhongguancun-ip-service-alliance"


def ids(path):
    return [n["id"] for n in path["nodes"]]


def edges(value):
    return {(e["from"], e["type"], e["to"]) for e in value["edges"]}


def test_all_shortest_paths_between_the_two_banks(gql):
    paths = gql(ALL_SHORTEST, {"from": BOC, "to": BOB})["allShortestPaths"]
    assert len(paths) == 1
    [path] = paths
    assert path["length"] == 2
    assert ids(path) == [BOC, AGREEMENT, BOB]
    assert [n["kind"] for n in path["nodes"]] == ["BANK", "AGREEMENT", "BANK"]
    assert edges(path) == {(BOC, "PARTY_TO", AGREEMENT), (BOB, "PARTY_TO", AGREEMENT)}


def test_all_shortest_paths_include_parallel_relationships_in_a_stable_order(gql):
    variables = {"from": COMMITTEE, "to": CEREMONY}
    paths = gql(ALL_SHORTEST, variables)["allShortestPaths"]
    assert [[e["type"] for e in p["edges"]] for p in paths] == [["ATTENDED"], ["ORGANIZED"]]
    assert gql(ALL_SHORTEST, variables)["allShortestPaths"] == paths
    first = gql(ALL_SHORTEST, {**variables, "first": 1})["allShortestPaths"]
    assert first == paths[:1]


def test_type_allow_and_deny_lists(gql):
    variables = {"from": COMMITTEE, "to": CEREMONY}
    denied = gql(ALL_SHORTEST, {**variables, "excludeTypes": ["ATTENDED"]})["allShortestPaths"]
    assert [[e["type"] for e in p["edges"]] for p in denied] == [["ORGANIZED"]]
    allowed = gql(ALL_SHORTEST, {**variables, "types": ["ATTENDED"]})["allShortestPaths"]
    assert [[e["type"] for e in p["edges"]] for p in allowed] == [["ATTENDED"]]
    none = gql(ALL_SHORTEST, {"from": BOC, "to": BOB, "types": ["LENT"]})["allShortestPaths"]
    assert none == []


def test_k_shortest_paths_shortest_first_then_by_ids(gql):
    paths = gql(K_SHORTEST, {"from": "potevio", "to": PARK})["kShortestPaths"]
    assert [p["length"] for p in paths] == [2, 3, 4]
    assert [ids(p) for p in paths] == [
        ["potevio", "beijing", PARK],
        ["potevio", "beijing", CEREMONY, PARK],
        ["potevio", "beijing", CEREMONY, ALLIANCE, PARK],
    ]


def test_k_shortest_paths_are_simple_and_stable(gql):
    variables = {"from": "potevio", "to": PARK, "k": 20, "maxHops": 6}
    paths = gql(K_SHORTEST, variables)["kShortestPaths"]
    assert 3 < len(paths) <= 20
    lengths = [p["length"] for p in paths]
    assert lengths == sorted(lengths)
    assert max(lengths) <= 6
    for path in paths:
        assert ids(path)[0] == "potevio"
        assert ids(path)[-1] == PARK
        assert len(set(ids(path))) == len(path["nodes"]) == path["length"] + 1
    keys = [(p["length"], ids(p), [e["type"] for e in p["edges"]]) for p in paths]
    assert len(set(map(repr, keys))) == len(keys)
    assert gql(K_SHORTEST, variables)["kShortestPaths"] == paths


def test_one_hop_paths(gql):
    # maxHops 1 is a plain pattern (Neo4j refuses a {0,0} quantifier).
    one = {"from": COMMITTEE, "to": CEREMONY, "maxHops": 1}
    paths = gql(K_SHORTEST, {**one, "k": 5})["kShortestPaths"]
    assert [[e["type"] for e in p["edges"]] for p in paths] == [["ATTENDED"], ["ORGANIZED"]]
    assert gql(ALL_SHORTEST, one)["allShortestPaths"] == paths
    far = {"from": BOC, "to": BOB, "maxHops": 1}
    assert gql(K_SHORTEST, far)["kShortestPaths"] == []
    assert gql(ALL_SHORTEST, far)["allShortestPaths"] == []


def test_kind_filters_apply_to_inner_nodes_only(gql):
    only_places = gql(K_SHORTEST, {"from": "potevio", "to": PARK, "kinds": ["PLACE"]})
    assert [ids(p) for p in only_places["kShortestPaths"]] == [["potevio", "beijing", PARK]]

    def avoiding_places(max_hops):
        variables = {"from": "potevio", "to": PARK, "maxHops": max_hops}
        return gql(K_SHORTEST, {**variables, "excludeKinds": ["PLACE"]})["kShortestPaths"]

    assert avoiding_places(6) == []
    [path] = avoiding_places(7)
    assert path["length"] == 7
    assert "PLACE" not in {n["kind"] for n in path["nodes"]}
    assert ids(path)[:3] == ["potevio", "potevio-credit-bank-of-beijing", BOB]


def test_a_path_to_itself_and_to_nowhere(gql):
    for query, field in ((K_SHORTEST, "kShortestPaths"), (ALL_SHORTEST, "allShortestPaths")):
        [path] = gql(query, {"from": "potevio", "to": "potevio"})[field]
        assert path == {
            "length": 0,
            "nodes": [{"id": "potevio", "kind": "ORGANIZATION"}],
            "edges": [],
        }
        assert gql(query, {"from": "potevio", "to": "no-such-entity"})[field] == []
        assert gql(query, {"from": "no-such-entity", "to": "no-such-entity"})[field] == []


def test_connect_three_entities(gql):
    sub = gql(CONNECT, {"ids": [BOC, "potevio", PARK]})["connect"]
    assert sub["truncated"] is False
    # Bank of China reaches Potevio through the agreement and Bank of Beijing's credit;
    # Potevio and the park are both in Beijing; the bank and the park are 5 hops apart,
    # beyond maxHops 4.
    assert {n["id"] for n in sub["nodes"]} == {
        BOC,
        AGREEMENT,
        BOB,
        "potevio-credit-bank-of-beijing",
        "potevio",
        "beijing",
        PARK,
    }
    assert edges(sub) == {
        (BOC, "PARTY_TO", AGREEMENT),
        (BOB, "PARTY_TO", AGREEMENT),
        (BOB, "LENT", "potevio-credit-bank-of-beijing"),
        ("potevio", "BORROWED", "potevio-credit-bank-of-beijing"),
        ("potevio", "LOCATED_IN", "beijing"),
        (PARK, "LOCATED_IN", "beijing"),
    }
    assert len(sub["edges"]) == len(edges(sub))
    assert len(sub["nodes"]) == len({n["id"] for n in sub["nodes"]})

    farther = gql(CONNECT, {"ids": [BOC, "potevio", PARK], "maxHops": 5})["connect"]
    added = {n["id"] for n in farther["nodes"]} - {n["id"] for n in sub["nodes"]}
    assert added == {
        "beijing-intellectual-property-bureau",
        "beijing-intellectual-property-bureau-official",
        ALLIANCE,
    }


def test_connect_leaves_unknown_ids_out(gql):
    sub = gql(CONNECT, {"ids": ["potevio", "potevio", "no-such-entity", "beijing"]})["connect"]
    assert {n["id"] for n in sub["nodes"]} == {"potevio", "beijing"}
    assert edges(sub) == {("potevio", "LOCATED_IN", "beijing")}
    nothing = gql(CONNECT, {"ids": ["no-such-entity", "nor-this-one"]})["connect"]
    assert nothing == {"truncated": False, "nodes": [], "edges": []}
    apart = gql(CONNECT, {"ids": ["yu-jun", "potevio"]})["connect"]
    assert {n["id"] for n in apart["nodes"]} == {"yu-jun", "potevio"}
    assert apart["edges"] == []


ELEVEN = ", ".join(f'"e{i}"' for i in range(11))


def between_banks(field: str, arguments: str) -> str:
    return f'{{ {field}(fromId: "{BOC}", toId: "{BOB}", {arguments}) {{ length }} }}'


ALL, K = "allShortestPaths", "kShortestPaths"
BAD = [
    (between_banks(ALL, "maxHops: 0"), "`maxHops` must be between 1 and 10"),
    (between_banks(ALL, "maxHops: 11"), "`maxHops` must be between 1 and 10"),
    (between_banks(ALL, "first: 0"), "`first` must be between 1 and 100"),
    (between_banks(ALL, "first: 101"), "`first` must be between 1 and 100"),
    (between_banks(K, "k: 0"), "`k` must be between 1 and 20"),
    (between_banks(K, "k: 21"), "`k` must be between 1 and 20"),
    (between_banks(K, "maxHops: 11"), "`maxHops` must be between 1 and 10"),
    (
        between_banks(K, 'types: ["MENTIONS"]'),
        "Relationship type 'MENTIONS' is not declared; the declared types are ADMINISTERS, ",
    ),
    (
        between_banks(ALL, 'excludeTypes: ["NOPE"]'),
        "Relationship type 'NOPE' is not declared; the declared types are ADMINISTERS, ",
    ),
    (
        between_banks(ALL, 'types: ["LENT"], excludeTypes: ["LENT"]'),
        "leaves no relationship type",
    ),
    (between_banks(K, "kinds: []"), "`kinds` must name at least one kind"),
    (between_banks(K, "kinds: [BANK], excludeKinds: [BANK]"), "leaves no kind"),
    (
        '{ connect(ids: ["potevio"]) { truncated } }',
        "`ids` must name between 2 and 10 distinct entities; got 1",
    ),
    ('{ connect(ids: ["potevio", "potevio"]) { truncated } }', "got 1"),
    (f"{{ connect(ids: [{ELEVEN}]) {{ truncated }} }}", "got 11"),
    (
        '{ connect(ids: ["potevio", "beijing"], maxHops: 0) { truncated } }',
        "`maxHops` must be between 1 and 6",
    ),
    (
        '{ connect(ids: ["potevio", "beijing"], maxHops: 7) { truncated } }',
        "`maxHops` must be between 1 and 6",
    ),
    (
        '{ connect(ids: ["potevio", "beijing"], types: ["OWNED"]) { truncated } }',
        "Relationship type 'OWNED' is not declared",
    ),
]


@pytest.mark.parametrize(("query", "message"), BAD)
def test_bad_argument_is_bad_user_input(gql, query, message):
    error = gql.error(query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


def test_a_dense_neighbourhood_cuts_its_edges_and_says_so(gql, settings):
    """Edges among `limit` nodes can far outnumber them: they are cut at 3 per node of the
    limit, in a stable order, and `truncated` says so."""
    from graph.cypher.neighborhood import EDGES_PER_NODE
    from tests.commands import delete_prefixed, query

    query(
        settings,
        "CREATE (a:Entity:Organization {id: 'cap-a', kind: 'ORGANIZATION', name: 'Cap A'}), "
        "(b:Entity:Organization {id: 'cap-b', kind: 'ORGANIZATION', name: 'Cap B'}) "
        "WITH a, b UNWIND range(1, 7) AS i CREATE (a)-[:MEMBER_OF {key: toString(i)}]->(b)",
    )
    try:
        hood = """query ($limit: Int!) { neighborhood(id: "cap-a", hops: 1, limit: $limit) {
          truncated nodes { id } edges { type from to properties } } }"""
        small = gql(hood, {"limit": 2})["neighborhood"]
        assert {n["id"] for n in small["nodes"]} == {"cap-a", "cap-b"}
        assert len(small["edges"]) == EDGES_PER_NODE * 2 < 7
        assert small["truncated"] is True
        assert gql(hood, {"limit": 2})["neighborhood"]["edges"] == small["edges"]  # stable
        wide = gql(hood, {"limit": 3})["neighborhood"]
        assert len(wide["edges"]) == 7
        assert wide["truncated"] is False
    finally:
        delete_prefixed(settings, "cap-")
