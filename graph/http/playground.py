"""The GraphiQL playground: a page served by the service itself (no CDN), opened with the
example operations of graph/examples/ (also the operations PERSISTED_QUERIES_ONLY
accepts from anyone, graph/http/view.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAGE = Path(__file__).resolve().parents[1] / "static" / "graphiql.html"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load_examples() -> list[dict[str, Any]]:
    """The playground's example operations: graph/examples/*.graphql, first comment line
    is the title."""
    examples = []
    for path in sorted(EXAMPLES.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        title = first.lstrip("# ").strip() if first.startswith("#") else path.stem
        variables = path.with_suffix(".json")
        examples.append(
            {
                "title": title,
                "query": text,
                "variables": variables.read_text() if variables.exists() else None,
            }
        )
    return examples


def playground_html() -> str:
    page = PAGE.read_text(encoding="utf-8")
    examples = (
        json.dumps(load_examples())
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return page.replace("__EXAMPLES_JSON__", examples)
