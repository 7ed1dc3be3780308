"""Exports over HTTP against the real Neo4j and the seed graph (graph/http/export.py):
a neighbourhood, a path, a connection, a filtered collection with its relationships,
relationship fields, the explorer's view by ids; read back with the libraries analysts
use (networkx, pandas, rdflib) and checked against what /graphql answers for the same
members. Then the refusals, each JSON with its code."""

from __future__ import annotations

import asyncio
import io
import json
import time
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import replace

import httpx
import jwt
import networkx as nx
import pandas as pd
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from graph.auth.keys import create_key
from graph.db import Database
from graph.export.model import plain
from graph.http.persisted import sha256
from graph.settings import Settings
from tests.commands import query
from tests.conftest import Client, Server

BANK = "bank-of-beijing"
BUREAU = "beijing-intellectual-property-bureau"
ARTICLE = "chinadaily-2013-08-02-zgc-ip-service-alliance"
KG = Namespace("urn:ipkg:vocab/")
JSON = {"Content-Type": "application/json"}
NEIGHBOURHOOD = '{ neighborhood(id: "bank-of-beijing", hops: 2, limit: 12) { nodes { name } } }'
# What /graphql says of members, to check an export against.
MEMBERS = """query($ids: [ID!]!) { nodes(ids: $ids) { id
  ... on Entity { kind name aliases properties
    provenance { paragraph locator source { id } } }
  ... on Edge { type from to properties provenance { paragraph locator source { id } } } } }"""


def export(http: httpx.Client, fmt: str, query: str, variables=None, **extra) -> httpx.Response:
    body = {"query": query, "variables": variables, **extra}
    return http.post(f"/export?format={fmt}", json=body)


def ok(response: httpx.Response) -> bytes:
    assert response.status_code == 200, response.text
    return response.content


def graphml(response: httpx.Response) -> nx.MultiDiGraph:
    return nx.read_graphml(io.BytesIO(ok(response)), force_multigraph=True)


def tables(response: httpx.Response) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(ok(response)))
    out = {name: pd.read_csv(archive.open(name)) for name in archive.namelist() if ".csv" in name}
    out["export.json"] = json.loads(archive.read("export.json"))
    return out


def rdf(response: httpx.Response) -> Graph:
    graph = Graph()
    with warnings.catch_warnings():
        # rdflib 7.6's own JSON-LD parser calls its deprecated ConjunctiveGraph.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(data=ok(response), format="json-ld")
    return graph


def refused(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code, error
    return error


def expected(gql, ids: list[str]) -> dict[str, dict]:
    """What /graphql answers for these entity and relationship ids."""
    found = {}
    for start in range(0, len(ids), 100):
        for item in gql(MEMBERS, {"ids": ids[start : start + 100]})["nodes"]:
            assert item is not None
            found[item["id"]] = item
    return found


def sources_of(item: dict) -> str:
    return "|".join(dict.fromkeys(p["source"]["id"] for p in item["provenance"]))


def assert_same_graph(graph: nx.MultiDiGraph, truth: dict[str, dict]) -> None:
    """Every node and edge of `graph` has every attribute /graphql gives its member."""
    for node_id, data in graph.nodes(data=True):
        item = truth[node_id]
        assert data["label"] == item["name"]
        assert data["kind"] == item["kind"]
        assert data.get("aliases", "") == "|".join(item["aliases"])
        assert data["sources"] == sources_of(item)
        for key, value in item["properties"].items():
            column = f"property.{key}" if key in {"label", "kind", "sources"} else key
            value = plain(value)
            assert data[column] == (pytest.approx(value) if isinstance(value, float) else value)
    for start, end, key, data in graph.edges(keys=True, data=True):
        item = truth[key]
        assert (start, data["type"], end) == (item["from"], item["type"], item["to"])
        assert data["sources"] == sources_of(item)
        for name, value in item["properties"].items():
            assert data[name] == plain(value), (key, name)


# ---------------------------------------------------------------- subgraphs


def test_a_neighbourhood_as_graphml_has_every_node_edge_and_attribute(http, gql):
    answer = gql(
        '{ neighborhood(id: "bank-of-beijing", hops: 2, limit: 12) {'
        " truncated nodes { id } edges { id } } }"
    )["neighborhood"]
    graph = graphml(export(http, "graphml", NEIGHBOURHOOD))
    assert set(graph.nodes) == {n["id"] for n in answer["nodes"]}
    assert {k for _, _, k in graph.edges(keys=True)} == {e["id"] for e in answer["edges"]}
    assert graph.number_of_edges() > 0
    assert_same_graph(
        graph, expected(gql, [*graph.nodes, *(k for *_, k in graph.edges(keys=True))])
    )
    assert graph.graph["truncated"] is answer["truncated"]
    assert json.loads(graph.graph["sources"])[ARTICLE]["title"]


def test_a_cut_neighbourhood_says_so_in_every_format(http):
    query = '{ neighborhood(id: "bank-of-beijing", hops: 2, limit: 3) { nodes { name } } }'
    graph = graphml(export(http, "graphml", query))
    assert graph.number_of_nodes() == 3
    assert graph.graph["truncated"] is True
    assert graph.graph["cuts"] == "neighborhood: cut at its limit (`truncated`)"
    assert tables(export(http, "csv", query))["export.json"]["truncated"] is True
    assert export(http, "csv-nodes", query).headers["x-export-truncated"] == "true"
    about = rdf(export(http, "jsonld", query)).value(None, RDF.type, KG.Export)
    assert about is not None


def test_a_path_is_its_nodes_and_the_edges_between_them_even_unasked(http, gql):
    query = f'{{ shortestPath(fromId: "{BANK}", toId: "{BUREAU}") {{ nodes {{ name }} }} }}'
    path = gql(
        f'{{ shortestPath(fromId: "{BANK}", toId: "{BUREAU}") {{'
        " nodes { id } edges { id } } }"
    )["shortestPath"]
    graph = graphml(export(http, "graphml", query))
    assert list(graph.nodes) == [n["id"] for n in path["nodes"]]
    assert [k for *_, k in graph.edges(keys=True)] == [e["id"] for e in path["edges"]]
    assert graph.graph["truncated"] is False


def test_a_connection_of_entities(http, gql):
    query = """{ connect(ids: ["bank-of-beijing", "potevio", "bank-of-china"], maxHops: 4) {
        nodes { name } edges { type } } }"""
    answer = gql(query.replace("{ name }", "{ id }").replace("{ type }", "{ id }"))["connect"]
    edges = tables(export(http, "csv", query))["edges.csv"]
    assert set(edges["id"]) == {e["id"] for e in answer["edges"]}
    assert set(edges["from"]) | set(edges["to"]) <= {n["id"] for n in answer["nodes"]}


def test_a_filtered_collection_with_its_relationships_as_csv(http, gql):
    query = """{ banks(first: 10) { edges { node { name
        ... on Bank { agreementsConnection { edges { role } } } } } } }"""
    out = tables(export(http, "csv", query))
    nodes, edges = out["nodes.csv"], out["edges.csv"]
    banks = gql("{ banks(first: 10) { edges { node { id } } } }")["banks"]["edges"]
    assert {b["node"]["id"] for b in banks} <= set(nodes["id"])
    assert set(edges["type"]) == {"PARTY_TO"}
    party = edges.set_index("id").loc[
        f"{BANK}|PARTY_TO|beijing-ip-bureau-banks-ip-financing-agreement"
    ]
    assert party["role"] == "lender"
    assert set(edges["from"]) | set(edges["to"]) <= set(nodes["id"])
    assert out["sources.csv"].set_index("id").loc[ARTICLE, "publisher"] == "China Daily"
    assert out["export.json"]["counts"]["nodes"] == len(nodes)


def test_typed_relationship_fields_are_the_relationships_they_follow(http):
    query = """{ entity(id: "potevio") { ... on Organization {
        creditsReceived { ... on Credit { lender { name } } } } } }"""
    edges = pd.read_csv(io.BytesIO(ok(export(http, "csv-edges", query))))
    assert set(edges["id"]) == {
        "potevio|BORROWED|potevio-credit-bank-of-beijing",
        "bank-of-beijing|LENT|potevio-credit-bank-of-beijing",
    }


def test_a_list_as_long_as_its_first_says_more_may_follow(http):
    query = """{ entity(id: "beijing-ip-bureau-banks-ip-financing-agreement") {
        ... on Agreement { parties(first: 1) { role } } } }"""
    about = tables(export(http, "csv", query))["export.json"]
    assert about["cuts"] == [
        "entity.parties: a list of 1, as many as its `first`/`limit`/`k` of 1 allows: "
        "more may follow"
    ]


def test_the_explorers_view_by_ids(http, gql):
    ids = [BANK, "potevio-credit-bank-of-beijing", f"{BANK}|LENT|potevio-credit-bank-of-beijing"]
    query = "query View($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    response = export(http, "graphml", query, {"ids": ids}, operationName="View")
    assert response.headers["content-disposition"] == 'attachment; filename="View.graphml"'
    graph = graphml(response)
    assert list(graph.nodes) == ids[:2]
    assert [k for *_, k in graph.edges(keys=True)] == ids[2:]
    assert_same_graph(graph, expected(gql, ids))


def test_json_ld_links_every_statement_to_its_source(http):
    graph = rdf(export(http, "jsonld", NEIGHBOURHOOD))
    statements = list(graph.subjects(RDF.type, RDF.Statement))
    assert len(statements) > 50
    article = URIRef(f"urn:ipkg:source/{ARTICLE}")
    assert graph.value(article, DCTERMS.identifier).toPython() == ARTICLE
    assert graph.value(article, DCTERMS.title)
    for statement in statements:
        sources = set(graph.objects(statement, PROV.wasDerivedFrom))
        assert sources, statement
        assert all(graph.value(s, DCTERMS.title) for s in sources)
        # Where in the source: a paragraph or a locator on each derivation.
        for derivation in graph.objects(statement, PROV.qualifiedDerivation):
            assert graph.value(derivation, KG.paragraph) or graph.value(derivation, KG.locator)
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    assert str(graph.value(URIRef(f"urn:ipkg:entity/{BANK}"), label)) == "Bank of Beijing"


def test_get_with_the_query_in_the_url_reads_straight_into_pandas(server):
    query = '{ neighborhood(id: "potevio", hops: 1, limit: 10) { nodes { name } } }'
    url = str(httpx.URL(f"{server.url}/export", params={"format": "csv-nodes", "query": query}))
    nodes = pd.read_csv(url)
    assert "potevio" in set(nodes["id"])
    assert list(nodes.columns[:4]) == ["id", "kind", "name", "aliases"]


def test_members_are_read_in_one_query(server, http):
    sent: list[str] = []
    listener = lambda cypher, params: sent.append(cypher)  # noqa: E731
    server.app.state.db.listeners.append(listener)
    try:
        ok(export(http, "jsonld", NEIGHBOURHOOD))
    finally:
        server.app.state.db.listeners.remove(listener)
    # The neighbourhood's own query, then the members' (with every property, provenance
    # and source) in one.
    assert len(sent) == 2, sent
    assert "RETURN nodes, edges, sources" in sent[1]


def test_a_persisted_query_exports_by_its_hash(http):
    query = '{ entity(id: "potevio") { name } }'
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}}
    missing = http.post("/export?format=graphml", json={"extensions": extensions})
    refused(missing, 400, "PERSISTED_QUERY_NOT_FOUND")
    ok(export(http, "graphml", query, extensions=extensions))
    graph = graphml(http.post("/export?format=graphml", json={"extensions": extensions}))
    assert list(graph.nodes) == ["potevio"]


# ---------------------------------------------------------------- claims

UPSERT = """mutation($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) { __typename } }"""


@pytest.fixture(scope="module")
def editor(settings: Settings, http: httpx.Client) -> Iterator[Client]:
    async def make() -> str:
        db = Database(settings)
        try:
            return (await create_key(db, "exp-editor", "editor")).token
        finally:
            await db.close()

    yield Client(http, asyncio.run(make()))
    for statement in (
        "MATCH (n:Entity) WHERE n.id STARTS WITH 'exp-' DETACH DELETE n",
        "MATCH (k:Conflict) WHERE k.subject STARTS WITH 'exp-' DELETE k",
        "MATCH (c:Change) WHERE c.subject STARTS WITH 'exp-' DELETE c",
        "MATCH (s:Source) WHERE s.id STARTS WITH 'exp-' DELETE s",
        "MATCH (k:ApiKey) WHERE k.name STARTS WITH 'exp-' DELETE k",
    ):
        query(settings, statement)


def test_values_sources_disagree_about_are_statements_of_their_own_sources(http, editor):
    """Two sources give a credit two amounts: the JSON-LD holds both, each derived from
    its own source, the plain triple the one shown; the flat formats say it is contested."""
    for n, amount in ((1, 5.0e7), (2, 6.0e7)):
        written = editor.data(
            UPSERT,
            {
                "e": {
                    "id": "exp-credit",
                    "kind": "CREDIT",
                    "name": "Export test credit",
                    "properties": {"amount": amount, "currency": "CNY"},
                },
                "p": {"source": {"id": f"exp-source-{n}", "title": f"Article {n}"}, "paragraph": n},
            },
        )
        assert written["upsertEntity"]["__typename"] == "EntityWritten"
    shown = editor.data('{ entity(id: "exp-credit") { ... on Credit { amount { amount } } } }')
    shown_amount = shown["entity"]["amount"]["amount"]
    request = '{ entity(id: "exp-credit") { name } }'

    graph = rdf(export(http, "jsonld", request))
    credit = URIRef("urn:ipkg:entity/exp-credit")
    assert [o.toPython() for o in graph.objects(credit, KG.amount)] == [shown_amount]
    by_value = {}
    for statement in graph.subjects(RDF.predicate, KG.amount):
        sources = {str(s) for s in graph.objects(statement, PROV.wasDerivedFrom)}
        status = graph.value(statement, KG.status)
        by_value[graph.value(statement, RDF.object).toPython()] = (sources, status and str(status))
    assert by_value == {
        5.0e7: ({"urn:ipkg:source/exp-source-1"}, None if shown_amount == 5.0e7 else "ALTERNATIVE"),
        6.0e7: ({"urn:ipkg:source/exp-source-2"}, None if shown_amount == 6.0e7 else "ALTERNATIVE"),
    }
    nodes = pd.read_csv(io.BytesIO(ok(export(http, "csv-nodes", request))))
    assert nodes.loc[0, "contested"] == "amount"
    assert nodes.loc[0, "amount"] == shown_amount


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("fmt", [None, "xml", "GRAPHML"])
def test_a_format_that_is_not_one_is_refused(http, fmt):
    url = "/export" if fmt is None else f"/export?format={fmt}"
    error = refused(http.post(url, json={"query": NEIGHBOURHOOD}), 400, "BAD_REQUEST")
    assert "graphml, csv, csv-nodes, csv-edges, jsonld" in error["message"]


def test_only_a_query_is_exported(http):
    mutation = 'mutation { deleteEntity(id: "potevio", reason: "no") { __typename } }'
    refused(export(http, "graphml", mutation), 400, "BAD_REQUEST")
    batch = http.post("/export?format=graphml", json=[{"query": NEIGHBOURHOOD}])
    refused(batch, 400, "BAD_REQUEST")


def test_a_query_that_does_not_run_gets_the_engines_error_where_the_client_wrote_it(http):
    query = '{\n  entity(id: "potevio") {\n    name\n    lender { name }\n  }\n}'
    error = refused(export(http, "graphml", query), 400, "GRAPHQL_VALIDATION_FAILED")
    assert error["locations"] == [{"line": 4, "column": 5}]
    refused(export(http, "graphml", "{ entity("), 400, "GRAPHQL_PARSE_FAILED")


def test_an_argument_out_of_range_refuses_the_whole_export(http):
    query = '{ neighborhood(id: "bank-of-beijing", hops: 9, limit: 10) { nodes { name } } }'
    error = refused(export(http, "graphml", query), 400, "BAD_USER_INPUT")
    assert error["path"] == ["neighborhood"]


def test_a_body_that_is_not_a_graphql_request_in_json_is_refused(http):
    url = "/export?format=graphml"
    refused(http.post(url, content=b"{not json", headers=JSON), 400, "BAD_REQUEST")
    refused(http.post(url, content=b'{"query": "\xff"}', headers=JSON), 400, "BAD_REQUEST")
    refused(http.post(url, content=b"[" * 100 + b"]" * 100, headers=JSON), 400, "BAD_REQUEST")
    refused(http.post(url, json={"query": 3}), 400, "BAD_REQUEST")
    refused(
        http.post(url, json={"query": "{ stats { sources } }", "variables": []}), 400, "BAD_REQUEST"
    )
    refused(http.post(url, json={}), 400, "BAD_REQUEST")
    form = http.post(
        url, content=b'{"query": "{ stats { sources } }"}', headers={"Content-Type": "text/plain"}
    )
    refused(form, 415, "BAD_REQUEST")
    bad_variables = http.get(
        "/export", params={"format": "csv", "query": "{ x }", "variables": "{"}
    )
    refused(bad_variables, 400, "BAD_REQUEST")


def test_the_limits_of_graphql_apply(http):
    deep = (
        '{ entity(id: "x") { '
        + "... on Organization { parent { " * 16
        + "name"
        + " } }" * 16
        + " } }"
    )
    error = refused(export(http, "graphml", deep), 400, "QUERY_TOO_COMPLEX")
    assert error["extensions"]["limit"] == "depth"


@pytest.fixture(scope="module")
def small(settings: Settings) -> Iterator[httpx.Client]:
    with (
        Server(replace(settings, max_export_items=5)) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        yield client


def test_an_export_over_its_size_limit_is_refused(small):
    error = refused(export(small, "graphml", NEIGHBOURHOOD), 400, "EXPORT_TOO_LARGE")
    assert error["extensions"]["maximum"] == 5
    assert error["extensions"]["actual"] > 5
    ok(export(small, "graphml", '{ entity(id: "potevio") { name } }'))


SECRET = "export-tests-shared-secret-of-32-bytes!"


@pytest.fixture(scope="module")
def closed(settings: Settings) -> Iterator[httpx.Client]:
    locked = replace(settings, read_requires_token=True, jwt_hs256_secret=SECRET, jwt_audience="kg")
    with Server(locked) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_a_token_is_needed_where_graphql_needs_one(closed):
    query = '{ entity(id: "potevio") { name } }'
    refused(export(closed, "graphml", query), 401, "UNAUTHENTICATED")
    browser = closed.get(
        "/export", params={"format": "graphml", "query": query}, headers={"Accept": "text/html"}
    )
    refused(browser, 401, "UNAUTHENTICATED")
    claims = {"sub": "analyst", "aud": "kg", "role": "reader", "exp": int(time.time()) + 600}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    response = closed.post(
        "/export?format=graphml",
        json={"query": query},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert list(graphml(response).nodes) == ["potevio"]
