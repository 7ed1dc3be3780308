"""JSON-LD read back by rdflib: every statement of the graph finds the sources that assert
it (PROV-O), with the paragraph or locator, and each source its id, title and URL."""

from __future__ import annotations

import dataclasses
import json
import warnings

from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD

from graph.export.jsonld import to_jsonld_bytes
from graph.export.model import Claim
from tests.export.conftest import HEADLINE, P5

BASE = "urn:ipkg:"
KG = Namespace(f"{BASE}vocab/")
SCHEMA = Namespace("https://schema.org/")
# What the export says about its own structure, not what a source asserts.
STRUCTURE = {DCTERMS.identifier, PROV.wasDerivedFrom, PROV.qualifiedDerivation}
STATEMENT_PARTS = {RDF.subject, RDF.predicate, RDF.object}


def parsed(export) -> Graph:
    return read_jsonld(to_jsonld_bytes(export))


def read_jsonld(data: bytes) -> Graph:
    graph = Graph()
    with warnings.catch_warnings():
        # rdflib 7.6's own JSON-LD parser calls its deprecated ConjunctiveGraph.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(data=data, format="json-ld")
    return graph


def entity(entity_id: str) -> URIRef:
    return URIRef(f"{BASE}entity/{entity_id}")


def facts(graph: Graph) -> list[tuple]:
    """Every triple a source asserts: about an entity (its kind, name, aliases,
    properties, relationships) or about a relationship (its properties)."""
    subjects = set(graph.subjects(PROV.wasDerivedFrom, None)) | set(
        graph.subjects(RDF.type, KG.Relationship)
    )
    found = []
    for s, p, o in graph:
        if s not in subjects or p in STRUCTURE or p in STATEMENT_PARTS:
            continue
        if p == RDF.type and o in {PROV.Entity, RDF.Statement, KG.Relationship}:
            continue
        if (s, RDF.type, RDF.Statement) in graph and (s, RDF.type, KG.Relationship) not in graph:
            continue  # a statement node itself
        found.append((s, p, o))
    return found


def sources_of(graph: Graph, triple: tuple) -> set:
    s, p, o = triple
    statements = set(graph.subjects(RDF.subject, s)) & set(graph.subjects(RDF.predicate, p))
    statements &= set(graph.subjects(RDF.object, o))
    return {src for st in statements for src in graph.objects(st, PROV.wasDerivedFrom)}


def test_rdflib_finds_a_source_for_each_statement(export):
    graph = parsed(export)
    triples = facts(graph)
    uncited = entity("committee")
    cited = [t for t in triples if t[0] != uncited]
    assert len(cited) > 20
    for triple in cited:
        sources = sources_of(graph, triple)
        assert sources, triple
        for source in sources:
            assert (source, RDF.type, KG.Source) in graph
            assert graph.value(source, DCTERMS.title)
    # Nothing is invented: a fact that cites no source has statements citing none.
    assert all(sources_of(graph, t) == set() for t in triples if t[0] == uncited)


def test_statements_cover_names_aliases_properties_and_relationships(export):
    graph = parsed(export)
    bank, credit = entity("bank"), entity("credit")
    triples = set(facts(graph))
    assert (bank, RDF.type, KG.Bank) in triples
    assert (bank, RDFS.label, Literal("Bank of Beijing")) in triples
    assert (bank, SKOS.altLabel, Literal("北京银行")) in triples
    assert (bank, KG.memberCount, Literal(53)) in triples
    assert (bank, KG.founded, Literal("1996-01-29", datatype=XSD.date)) in triples
    assert (bank, KG.tags, Literal("city bank")) in triples
    assert (bank, KG.LENT, credit) in triples
    assert (credit, KG.amount, Literal(200000000.0)) in triples
    relationship = URIRef(f"{BASE}relationship/committee%7CORGANIZED%7Cceremony")
    assert (relationship, KG.role, Literal("host")) in triples
    assert sources_of(graph, (entity("committee"), KG.ATTENDED, entity("ceremony"))) == {
        URIRef(f"{BASE}source/weekly-2014")
    }


def test_each_derivation_says_where_in_the_source(export):
    graph = parsed(export)
    places = set()
    for derivation in graph.subjects(RDF.type, PROV.Derivation):
        source = graph.value(derivation, PROV.entity)
        paragraph = graph.value(derivation, KG.paragraph)
        locator = graph.value(derivation, KG.locator)
        places.add((str(source).rsplit("/", 1)[1], paragraph and paragraph.toPython(), locator))
    assert places == {("daily-2013", 5, None), ("weekly-2014", None, Literal("headline"))}


def test_sources_carry_their_id_title_and_url(export):
    graph = parsed(export)
    source = URIRef(f"{BASE}source/daily-2013")
    assert graph.value(source, DCTERMS.identifier) == Literal("daily-2013")
    assert graph.value(source, DCTERMS.title) == Literal("A first alliance")
    assert graph.value(source, SCHEMA.url) == URIRef("https://example.org/a?x=1&y=2")
    assert graph.value(source, DCTERMS.issued) == Literal("2013-08-02", datatype=XSD.date)


def test_the_export_says_it_was_cut(export):
    graph = parsed(export)
    about = graph.value(None, RDF.type, KG.Export)
    assert graph.value(about, KG.truncated) == Literal(True)
    assert graph.value(about, KG.cut) == Literal("neighborhood: cut at its limit (`truncated`)")
    assert graph.value(about, PROV.generatedAtTime).toPython().year == 2026


def test_a_value_with_its_own_sources_is_a_statement_of_its_own(export):
    """Claims (issue 15): two values of one property, each cited by its own source; the
    plain triple holds the one shown only, the other says why it is not."""
    credit = export.nodes[1]
    claims = {
        **credit.claims,
        "amount": (
            Claim(200000000.0, (P5,)),
            Claim(300000000.0, (HEADLINE,), preferred=False, status="ALTERNATIVE"),
        ),
    }
    nodes = (export.nodes[0], dataclasses.replace(credit, claims=claims), *export.nodes[2:])
    graph = parsed(dataclasses.replace(export, nodes=nodes))
    subject = entity("credit")
    assert set(graph.objects(subject, KG.amount)) == {Literal(200000000.0)}
    daily, weekly = URIRef(f"{BASE}source/daily-2013"), URIRef(f"{BASE}source/weekly-2014")
    assert sources_of(graph, (subject, KG.amount, Literal(200000000.0))) == {daily}
    assert sources_of(graph, (subject, KG.amount, Literal(300000000.0))) == {weekly}
    statuses = {
        graph.value(st, RDF.object).toPython(): graph.value(st, KG.status)
        for st in graph.subjects(RDF.predicate, KG.amount)
    }
    assert statuses == {200000000.0: None, 300000000.0: Literal("ALTERNATIVE")}


def test_the_document_is_plain_json_ld_with_its_context(export):
    document = json.loads(to_jsonld_bytes(export, "https://kg.example.org/id/"))
    assert document["@context"]["prov"] == str(PROV)
    ids = {node.get("@id") for node in document["@graph"]}
    assert "https://kg.example.org/id/entity/bank" in ids
