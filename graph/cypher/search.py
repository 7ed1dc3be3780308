"""Full-text search over names and aliases.

User text never reaches the Lucene query parser as syntax: it is cut into word tokens
(letters, digits, CJK characters), so `AND ( ) " * ~ : / \\` and the like can neither
break the query nor change its meaning. Latin tokens then gain a prefix and a fuzzy
variant, so partial words and typos still match; CJK runs are left to the `cjk`
analyzer, which splits them into bigrams.
"""

from __future__ import annotations

import re

from graph.cypher.plan import Plan
from graph.cypher.projection import project
from graph.db import Cypher

INDEX_NAME = "entity_search"
_TOKEN = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def lucene_query(text: str) -> str:
    """A Lucene query for `text` made of escaped-by-construction word tokens; may be ''."""
    clauses = []
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    for token in tokens:
        token = token.replace("_", "")
        if not token:
            continue
        if _CJK.search(token):
            clauses.append(token)
        elif len(token) <= 2:
            clauses.append(f"{token}^2")
        elif len(token) <= 4:
            clauses.append(f"({token}^3 OR {token}*)")
        else:
            clauses.append(f"({token}^3 OR {token}* OR {token}~1)")
    latin = [t for t in tokens if t and not _CJK.search(t)]
    if len(latin) > 1:
        clauses.append('"' + " ".join(latin) + '"^4')
    return " ".join(clauses)


def search_entities(
    text: str, kinds: list[str] | None, first: int, plan: Plan | None = None
) -> Cypher:
    """Best first: an exact (case-insensitive) name or alias match outranks every partial
    one, whatever Lucene's per-field scoring says; then Lucene's relevance."""
    query = (
        "CALL db.index.fulltext.queryNodes($index, $q) YIELD node, score "
        "WHERE $kinds IS NULL OR node.kind IN $kinds "
        "WITH node, score + CASE WHEN toLower(node.name) = $exact "
        "  OR any(a IN coalesce(node.aliases, []) WHERE toLower(a) = $exact) "
        "  THEN 100.0 ELSE 0.0 END AS score "
        "WITH node, score ORDER BY score DESC, node.name, node.id LIMIT $first "
        "RETURN {node} AS node, score"
    )
    params: dict = {
        "index": INDEX_NAME,
        "q": lucene_query(text),
        "exact": " ".join(text.split()).lower(),
        "kinds": kinds,
        "first": first,
    }
    return query.replace("{node}", project("node", plan, params)), params
