"""The explorer shows changes live (issue 14), in a real headless Chromium: an entity in
view that another client changes updates in place, its neighbourhood gains a new
relationship, and changes made while the connection is down arrive when it is back, all
without a reload. The writes go over HTTP with an editor's key, as another client's would;
the page hears them over its WebSocket subscriptions (graphql-transport-ws)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from graph.auth.keys import create_key
from graph.db import Database
from graph.settings import Settings
from tests.commands import delete_prefixed

ORG = "live-org"
PARTNER = "live-partner"
OTHER = "live-other"
PROVENANCE = 'provenance: {source: {id: "live-source", title: "Live test"}, locator: "test"}'
UPSERT = (
    "mutation ($e: EntityInput!) { upsertEntity(entity: $e, " + PROVENANCE + ") { __typename } }"
)
LINK = (
    "mutation ($r: RelationshipInput!) { upsertRelationship(relationship: $r, "
    + PROVENANCE
    + ") { __typename } }"
)
UNLINK = """mutation ($type: String!, $from: ID!, $to: ID!) {
  deleteRelationship(type: $type, from: $from, to: $to) { __typename } }"""
# Long enough for the service's change feed (a poll every 500 ms) and the page.
HEARD_MS = 15_000


@pytest.fixture(scope="module")
def editor(settings: Settings, http) -> Iterator:
    """Writes as another client would: over HTTP, with an admin's API key (deleting a
    relationship takes an admin). Asked for
    before `visit` (so before the browser): its set-up and tear-down run asyncio, which
    cannot run while Playwright's loop is open (see conftest.browser)."""

    async def make() -> str:
        db = Database(settings)
        try:
            return (await create_key(db, "live-admin", "admin")).token
        finally:
            await db.close()

    token = asyncio.run(make())

    def write(query: str, variables: dict) -> None:
        body = http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert "errors" not in body, body
        [answer] = body["data"].values()
        assert not answer["__typename"].endswith("Error"), answer

    yield write
    delete_prefixed(settings, "live-")


def organization(entity_id: str, name: str, description: str) -> dict:
    return {
        "e": {
            "id": entity_id,
            "kind": "ORGANIZATION",
            "name": name,
            "properties": {"description": description},
        }
    }


def member_of(start: str, end: str) -> dict:
    return {"r": {"type": "MEMBER_OF", "from": start, "to": end}}


def wait_live(page) -> None:
    page.wait_for_function("window.explorer.live.state === 'live'")
    assert page.locator("#live").get_attribute("data-state") == "live"
    assert page.locator("#live-text").inner_text() == "Live"


def open_live(visit, entity_id: str) -> None:
    page = visit.page
    visit.goto(f"/explore?id={entity_id}")
    page.wait_for_function("id => window.explorer.live.subscribedIds.includes(id)", arg=entity_id)
    page.wait_for_function("window.explorer && !window.explorer.busy")
    wait_live(page)
    # Marks this document: a reload or a navigation would lose it.
    page.evaluate("window.loadedOnce = true")


def details_say(page, text: str) -> None:
    page.wait_for_function(
        "text => document.querySelector('#details')?.innerText.includes(text)",
        arg=text,
        timeout=HEARD_MS,
    )


def in_view(page, element_id: str) -> None:
    page.wait_for_function(
        "id => window.explorer.cy.getElementById(id).nonempty()", arg=element_id, timeout=HEARD_MS
    )


def test_a_change_elsewhere_updates_the_entity_and_its_neighbourhood_in_place(editor, visit):
    page = visit.page
    editor(UPSERT, organization(ORG, "Live Test Organization", "Before the change"))
    open_live(visit, ORG)
    assert page.locator("#details .entity-name").inner_text() == "Live Test Organization"
    assert "Before the change" in page.locator("#details").inner_text()
    assert page.evaluate("window.explorer.nodeIds()") == [ORG]
    visit.screenshot("explore-live-1-before")

    # Another client renames it and changes a property: the details follow in place.
    editor(UPSERT, organization(ORG, "Live Test Organization (renamed)", "After the change"))
    details_say(page, "After the change")
    assert page.locator("#details .entity-name").inner_text() == "Live Test Organization (renamed)"
    # The table shows the new value; the old one stays listed among the claims (who said
    # what, graph/static/explore/claims.js), not as the property's value.
    assert "Before the change" not in page.locator("#details dl.props").inner_text()
    assert page.locator("#details .live-note").is_visible()
    node_name = f"window.explorer.cy.getElementById('{ORG}').data('name')"
    assert page.evaluate(node_name) == "Live Test Organization (renamed)"

    # ... and links it to a new partner: the neighbourhood gains it.
    editor(UPSERT, organization(PARTNER, "Live Partner Alliance", "A partner"))
    editor(LINK, member_of(ORG, PARTNER))
    edge = f"{ORG}|MEMBER_OF|{PARTNER}"
    in_view(page, edge)
    assert page.evaluate("window.explorer.nodeIds()") == [ORG, PARTNER]
    assert page.evaluate("window.explorer.edgeIds()") == [edge]
    assert "MEMBER_OF" in page.locator("#connections").inner_text()
    # The new neighbour is watched too (the subscriptions are renewed for the new view).
    page.wait_for_function("id => window.explorer.live.subscribedIds.includes(id)", arg=PARTNER)
    visit.screenshot("explore-live-2-after")

    # A relationship deleted elsewhere leaves the view.
    editor(UNLINK, {"type": "MEMBER_OF", "from": ORG, "to": PARTNER})
    page.wait_for_function(
        "id => window.explorer.cy.getElementById(id).empty()", arg=edge, timeout=HEARD_MS
    )
    assert page.evaluate("window.loadedOnce") is True


def test_changes_made_while_disconnected_arrive_after_reconnecting(editor, visit):
    page = visit.page
    editor(UPSERT, organization(ORG, "Live Test Organization", "Resume test"))
    editor(UPSERT, organization(OTHER, "Live Other Body", "Another"))
    open_live(visit, ORG)

    # Paused by hand: changes made meanwhile come when it resumes (`after` the last seen).
    page.click("#live-toggle")
    page.wait_for_function("window.explorer.live.state === 'stopped'")
    assert page.locator("#live-text").inner_text() == "Paused"
    editor(UPSERT, organization(ORG, "Live Test Organization", "Changed while paused"))
    editor(LINK, member_of(OTHER, ORG))
    page.wait_for_timeout(1500)  # the feed has polled by now; nothing may have arrived
    assert "Changed while paused" not in page.locator("#details").inner_text()
    page.click("#live-toggle")
    details_say(page, "Changed while paused")
    in_view(page, f"{OTHER}|MEMBER_OF|{ORG}")
    wait_live(page)

    # Dropped as a network failure would: it reconnects by itself, and resumes.
    applied = page.evaluate("window.explorer.live.applied")
    page.evaluate("window.explorer.live.drop()")
    page.wait_for_function("window.explorer.live.state !== 'live'")
    editor(UPSERT, organization(ORG, "Live Test Organization", "Changed across a drop"))
    details_say(page, "Changed across a drop")
    wait_live(page)
    assert page.evaluate("window.explorer.live.applied") > applied
    visit.screenshot("explore-live-3-resumed")
    assert page.evaluate("window.loadedOnce") is True
