"""What an export holds, whatever its format: the entities and relationships of an
answer with every property, the sources they cite, and whether the answer was cut.

Each value of a property is also a `Claim`: the value with the citations that assert it
(graph/claims.py keeps them; graph/export/reading.py reads them into this model). A
property sources disagree about has several, one of them the value shown. The format
with room for provenance per statement (JSON-LD) writes claims; the flat ones (GraphML,
CSV) write each property's shown value, the fact's citations and which properties are
contested. A value with no claim recorded cites the fact's own sources (`facts_claims`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The claims kept under these names besides the declared properties.
NAME = "name"
ALIASES = "aliases"


@dataclass(frozen=True)
class Citation:
    """One provenance entry: a source, and where in it (a body paragraph or a locator
    such as 'headline')."""

    source: str
    paragraph: int | None = None
    locator: str | None = None

    @classmethod
    def parse(cls, entry: str) -> Citation:
        """From the stored form `source|paragraph|locator` (graph/cypher/writes.py)."""
        source, paragraph, locator = ([*entry.split("|", 2), "", ""])[:3]
        return cls(
            source=source,
            paragraph=int(paragraph) if paragraph.isdigit() else None,
            locator=locator or None,
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source}
        if self.paragraph is not None:
            out["paragraph"] = self.paragraph
        if self.locator is not None:
            out["locator"] = self.locator
        return out


SHOWN = "SHOWN"


@dataclass(frozen=True)
class Claim:
    """One value of one property and the citations asserting it. `preferred`: the value
    the plain field answers with; `status` as graph/claims.py says it (SHOWN,
    ALTERNATIVE, REJECTED)."""

    value: Any
    citations: tuple[Citation, ...]
    preferred: bool = True
    status: str = SHOWN


def facts_claims(
    name: str | None,
    aliases: Iterable[str],
    properties: Mapping[str, Any],
    citations: tuple[Citation, ...],
) -> dict[str, tuple[Claim, ...]]:
    """Every value of a fact as a claim of the fact's own citations: one per property,
    one per item of a list (each alias, each author), one for the name."""
    claims: dict[str, tuple[Claim, ...]] = {}
    if name is not None:
        claims[NAME] = (Claim(name, citations),)
    if aliases:
        claims[ALIASES] = tuple(Claim(alias, citations) for alias in aliases)
    for key, value in properties.items():
        values = value if isinstance(value, list | tuple) else [value]
        claims[key] = tuple(Claim(item, citations) for item in values)
    return claims


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    label: str  # the kind's type name, e.g. Bank
    name: str
    aliases: tuple[str, ...]
    properties: dict[str, Any]  # every public property: the value the API answers with
    citations: tuple[Citation, ...]  # the entity's own provenance
    claims: dict[str, tuple[Claim, ...]] = field(default_factory=dict)
    contested: tuple[str, ...] = ()  # properties sources give more than one value for


@dataclass(frozen=True)
class Edge:
    id: str  # from|TYPE|to (graph/cypher/nodes.py)
    type: str
    start: str
    end: str
    properties: dict[str, Any]
    citations: tuple[Citation, ...]
    claims: dict[str, tuple[Claim, ...]] = field(default_factory=dict)
    contested: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str | None = None
    published_on: dt.date | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()

    @classmethod
    def from_properties(cls, props: Mapping[str, Any]) -> Source:
        published = props.get("publishedOn")
        if isinstance(published, str):
            try:
                published = dt.date.fromisoformat(published)
            except ValueError:
                published = None
        return cls(
            id=str(props["id"]),
            title=str(props.get("title") or ""),
            publisher=props.get("publisher"),
            published_on=published if isinstance(published, dt.date) else None,
            url=props.get("url") or None,
            authors=tuple(props.get("authors") or ()),
        )


@dataclass(frozen=True)
class Request:
    """The GraphQL request whose answer was exported, as the client sent it."""

    query: str
    operation_name: str | None = None
    variables: dict[str, Any] | None = None


@dataclass(frozen=True)
class Export:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    sources: dict[str, Source]
    request: Request
    exported_at: dt.datetime
    # Where the answer stopped short of everything that matched (a neighbourhood's
    # limit, a page with more after it, a list as long as its `first`), in words.
    cuts: tuple[str, ...] = ()

    @property
    def truncated(self) -> bool:
        return bool(self.cuts)


def plain(value: Any) -> Any:
    """A property value for a flat format: dates as ISO text, lists as `|`-joined text
    (the bulk CSV format's convention), anything else as it is."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "|".join(str(plain(item)) for item in value)
    return value
