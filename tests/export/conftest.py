"""An export built by hand for the format tests: values of every type a property holds,
text no format may break on, a property named like a fixed column, two relationships
between one pair of entities, and a cut."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.export.model import Citation, Edge, Export, Node, Request, Source, facts_claims

ARTICLE = Source(
    id="daily-2013",
    title="A first alliance",
    publisher="Daily",
    published_on=dt.date(2013, 8, 2),
    url="https://example.org/a?x=1&y=2",
    authors=("Guo",),
)
SECOND = Source(id="weekly-2014", title="A second look")
P5 = Citation("daily-2013", paragraph=5)
HEADLINE = Citation("weekly-2014", locator="headline")
NASTY = 'quote " comma , <tag> & amp; \x01bell\x0b and a\nnewline'


def node(node_id, kind, type_name, name, aliases=(), citations=(P5,), contested=(), **props):
    return Node(
        id=node_id,
        kind=kind,
        label=type_name,
        name=name,
        aliases=tuple(aliases),
        properties=props,
        citations=tuple(citations),
        claims=facts_claims(name, aliases, props, tuple(citations)),
        contested=tuple(contested),
    )


def edge(start: str, rel_type: str, end: str, citations=(P5,), **props):
    return Edge(
        id=f"{start}|{rel_type}|{end}",
        type=rel_type,
        start=start,
        end=end,
        properties=props,
        citations=tuple(citations),
        claims=facts_claims(None, (), props, tuple(citations)),
    )


def sample() -> Export:
    nodes = (
        node(
            "bank",
            "BANK",
            "Bank",
            "Bank of Beijing",
            aliases=("BOB", "北京银行"),
            citations=(P5, HEADLINE),
            bankType="commercial bank",
            memberCount=53,
            listed=True,
            founded=dt.date(1996, 1, 29),
            label="a property named like a column",
            mixed=1,
            tags=["lender", "city bank"],
        ),
        node(
            "credit",
            "CREDIT",
            "Credit",
            '=HYPERLINK("https://evil")',
            amount=200000000.0,
            currency="CNY",
            note=NASTY,
            mixed="one",
            contested=("amount",),
        ),
        node("committee", "ORGANIZATION", "Organization", "Committee", citations=()),
        node("ceremony", "EVENT", "Event", "Ceremony", date=dt.date(2013, 7, 30)),
    )
    edges = (
        edge("bank", "LENT", "credit"),
        edge("committee", "ORGANIZED", "ceremony", role="host"),
        edge("committee", "ATTENDED", "ceremony", citations=(HEADLINE,)),
    )
    return Export(
        nodes=nodes,
        edges=edges,
        sources={s.id: s for s in (ARTICLE, SECOND)},
        request=Request('{ entity(id: "bank") { name } }', "Sample", {"id": "bank"}),
        exported_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        cuts=("neighborhood: cut at its limit (`truncated`)",),
    )


@pytest.fixture
def export() -> Export:
    return sample()
