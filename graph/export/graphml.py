"""GraphML (http://graphml.graphdrawing.org/), as Gephi, yEd, Cytoscape and networkx read
it: a directed graph whose nodes are the entities (id = the entity's id) and whose edges
are the relationships (id = `from|TYPE|to`), each with a `label` for display and one
typed attribute per property (`boolean`, `long`, `double`, else `string`; dates as ISO
text, lists `|`-joined). The graph's own attributes say whether the answer was cut
(`truncated`, `cuts`), which request made it and which sources it cites.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from graph.export.flat import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    cuts_text,
    edge_row,
    node_row,
    property_columns,
    sources_json,
)
from graph.export.model import Export

MEDIA_TYPE = "application/graphml+xml"
# Characters XML 1.0 cannot hold at all, even escaped: dropped from any text written.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def xml_attribute(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


def attribute_type(values: Iterable[Any]) -> str:
    """The GraphML type that holds every one of `values` (None ignored)."""
    present = [v for v in values if v is not None]
    if not present:
        return "string"
    if all(isinstance(v, bool) for v in present):
        return "boolean"
    if any(isinstance(v, bool) for v in present):
        return "string"
    if all(isinstance(v, int) for v in present):
        return "long"
    if all(isinstance(v, int | float) for v in present):
        return "double"
    return "string"


def _literal(value: Any, kind: str) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))
    return str(value)


class _Keys:
    """The `<key>` declarations of one domain (graph, node or edge): each attribute's
    name, GraphML type and key id."""

    def __init__(self, domain: str, prefix: str) -> None:
        self.domain = domain
        self.prefix = prefix
        self.types: dict[str, str] = {}
        self.ids: dict[str, str] = {}

    def declare(self, name: str, kind: str) -> None:
        self.types[name] = kind
        self.ids[name] = f"{self.prefix}{len(self.ids)}"

    def declarations(self) -> Iterator[str]:
        for name, kind in self.types.items():
            yield (
                f'  <key id="{self.ids[name]}" for="{self.domain}" '
                f'attr.name={xml_attribute(name)} attr.type="{kind}"/>'
            )

    def data(self, row: dict[str, Any], indent: str) -> Iterator[str]:
        for name, value in row.items():
            if value is None or value == "":
                continue
            literal = _literal(value, self.types[name])
            yield f'{indent}<data key="{self.ids[name]}">{xml_text(literal)}</data>'


def to_graphml(export: Export) -> bytes:
    node_props = property_columns((*NODE_COLUMNS, "label"), export.nodes)
    edge_props = property_columns((*EDGE_COLUMNS, "label"), export.edges)
    node_rows = [_without_id(node_row(n, node_props), n.name) for n in export.nodes]
    edge_rows = [_without_ends(edge_row(e, edge_props), e.type) for e in export.edges]

    graph_row = {
        "truncated": export.truncated,
        "cuts": cuts_text(export),
        "exportedAt": export.exported_at.isoformat(),
        "query": export.request.query,
        "operationName": export.request.operation_name,
        "variables": json.dumps(export.request.variables, ensure_ascii=False)
        if export.request.variables
        else None,
        "sources": sources_json(export),
    }
    graph_keys = _Keys("graph", "g")
    for name, value in graph_row.items():
        graph_keys.declare(name, "boolean" if isinstance(value, bool) else "string")
    node_keys = _keys("node", "n", node_rows)
    edge_keys = _keys("edge", "e", edge_rows)

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
        *graph_keys.declarations(),
        *node_keys.declarations(),
        *edge_keys.declarations(),
        '  <graph id="export" edgedefault="directed">',
        *graph_keys.data(graph_row, "    "),
    ]
    for node, row in zip(export.nodes, node_rows, strict=True):
        lines.append(f"    <node id={xml_attribute(node.id)}>")
        lines.extend(node_keys.data(row, "      "))
        lines.append("    </node>")
    for edge, row in zip(export.edges, edge_rows, strict=True):
        lines.append(
            f"    <edge id={xml_attribute(edge.id)} source={xml_attribute(edge.start)} "
            f"target={xml_attribute(edge.end)}>"
        )
        lines.extend(edge_keys.data(row, "      "))
        lines.append("    </edge>")
    lines += ["  </graph>", "</graphml>", ""]
    return "\n".join(lines).encode("utf-8")


def _keys(domain: str, prefix: str, rows: list[dict[str, Any]]) -> _Keys:
    keys = _Keys(domain, prefix)
    names = dict.fromkeys(name for row in rows for name in row)
    for name in names:
        keys.declare(name, attribute_type(row.get(name) for row in rows))
    return keys


def _without_id(row: dict[str, Any], label: str) -> dict[str, Any]:
    """A node's attributes: its id is the node's own; its name is `label`, first, the
    attribute Gephi and Cytoscape show."""
    return {"label": label, **{k: v for k, v in row.items() if k not in {"id", "name"}}}


def _without_ends(row: dict[str, Any], label: str) -> dict[str, Any]:
    """An edge's attributes: id and ends are the edge's own; `label` is its type."""
    return {"label": label, **{k: v for k, v in row.items() if k not in {"id", "from", "to"}}}
