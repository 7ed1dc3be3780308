"""What the flat formats (GraphML, CSV) write for each entity and relationship: a few
fixed columns, then one column per property, named so that none hides another.

Provenance travels as two columns: `sources`, the cited sources' ids (`|`-joined), and
`provenance`, the citations as JSON (`[{"source": ..., "paragraph": 5}, ...]`), whose
sources are described once per export (the `sources` table or graph attribute).
`contested` names the properties sources give different values for (`|`-joined): the
value written is the one shown; every value with its own sources is in the JSON-LD.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from graph.export.model import Citation, Edge, Export, Node, Source, plain

NODE_COLUMNS = ("id", "kind", "name", "aliases", "sources", "provenance", "contested")
EDGE_COLUMNS = ("id", "from", "to", "type", "sources", "provenance", "contested")
SOURCE_COLUMNS = ("id", "title", "publisher", "publishedOn", "url", "authors")
# A property named like a fixed column is written under this prefix.
PROPERTY_PREFIX = "property."


def cited_sources(citations: Iterable[Citation]) -> str:
    return "|".join(dict.fromkeys(c.source for c in citations))


def citations_json(citations: Iterable[Citation]) -> str:
    return json.dumps([c.as_dict() for c in citations], ensure_ascii=False)


def property_columns(fixed: tuple[str, ...], members: Iterable[Node | Edge]) -> dict[str, str]:
    """Every property any member has, sorted: property name -> its column's name."""
    names = sorted({key for member in members for key in member.properties})
    return {name: PROPERTY_PREFIX + name if name in fixed else name for name in names}


def node_row(node: Node, columns: dict[str, str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": node.id,
        "kind": node.kind,
        "name": node.name,
        "aliases": "|".join(node.aliases),
        "sources": cited_sources(node.citations),
        "provenance": citations_json(node.citations),
        "contested": "|".join(node.contested),
    }
    for name, column in columns.items():
        row[column] = plain(node.properties.get(name))
    return row


def edge_row(edge: Edge, columns: dict[str, str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": edge.id,
        "from": edge.start,
        "to": edge.end,
        "type": edge.type,
        "sources": cited_sources(edge.citations),
        "provenance": citations_json(edge.citations),
        "contested": "|".join(edge.contested),
    }
    for name, column in columns.items():
        row[column] = plain(edge.properties.get(name))
    return row


def source_row(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "publishedOn": plain(source.published_on),
        "url": source.url,
        "authors": "|".join(source.authors),
    }


def sources_json(export: Export) -> str:
    """The cited sources, for a format with no table of its own for them."""
    return json.dumps(
        {s.id: source_row(s) for s in export.sources.values()}, ensure_ascii=False, sort_keys=True
    )


def cuts_text(export: Export) -> str:
    return "\n".join(export.cuts)
