"""Exports of an answer's subgraph (issue 15, "Export"): GraphML, CSV and JSON-LD with
PROV-O provenance.

    membership.py   which entities and relationships a GraphQL answer holds, and where
                    it was cut (the document is first given the ids it needs)
    reading.py      their full properties and provenance, read in one query
    model.py        what an export holds, whatever the format
    graphml.py, tables.py, jsonld.py
                    the formats: pure functions of the model, tested without a database

The HTTP route that runs a query and answers with a file is graph/http/export.py.
"""
