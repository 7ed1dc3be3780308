"""JSON-LD with W3C PROV-O provenance: every statement linked to the sources that assert
it, after Wikidata's statement model (the anchor of issue 15).

The graph holds, for each entity and relationship:

- its plain triples, for use as ordinary RDF: `<entity> rdfs:label "Bank of Beijing"`,
  `<credit> kg:amount 2.0E8`, `<bank> kg:LENT <credit>`;
- one `rdf:Statement` per plain triple (RDF reification: `rdf:subject`, `rdf:predicate`,
  `rdf:object`), derived from its sources: `prov:wasDerivedFrom <source>`, and a
  `prov:qualifiedDerivation` (a `prov:Derivation` naming the source, with the paragraph
  (`kg:paragraph`) or other locator (`kg:locator`) where the source says it). A
  relationship is itself the statement of its triple, and its properties (a party's
  role) are statements about it;
- each source once: `kg:Source`, `prov:Entity`, with its id (`dcterms:identifier`),
  `dcterms:title`, `schema:url`, `dcterms:publisher`, `dcterms:issued`.

Statements are written from the model's claims (graph/export/model.py, read from
graph/claims.py): each value of a property cites the sources that give it. Where sources
disagree, each value is a statement of its own sources; the value shown also has its
plain triple, the others do not and carry `kg:status` (`ALTERNATIVE`, or `REJECTED` by an
editor's resolution).

`urn:ipkg:` is the default namespace of ids (`EXPORT_BASE_IRI`): ids are the service's own
slugs, so the same entity has the same IRI in every export, whatever host served it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any
from urllib.parse import quote

from graph.export.model import ALIASES, NAME, Citation, Claim, Edge, Export, Node, Source

MEDIA_TYPE = "application/ld+json"
DEFAULT_BASE_IRI = "urn:ipkg:"

PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Claims whose predicate is a standard one rather than the graph's vocabulary.
_PREDICATES = {NAME: "rdfs:label", ALIASES: "skos:altLabel"}


def vocabulary(base_iri: str) -> str:
    return f"{base_iri}vocab/"


class _Iris:
    def __init__(self, base: str) -> None:
        self.base = base

    def entity(self, entity_id: str) -> str:
        return f"{self.base}entity/{quote(entity_id, safe='')}"

    def relationship(self, relationship_id: str) -> str:
        return f"{self.base}relationship/{quote(relationship_id, safe='')}"

    def source(self, source_id: str) -> str:
        return f"{self.base}source/{quote(source_id, safe='')}"

    def statement(self, subject: str, predicate: str, value: Any) -> str:
        key = json.dumps([subject, predicate, _literal(value)], sort_keys=True, default=str)
        return f"{self.base}statement/{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def context(base_iri: str) -> dict[str, Any]:
    return {
        "kg": vocabulary(base_iri),
        "prov": PROV,
        "rdf": RDF,
        "rdfs": RDFS,
        "skos": SKOS,
        "dcterms": DCTERMS,
        "schema": SCHEMA,
        "xsd": XSD,
    }


def predicate(name: str) -> str:
    """The predicate of a claim on `name` (a property, `name`, `aliases`), or of a
    relationship type."""
    return _PREDICATES.get(name, f"kg:{name}")


def _literal(value: Any) -> Any:
    """A JSON-LD value: dates typed, numbers and booleans as JSON gives them (xsd:integer,
    xsd:double, xsd:boolean), text as text."""
    if isinstance(value, dt.datetime):
        return {"@value": value.isoformat(), "@type": "xsd:dateTime"}
    if isinstance(value, dt.date):
        return {"@value": value.isoformat(), "@type": "xsd:date"}
    return value


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


def _provenance(citations: tuple[Citation, ...], iris: _Iris) -> dict[str, Any]:
    derivations = []
    for citation in citations:
        derivation: dict[str, Any] = {
            "@type": "prov:Derivation",
            "prov:entity": _ref(iris.source(citation.source)),
        }
        if citation.paragraph is not None:
            derivation["kg:paragraph"] = citation.paragraph
        if citation.locator is not None:
            derivation["kg:locator"] = citation.locator
        derivations.append(derivation)
    return {
        "prov:wasDerivedFrom": [
            _ref(iris.source(s)) for s in dict.fromkeys(c.source for c in citations)
        ],
        "prov:qualifiedDerivation": derivations,
    }


class _Builder:
    def __init__(self, export: Export, base_iri: str) -> None:
        self.export = export
        self.iris = _Iris(base_iri)
        self.graph: list[dict[str, Any]] = []
        self.subjects: dict[str, dict[str, Any]] = {}

    def statement(
        self,
        subject: str,
        pred: str,
        value: Any,
        citations: tuple[Citation, ...],
        status: str | None = None,
    ) -> None:
        statement = {
            "@id": self.iris.statement(subject, pred, value),
            "@type": "rdf:Statement",
            "rdf:subject": _ref(subject),
            "rdf:predicate": _ref(pred),
            "rdf:object": _literal(value),
            **_provenance(citations, self.iris),
        }
        if status is not None:
            statement["kg:status"] = status
        self.graph.append(statement)

    def claims(self, subject: dict[str, Any], claims: dict[str, tuple[Claim, ...]]) -> None:
        for name, values in claims.items():
            pred = predicate(name)
            for claim in values:
                if claim.preferred:
                    subject.setdefault(pred, []).append(_literal(claim.value))
                # A value not shown (another is, or an editor rejected it) says so.
                status = None if claim.preferred else claim.status
                self.statement(subject["@id"], pred, claim.value, claim.citations, status)

    def node(self, node: Node) -> None:
        iri = self.iris.entity(node.id)
        kind = f"kg:{node.label}"
        subject: dict[str, Any] = {
            "@id": iri,
            "@type": [kind, "prov:Entity"],
            "dcterms:identifier": node.id,
            **_provenance(node.citations, self.iris),
        }
        self.subjects[node.id] = subject
        self.graph.append(subject)
        # What kind of thing it is: a statement of its sources like any other.
        self.statement(iri, "rdf:type", _ref(kind), node.citations)
        self.claims(subject, node.claims)

    def edge(self, edge: Edge) -> None:
        start, end = self.iris.entity(edge.start), self.iris.entity(edge.end)
        pred = predicate(edge.type)
        self.subjects[edge.start].setdefault(pred, []).append(_ref(end))
        relationship: dict[str, Any] = {
            "@id": self.iris.relationship(edge.id),
            "@type": ["rdf:Statement", "kg:Relationship"],
            "dcterms:identifier": edge.id,
            "rdf:subject": _ref(start),
            "rdf:predicate": _ref(pred),
            "rdf:object": _ref(end),
            **_provenance(edge.citations, self.iris),
        }
        self.graph.append(relationship)
        self.claims(relationship, edge.claims)

    def source(self, source: Source) -> None:
        node: dict[str, Any] = {
            "@id": self.iris.source(source.id),
            "@type": ["kg:Source", "prov:Entity"],
            "dcterms:identifier": source.id,
            "dcterms:title": source.title,
        }
        if source.url:
            node["schema:url"] = _ref(source.url)
        if source.publisher:
            node["dcterms:publisher"] = source.publisher
        if source.published_on:
            node["dcterms:issued"] = _literal(source.published_on)
        if source.authors:
            node["dcterms:creator"] = list(source.authors)
        self.graph.append(node)

    def about(self) -> dict[str, Any]:
        """The export itself: when it was made, from which request, and where it was cut."""
        export = self.export
        request = export.request
        node: dict[str, Any] = {
            "@type": ["kg:Export", "prov:Entity"],
            "prov:generatedAtTime": _literal(export.exported_at),
            "kg:truncated": export.truncated,
            "kg:query": request.query,
        }
        if export.cuts:
            node["kg:cut"] = list(export.cuts)
        if request.operation_name:
            node["kg:operationName"] = request.operation_name
        if request.variables:
            node["kg:variables"] = json.dumps(request.variables, ensure_ascii=False)
        return node

    def build(self) -> dict[str, Any]:
        self.graph.append(self.about())
        for source in self.export.sources.values():
            self.source(source)
        for node in self.export.nodes:
            self.node(node)
        for edge in self.export.edges:
            self.edge(edge)
        return {"@context": context(self.iris.base), "@graph": self.graph}


def to_jsonld(export: Export, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, Any]:
    return _Builder(export, base_iri).build()


def to_jsonld_bytes(export: Export, base_iri: str = DEFAULT_BASE_IRI) -> bytes:
    return json.dumps(to_jsonld(export, base_iri), ensure_ascii=False, indent=1).encode("utf-8")
