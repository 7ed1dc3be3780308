"""Who says what in the explorer (graph/static/explore/claims.js), in a real headless
Chromium: two sources written for the test disagree on a credit's amount and on a
membership's start; the details panel shows both values with their sources and marks the
property disputed, for an entity and for a relationship; the Conflicts dialog lists the
conflicts and an editor settles one, after which the value not chosen shows as rejected.
Everything written has ids starting `cfb-`; removed at the end."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from time import monotonic

import pytest

from graph.auth.keys import create_key
from graph.bulk.document import write_document
from graph.db import Database
from graph.settings import Settings
from tests.browser.explorer import click_element, idle
from tests.commands import delete_prefixed, query

PREFIX = "cfb-"
CREDIT = f"{PREFIX}credit"
MEMBERSHIP = f"{PREFIX}org|MEMBER_OF|{PREFIX}alliance"
AMOUNT_CONFLICT = f"{CREDIT}#amount"
SINCE_CONFLICT = f"{MEMBERSHIP}#since"


def document(source: str, title: str, amount: float, since: str) -> dict:
    def entity(entity_id: str, kind: str, name: str, **props) -> dict:
        return {
            "id": f"{PREFIX}{entity_id}",
            "kind": kind,
            "name": name,
            "properties": props,
            "provenance": [{"paragraph": 2}],
        }

    return {
        "source": {"id": f"{PREFIX}{source}", "title": title, "publisher": "Test Press"},
        "entities": [
            entity("credit", "CREDIT", "Cfb Optics credit", amount=amount, currency="CNY"),
            entity("org", "ORGANIZATION", "Cfb Optics Co."),
            entity("alliance", "ORGANIZATION", "Cfb Optics Alliance"),
        ],
        "relationships": [
            {
                "from": f"{PREFIX}org",
                "type": "MEMBER_OF",
                "to": f"{PREFIX}alliance",
                "properties": {"since": since},
                "provenance": [{"paragraph": 3}],
            },
            {
                "from": f"{PREFIX}org",
                "type": "BORROWED",
                "to": f"{PREFIX}credit",
                "provenance": [{"paragraph": 3}],
            },
        ],
    }


FIRST = document("first", "Cfb Daily", 100_000_000, "2012-05-01")
SECOND = document("second", "Cfb Weekly", 120_000_000, "2013-08-01")


def _cleanup(settings: Settings) -> None:
    delete_prefixed(settings, PREFIX)
    query(settings, "MATCH (k:Conflict) WHERE k.subject STARTS WITH $p DELETE k", p=PREFIX)
    query(settings, "MATCH (k:ApiKey) WHERE k.name STARTS WITH $p DELETE k", p=PREFIX)


@pytest.fixture(scope="module")
def editor_key(settings: Settings) -> Iterator[str]:
    """The two sources' facts and an editor's API key; before the browser opens (no
    asyncio loop may run while Playwright's is)."""
    _cleanup(settings)

    async def make() -> str:
        db = Database(settings)
        try:
            await write_document(db, FIRST, by="test", via="ingest")
            await write_document(db, SECOND, by="test", via="ingest")
            return (await create_key(db, f"{PREFIX}editor", "editor")).token
        finally:
            await db.close()

    yield asyncio.run(make())
    _cleanup(settings)


CLAIMS = """query ($id: ID!, $p: String!) { node(id: $id) {
  ... on Entity { claims(property: $p) { ...C } }
  ... on Edge { claims(property: $p) { ...C } }
} }
fragment C on Claim { value status provenance { source { title } } }"""


def api_claims(gql, node_id: str, prop: str = "amount") -> list[tuple[str, str, list[str]]]:
    """(status, the value's words as the page writes them, source titles), from the API."""
    node = gql(CLAIMS, {"id": node_id, "p": prop})["node"]
    out = []
    for claim in node["claims"]:
        value = claim["value"]
        words = f"CNY {value['amount']:,.0f}" if isinstance(value, dict) else value
        out.append(
            (claim["status"], words, sorted(p["source"]["title"] for p in claim["provenance"]))
        )
    return sorted(out)


def page_claims(page, property_name: str) -> list[tuple[str, str, list[str]]]:
    group = page.locator(f"#claims .claim-group[data-property='{property_name}']")
    out = []
    for i in range(group.locator("li.claim").count()):
        claim = group.locator("li.claim").nth(i)
        value = claim.locator(".claim-value")
        time = value.locator("time")
        words = time.get_attribute("datetime") if time.count() else value.inner_text()
        titles = sorted(claim.locator(".claim-sources .source-title").all_inner_texts())
        out.append((claim.get_attribute("data-status"), words, titles))
    return sorted(out)


def claims_once_settled(page, property_name: str, expected: list) -> list:
    """The page's claims of a property once they equal `expected`, or the last read after
    10 s. Read element by element, a panel that a live update re-renders meanwhile can
    mix two renderings (a claim read without its sources), so one read may not be final."""
    deadline = monotonic() + 10
    shown = page_claims(page, property_name)
    while shown != expected and monotonic() < deadline:
        page.wait_for_timeout(200)
        shown = page_claims(page, property_name)
    return shown


def open_details(visit, entity_id: str) -> None:
    visit.goto(f"/explore?id={entity_id}")
    visit.page.wait_for_function("window.explorer && window.explorer.nodeIds().length > 1")
    idle(visit.page)
    visit.page.locator("#claims").wait_for()


def test_the_details_show_who_says_what(editor_key, visit, gql):
    page = visit.page
    open_details(visit, CREDIT)
    assert page.locator("#claims h4").inner_text() == "Sources disagree (1)"
    expected = api_claims(gql, CREDIT)
    assert claims_once_settled(page, "amount", expected) == expected
    statuses = sorted(status for status, *_ in page_claims(page, "amount"))
    assert statuses == ["ALTERNATIVE", "SHOWN"]
    assert {"CNY 100,000,000", "CNY 120,000,000"} == {w for _, w, _ in page_claims(page, "amount")}
    # The property table marks the amount disputed; the value it shows is the SHOWN claim.
    row = page.locator("dl.props dt[data-key='amount']")
    assert row.locator("button.contested").count() == 1
    shown = next(w for s, w, _ in page_claims(page, "amount") if s == "SHOWN")
    assert row.locator("xpath=following-sibling::dd[1]").inner_text() == shown
    # The properties the sources agree on are listed too, folded: the name, by both.
    agreed = page.locator("#claims details.agreed")
    assert not agreed.get_attribute("open")
    agreed.locator("summary").click()
    name = agreed.locator(".claim-group[data-property='name'] li.claim")
    assert name.count() == 1
    assert sorted(name.locator(".source-title").all_inner_texts()) == ["Cfb Daily", "Cfb Weekly"]
    visit.screenshot("claims-entity")

    # A relationship's claims, from its details.
    visit.goto(f"/explore?id={PREFIX}org")
    page.wait_for_function(f"window.explorer.edgeIds().includes('{MEMBERSHIP}')")
    idle(page)
    click_element(page, MEMBERSHIP)
    page.locator("#claims .claim-group[data-property='since']").wait_for()
    expected = api_claims(gql, MEMBERSHIP, "since")
    assert claims_once_settled(page, "since", expected) == expected
    assert {w for _, w, _ in page_claims(page, "since")} == {"2012-05-01", "2013-08-01"}


def test_an_editor_settles_a_conflict_from_the_dialog(editor_key, visit, gql):
    page = visit.page
    visit.goto("/explore")
    page.click("#conflicts-open")
    page.locator("#conflicts[open]").wait_for()
    page.wait_for_function(
        "ids => ids.every(id => window.conflicts.ids().includes(id))",
        arg=[AMOUNT_CONFLICT, SINCE_CONFLICT],
    )
    item = page.locator(f"#cf-list li.cf-item[data-id='{AMOUNT_CONFLICT}']")
    assert item.get_attribute("data-status") == "OPEN"
    alternative = item.locator("li.claim[data-status='ALTERNATIVE']")
    chosen = alternative.locator(".claim-value").inner_text()

    # Without a key the API refuses, and the page says what is needed.
    page.fill("#cf-key", "")
    alternative.locator(".cf-choose").click()
    page.wait_for_function("document.getElementById('cf-status').textContent.includes('API key')")
    assert (
        gql(f'{{ conflicts(entity: "{CREDIT}", status: OPEN) {{ totalCount }} }}')["conflicts"][
            "totalCount"
        ]
        == 1
    )

    page.fill("#cf-key", editor_key)
    item.locator(".dup-note").fill("the weekly corrected the daily")
    alternative.locator(".cf-choose").click()
    resolved = page.locator(
        f"#cf-list li.cf-item[data-id='{AMOUNT_CONFLICT}'][data-status='RESOLVED']"
    )
    resolved.wait_for()
    assert resolved.locator("li.claim[data-status='SHOWN'] .claim-value").inner_text() == chosen
    assert resolved.locator("li.claim[data-status='REJECTED']").count() == 1
    assert "the weekly corrected the daily" in resolved.inner_text()
    visit.screenshot("claims-conflicts-dialog")

    # The graph agrees: the chosen value shown, the other rejected, the choice in history.
    statuses = {status: words for status, words, _ in api_claims(gql, CREDIT)}
    assert statuses == {
        "SHOWN": chosen,
        "REJECTED": next(w for w in ("CNY 100,000,000", "CNY 120,000,000") if w != chosen),
    }
    # (history's notes are for editors: a reader sees the action)
    history = gql(f'{{ history(id: "{CREDIT}") {{ action }} }}')["history"]
    assert "resolve" in {h["action"] for h in history}

    # The details panel shows the rejected value struck through.
    page.click("#cf-close")
    open_details(visit, CREDIT)
    expected = api_claims(gql, CREDIT)
    assert claims_once_settled(page, "amount", expected) == expected
    # Read in the page, on the element present at that moment: a live update arriving now
    # re-renders the claims, and a style read from a detached element is empty.
    page.wait_for_function(
        "() => { const el = document.querySelector('#claims li.claim.rejected .claim-value');"
        " return !!el && getComputedStyle(el).textDecorationLine.includes('line-through'); }",
        timeout=10_000,
    )
