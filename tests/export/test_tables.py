"""CSV read back by pandas and by the csv module: the zip's three tables and its note,
and the single tables."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
import pandas as pd

from graph.export.tables import edges_csv, nodes_csv, to_zip


def test_the_zip_holds_three_tables_and_a_note(export):
    archive = zipfile.ZipFile(io.BytesIO(to_zip(export)))
    assert archive.namelist() == ["nodes.csv", "edges.csv", "sources.csv", "export.json"]
    about = json.loads(archive.read("export.json"))
    assert about["truncated"] is True
    assert about["cuts"] == ["neighborhood: cut at its limit (`truncated`)"]
    assert about["counts"] == {"nodes": 4, "edges": 3, "sources": 2}
    assert about["request"]["operationName"] == "Sample"


def test_pandas_reads_every_entity_and_property(export):
    archive = zipfile.ZipFile(io.BytesIO(to_zip(export)))
    nodes = pd.read_csv(archive.open("nodes.csv"))
    assert list(nodes["id"]) == ["bank", "credit", "committee", "ceremony"]
    assert list(nodes.columns[:7]) == [
        "id",
        "kind",
        "name",
        "aliases",
        "sources",
        "provenance",
        "contested",
    ]
    bank = nodes.set_index("id").loc["bank"]
    assert bank["aliases"].split("|") == ["BOB", "北京银行"]
    assert bank["memberCount"] == 53
    assert bank["founded"] == "1996-01-29"
    assert json.loads(bank["provenance"])[1] == {"source": "weekly-2014", "locator": "headline"}
    credit = nodes.set_index("id").loc["credit"]
    assert credit["amount"] == 200000000.0
    assert credit["contested"] == "amount"
    assert pd.isna(bank["amount"])  # a property the entity does not have: an empty cell
    assert credit["note"] == 'quote " comma , <tag> & amp; \x01bell\x0b and a\nnewline'


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(export):
    rows = list(csv.DictReader(io.StringIO(nodes_csv(export))))
    assert rows[1]["name"] == '\'=HYPERLINK("https://evil")'


def test_pandas_reads_every_relationship_and_networkx_builds_the_graph_from_it(export):
    edges = pd.read_csv(io.StringIO(edges_csv(export)), keep_default_na=False)
    assert list(edges["id"]) == [
        "bank|LENT|credit",
        "committee|ORGANIZED|ceremony",
        "committee|ATTENDED|ceremony",
    ]
    assert list(edges["role"]) == ["", "host", ""]
    graph = nx.from_pandas_edgelist(
        edges, "from", "to", edge_attr=True, create_using=nx.MultiDiGraph, edge_key="type"
    )
    assert graph.number_of_edges() == 3


def test_sources_are_a_table_of_their_own(export):
    archive = zipfile.ZipFile(io.BytesIO(to_zip(export)))
    sources = pd.read_csv(archive.open("sources.csv"), keep_default_na=False).set_index("id")
    assert sources.loc["daily-2013", "title"] == "A first alliance"
    assert sources.loc["daily-2013", "url"] == "https://example.org/a?x=1&y=2"
    assert sources.loc["daily-2013", "publishedOn"] == "2013-08-02"
    assert sources.loc["weekly-2014", "publisher"] == ""


def test_an_empty_export_has_headers_only(export):
    empty = type(export)(
        nodes=(), edges=(), sources={}, request=export.request, exported_at=export.exported_at
    )
    assert nodes_csv(empty).splitlines() == ["id,kind,name,aliases,sources,provenance,contested"]
