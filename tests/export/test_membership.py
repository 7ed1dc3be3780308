"""Which entities and relationships an answer holds (graph/export/membership.py), read
against the real schema with answers written by hand: no database."""

from __future__ import annotations

import pytest
from graphql import parse, validate

from graph.export.membership import members, prepare
from graph.schema import schema

SCHEMA = schema._schema


def prepared(query: str) -> str:
    text = prepare(SCHEMA, parse(query), query)
    assert validate(SCHEMA, parse(text)) == []
    return text


def membership(query: str, data: dict, variables: dict | None = None, name: str | None = None):
    return members(SCHEMA, parse(prepared(query)), data, name, variables)


def test_ids_types_and_cuts_are_added_where_missing():
    text = prepared('{ neighborhood(id: "a") { nodes { name } } }')
    assert "nodes { name  __typename id }" in text
    # A subgraph's edges and whether it was cut are read even when not asked for.
    assert "truncated edges { id }" in text


def test_a_field_the_client_asks_for_is_shared_and_a_clash_takes_an_alias():
    shared = prepared('{ entity(id: "a") { id name } }')
    assert shared.count(" id") == 2  # the client's own, and the added one (merged)
    clash = prepared('{ entity(id: "a") { id: name } }')
    assert "kgExport_id: id" in clash


def test_the_clients_lines_are_kept():
    query = '{\n  entity(id: "a") {\n    name\n  }\n}\n'
    text = prepared(query)
    assert text.splitlines()[:3] == query.splitlines()[:3]
    assert len(text.splitlines()) == len(query.splitlines())


def test_pages_are_asked_whether_more_follow():
    text = prepared("{ organizations(first: 2) { edges { node { name } } } }")
    assert "pageInfo { hasNextPage }" in text


def test_a_neighbourhood_gives_its_nodes_and_edges_and_says_it_was_cut():
    data = {
        "neighborhood": {
            "nodes": [
                {"name": "A", "__typename": "Bank", "id": "a"},
                {"name": "C", "__typename": "Credit", "id": "c"},
            ],
            "truncated": True,
            "edges": [{"id": "a|LENT|c"}],
        }
    }
    found = membership('{ neighborhood(id: "a") { nodes { name } } }', data)
    assert list(found.entities) == ["a", "c"]
    assert found.relationships == {"a|LENT|c": ("a", "LENT", "c")}
    assert found.cut_texts() == ("neighborhood: cut at its limit (`truncated`)",)


def test_a_typed_relationship_field_is_the_relationship_it_follows():
    query = """{ entity(id: "potevio") { ... on Organization {
        creditsReceived { ... on Credit { lender { name } } } } } }"""
    data = {
        "entity": {
            "__typename": "Organization",
            "id": "potevio",
            "creditsReceived": [
                {
                    "__typename": "Credit",
                    "id": "credit",
                    "lender": {"name": "B", "__typename": "Bank", "id": "bank"},
                }
            ],
        }
    }
    found = membership(query, data)
    assert list(found.entities) == ["potevio", "credit", "bank"]
    # creditsReceived is BORROWED, out of the organization; lender is LENT, into the credit.
    assert set(found.relationships) == {"potevio|BORROWED|credit", "bank|LENT|credit"}
    assert found.cuts == {}


def test_aliases_fragments_and_skipped_fields_are_read_as_the_engine_ran_them():
    query = """query($skip: Boolean!) { e: entity(id: "potevio") { ...Org } }
      fragment Org on Organization {
        received: creditsReceived { name }
        granted: creditsGranted @skip(if: $skip) { name } }"""
    data = {
        "e": {
            "__typename": "Organization",
            "id": "potevio",
            "received": [{"name": "x", "__typename": "Credit", "id": "credit"}],
        }
    }
    found = membership(query, data, {"skip": True})
    assert list(found.relationships) == ["potevio|BORROWED|credit"]


def test_views_of_relationships_give_their_ids():
    query = """{ entity(id: "agreement") {
        relationships(first: 2) { other { name } }
        ... on Agreement { partiesConnection(first: 5) { edges { role } } } } }"""
    data = {
        "entity": {
            "__typename": "Agreement",
            "id": "agreement",
            "relationships": [
                {
                    "other": {"name": "B", "__typename": "Bank", "id": "bank"},
                    "relationshipId": "bank|PARTY_TO|agreement",
                },
                {
                    "other": {"name": "C", "__typename": "Bank", "id": "china"},
                    "relationshipId": "china|PARTY_TO|agreement",
                },
            ],
            "partiesConnection": {
                "edges": [{"role": "lender", "relationshipId": "gov|PARTY_TO|agreement"}],
                "pageInfo": {"hasNextPage": True},
            },
        }
    }
    found = membership(query, data)
    assert list(found.entities) == ["agreement", "bank", "china"]
    assert list(found.relationships) == [
        "bank|PARTY_TO|agreement",
        "china|PARTY_TO|agreement",
        "gov|PARTY_TO|agreement",
    ]
    assert found.cut_texts() == (
        "entity.relationships: a list of 2, as many as its `first`/`limit`/`k` of 2 allows: "
        "more may follow",
        "entity.partiesConnection: a page: more pages follow (`pageInfo.hasNextPage`)",
    )


def test_a_list_shorter_than_its_first_is_whole():
    query = '{ search(text: "bank", first: 3) { entity { name } } }'
    data = {"search": [{"entity": {"name": "B", "__typename": "Bank", "id": "b"}}]}
    found = membership(query, data)
    assert list(found.entities) == ["b"]
    assert found.cuts == {}


def test_a_cut_inside_a_list_is_said_once_for_its_path():
    query = """{ organizations(first: 2) { edges { node { name
        ... on Organization { creditsGranted(first: 1) { name } } } } } }"""
    node = {"__typename": "Organization", "name": "o"}
    data = {
        "organizations": {
            "edges": [
                {
                    "node": {
                        **node,
                        "id": f"o{i}",
                        "creditsGranted": [{"name": "c", "__typename": "Credit", "id": f"c{i}"}],
                    }
                }
                for i in range(2)
            ],
            "pageInfo": {"hasNextPage": False},
        }
    }
    found = membership(query, data)
    assert list(found.entities) == ["o0", "c0", "o1", "c1"]
    assert list(found.cuts) == ["organizations.edges[].node.creditsGranted"]


def test_node_lookups_give_entities_and_relationships():
    query = 'query { nodes(ids: ["a", "a|LENT|c", "source-1"]) { id } }'
    data = {
        "nodes": [
            {"id": "a", "__typename": "Bank"},
            {"id": "a|LENT|c", "__typename": "Edge"},
            {"id": "source-1", "__typename": "Source"},
        ]
    }
    found = membership(query, data)
    assert list(found.entities) == ["a"]
    assert list(found.relationships) == ["a|LENT|c"]


@pytest.mark.parametrize("rid", ["a|NOT_A_TYPE|b", "a|LENT", "", None, 3])
def test_anything_but_a_relationship_id_of_a_declared_type_is_ignored(rid):
    data = {"node": {"__typename": "Edge", "id": rid}}
    assert membership('{ node(id: "x") { id } }', data).relationships == {}


def test_a_null_answer_holds_nothing():
    found = membership('{ entity(id: "nobody") { name } }', {"entity": None})
    assert (found.entities, found.relationships, found.cuts) == ({}, {}, {})
