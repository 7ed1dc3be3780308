"""GraphML read back by networkx (what Gephi, yEd and Cytoscape users script with): every
node, edge and attribute, typed."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from graph.export.graphml import attribute_type, to_graphml

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def read(data: bytes) -> nx.MultiDiGraph:
    return nx.read_graphml(io.BytesIO(data), force_multigraph=True)


def test_networkx_reads_every_node_with_its_attributes(export):
    graph = read(to_graphml(export))
    assert list(graph.nodes) == ["bank", "credit", "committee", "ceremony"]
    bank = graph.nodes["bank"]
    assert bank["label"] == "Bank of Beijing"
    assert bank["kind"] == "BANK"
    assert bank["aliases"] == "BOB|北京银行"
    assert bank["bankType"] == "commercial bank"
    assert bank["memberCount"] == 53
    assert bank["listed"] is True
    assert bank["founded"] == "1996-01-29"
    assert bank["tags"] == "lender|city bank"
    # A property named like a fixed attribute keeps its value under a prefix.
    assert bank["property.label"] == "a property named like a column"
    assert bank["sources"] == "daily-2013|weekly-2014"
    assert json.loads(bank["provenance"]) == [
        {"source": "daily-2013", "paragraph": 5},
        {"source": "weekly-2014", "locator": "headline"},
    ]
    credit = graph.nodes["credit"]
    assert credit["amount"] == 200000000.0
    assert isinstance(credit["amount"], float)
    assert credit["contested"] == "amount"
    # A property with numbers on one node and text on another is text on both.
    assert (bank["mixed"], credit["mixed"]) == ("1", "one")
    # Characters XML cannot hold are dropped; everything else survives, escaped.
    assert credit["note"] == 'quote " comma , <tag> & amp; bell and a\nnewline'
    assert credit["label"] == '=HYPERLINK("https://evil")'
    # No provenance: no attribute, rather than an empty one.
    assert "sources" not in graph.nodes["committee"]


def test_networkx_reads_every_edge_with_its_id_type_and_provenance(export):
    graph = read(to_graphml(export))
    edges = {key: (start, end, data) for start, end, key, data in graph.edges(keys=True, data=True)}
    assert set(edges) == {
        "bank|LENT|credit",
        "committee|ORGANIZED|ceremony",
        "committee|ATTENDED|ceremony",
    }
    start, end, organized = edges["committee|ORGANIZED|ceremony"]
    assert (start, end) == ("committee", "ceremony")
    assert organized["label"] == organized["type"] == "ORGANIZED"
    assert organized["role"] == "host"
    assert edges["committee|ATTENDED|ceremony"][2]["sources"] == "weekly-2014"
    assert graph.is_directed()


def test_the_graph_says_it_was_cut_and_what_it_answers(export):
    graph = read(to_graphml(export))
    assert graph.graph["truncated"] is True
    assert graph.graph["cuts"] == "neighborhood: cut at its limit (`truncated`)"
    assert graph.graph["operationName"] == "Sample"
    assert json.loads(graph.graph["variables"]) == {"id": "bank"}
    sources = json.loads(graph.graph["sources"])
    assert sources["daily-2013"]["title"] == "A first alliance"
    assert sources["daily-2013"]["url"] == "https://example.org/a?x=1&y=2"


def test_keys_are_declared_once_per_attribute_with_a_graphml_type(export):
    root = ET.fromstring(to_graphml(export))
    keys = [(k.get("for"), k.get("attr.name")) for k in root.iter(f"{GRAPHML}key")]
    assert len(keys) == len(set(keys))
    types = {
        (k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.iter(f"{GRAPHML}key")
    }
    assert types[("node", "memberCount")] == "long"
    assert types[("node", "amount")] == "double"
    assert types[("node", "listed")] == "boolean"
    assert types[("graph", "truncated")] == "boolean"


def test_an_empty_export_is_a_valid_empty_graph(export):
    empty = type(export)(
        nodes=(), edges=(), sources={}, request=export.request, exported_at=export.exported_at
    )
    graph = read(to_graphml(empty))
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (0, 0)
    assert graph.graph["truncated"] is False


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([True, False, None], "boolean"),
        ([1, 2], "long"),
        ([1, 2.5], "double"),
        ([1, "x"], "string"),
        ([True, 1], "string"),
        ([None], "string"),
    ],
)
def test_an_attribute_takes_the_type_that_holds_all_its_values(values, kind):
    assert attribute_type(values) == kind
