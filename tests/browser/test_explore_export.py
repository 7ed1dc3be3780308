"""The explorer's "Export as" menu (graph/static/explore/export.js), in headless Chromium:
the view downloads as GraphML, CSV and JSON-LD from /export, holding exactly the nodes and
edges in view, with their properties and provenance."""

from __future__ import annotations

import io
import json
import warnings
import zipfile

import networkx as nx
import pandas as pd
from rdflib import RDF, Graph
from rdflib.namespace import PROV

from tests.browser.conftest import SCREENSHOTS

BANK = "bank-of-beijing"


def open_bank_of_beijing(visit) -> None:
    visit.goto(f"/explore?id={BANK}")
    visit.page.wait_for_function("window.explorer && window.explorer.nodeIds().length > 1")
    visit.page.wait_for_function("!window.explorer.busy")


def download(visit, fmt: str) -> tuple[str, bytes]:
    page = visit.page
    with page.expect_download() as started:
        page.select_option("#export-graph", fmt)
    saved = SCREENSHOTS / f"explore-export-{fmt}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    started.value.save_as(saved)
    return started.value.suggested_filename, saved.read_bytes()


def test_the_view_downloads_as_graphml_csv_and_json_ld(visit):
    page = visit.page
    open_bank_of_beijing(visit)
    nodes = page.evaluate("window.explorer.nodeIds()")
    edges = page.evaluate("window.explorer.edgeIds()")

    name, data = download(visit, "graphml")
    assert name == "ExplorerView.graphml"
    graph = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert sorted(graph.nodes) == nodes
    assert sorted(key for *_, key in graph.edges(keys=True)) == edges
    assert graph.nodes[BANK]["label"] == "Bank of Beijing"
    assert graph.nodes[BANK]["sources"]
    assert page.locator("#status").inner_text() == "Exported."
    # The menu is back on its prompt, ready for the next export.
    assert page.locator("#export-graph").input_value() == ""

    name, data = download(visit, "csv")
    assert name == "ExplorerView.zip"
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(pd.read_csv(archive.open("nodes.csv"))["id"]) == nodes
    assert sorted(pd.read_csv(archive.open("edges.csv"))["id"]) == edges
    assert json.loads(archive.read("export.json"))["truncated"] is False

    name, data = download(visit, "jsonld")
    assert name == "ExplorerView.jsonld"
    rdf = Graph()
    with warnings.catch_warnings():
        # rdflib 7.6's own JSON-LD parser calls its deprecated ConjunctiveGraph.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        rdf.parse(data=data, format="json-ld")
    statements = list(rdf.subjects(RDF.type, RDF.Statement))
    assert statements
    assert all(rdf.value(s, PROV.wasDerivedFrom) for s in statements)
    visit.screenshot("explore-export-menu")


def test_an_empty_view_says_there_is_nothing_to_export(visit):
    page = visit.page
    visit.goto("/explore")
    page.wait_for_function("window.explorer && !window.explorer.busy")
    page.select_option("#export-graph", "graphml")
    assert "Nothing to export yet" in page.locator("#status").inner_text()
