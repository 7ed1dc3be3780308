"""schema.graphql is the committed contract; it must match the code."""

from graph.schema import schema
from graph.settings import ROOT


def test_committed_sdl_is_current():
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed.strip() == schema.as_str().strip(), (
        "schema.graphql is stale: run `make schema` and commit it"
    )


CONTRACT = {
    "Entity": ["id", "kind", "name", "aliases", "properties", "provenance", "relationships"],
    "Relationship": ["type", "direction", "other", "properties", "provenance"],
    "Provenance": ["source", "paragraph"],
    "Source": ["id", "title", "publisher", "publishedOn", "authors"],
    "SearchHit": ["entity", "score"],
    "Edge": ["type", "from", "to", "properties"],
    "Path": ["length", "nodes", "edges"],
    "Subgraph": ["nodes", "edges"],
    "Query": ["entity", "search", "shortestPath", "neighborhood"],
}


def test_contract_names_are_all_there():
    graphql_schema = schema._schema
    for type_name, fields in CONTRACT.items():
        gtype = graphql_schema.get_type(type_name)
        assert gtype is not None, type_name
        for field in fields:
            assert field in gtype.fields, f"{type_name}.{field}"
    kinds = set(graphql_schema.get_type("EntityKind").values)
    assert {"ORGANIZATION", "BANK", "PERSON", "PATENT", "AGREEMENT", "EVENT"} <= kinds
    assert set(graphql_schema.get_type("Direction").values) == {"OUT", "IN", "BOTH"}
