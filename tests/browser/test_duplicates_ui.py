"""The explorer's duplicate candidates (graph/static/explore/duplicates.js) in a real
headless Chromium: two pairs written for the test are listed side by side with the
signals of their scores; an editor merges one and marks the other distinct (a reader's
key is refused), and neither is proposed again. Everything written has ids starting
`dupb-`; removed at the end."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from graph.auth.keys import create_key
from graph.bulk.document import write_document
from graph.db import Database
from graph.settings import Settings
from tests.commands import delete_prefixed, query

PREFIX = "dupb-"
SOURCE = {"id": f"{PREFIX}source", "title": "A second source", "publisher": "Test Press"}


def org(entity_id: str, name: str, **props) -> dict:
    return {
        "id": f"{PREFIX}{entity_id}",
        "kind": "ORGANIZATION",
        "name": name,
        "properties": props,
        "provenance": [{"paragraph": 1}],
    }


def rel(a: str, rel_type: str, b: str) -> dict:
    return {
        "from": f"{PREFIX}{a}",
        "type": rel_type,
        "to": f"{PREFIX}{b}",
        "provenance": [{"paragraph": 1}],
    }


DOC = {
    "source": SOURCE,
    "entities": [
        org("kexin", "Haidian Kexin Robotics Co., Ltd.", nameZh="海淀科信机器人有限公司"),
        org("kexin-zh", "海淀科信机器人有限公司"),
        org("ruihua", "Xicheng Ruihua Optics Co., Ltd.", orgType="company"),
        org("ruihua-2", "Xicheng Ruihua Optics Company Limited", orgType="company"),
        org("alliance", "Xicheng Optics Alliance Test"),
    ],
    "relationships": [
        rel("kexin", "MEMBER_OF", "alliance"),
        rel("kexin-zh", "MEMBER_OF", "alliance"),
        rel("ruihua", "MEMBER_OF", "alliance"),
        rel("ruihua-2", "MEMBER_OF", "alliance"),
    ],
}
MERGED = (f"{PREFIX}kexin", f"{PREFIX}kexin-zh")
DISTINCT = (f"{PREFIX}ruihua", f"{PREFIX}ruihua-2")


def _cleanup(settings: Settings) -> None:
    delete_prefixed(settings, PREFIX)
    query(settings, "MATCH (d:DistinctPair) WHERE d.a STARTS WITH $p DELETE d", p=PREFIX)
    query(settings, "MATCH (k:ApiKey) WHERE k.name STARTS WITH $p DELETE k", p=PREFIX)


@pytest.fixture(scope="module")
def keys(settings: Settings) -> Iterator[dict[str, str]]:
    """The pairs written, and a reader's and an editor's API keys; before the browser
    opens (no asyncio loop may run while Playwright's is)."""
    _cleanup(settings)

    async def make() -> dict[str, str]:
        db = Database(settings)
        try:
            await write_document(db, DOC, by="test", via="ingest")
            return {
                role: (await create_key(db, f"{PREFIX}{role}", role)).token
                for role in ("reader", "editor")
            }
        finally:
            await db.close()

    yield asyncio.run(make())
    _cleanup(settings)


# Ranking a shared test graph can take a while on a busy machine.
RANKED_MS = 120_000


def idle(page) -> None:
    page.wait_for_function("window.duplicates && !window.duplicates.busy", timeout=RANKED_MS)


def shown_pairs(page) -> list[tuple[str, str]]:
    return [tuple(p) for p in page.evaluate("window.duplicates.pairs()")]


def open_organizations(page) -> None:
    page.click("#duplicates-open")
    page.locator("#duplicates[open]").wait_for()
    page.wait_for_function("document.querySelectorAll('#dup-kind option').length > 1")
    page.select_option("#dup-kind", "ORGANIZATION")
    page.wait_for_function(
        "pair => window.duplicates.pairs().some(p => p[0] === pair[0] && p[1] === pair[1])",
        arg=list(MERGED),
        timeout=RANKED_MS,
    )
    idle(page)


def item(page, pair: tuple[str, str]):
    return page.locator(f"#dup-list li[data-a='{pair[0]}'][data-b='{pair[1]}']")


@pytest.mark.parametrize("width", [1024, 1400])
def test_candidates_side_by_side_with_their_signals(keys, visit, width):
    page = visit.page
    page.set_viewport_size({"width": width, "height": 800})
    visit.goto("/explore")
    open_organizations(page)
    assert {MERGED, DISTINCT} <= set(shown_pairs(page))
    merged = item(page, MERGED)
    sides = merged.locator(".dup-side")
    assert sides.count() == 2
    names = sorted(sides.locator(".dup-name").all_inner_texts())
    assert names == ["Haidian Kexin Robotics Co., Ltd.", "海淀科信机器人有限公司"]
    signals = merged.locator(".dup-signals").inner_text()
    assert "name" in signals
    assert "海淀科信机器人" in signals
    assert "Xicheng Optics Alliance Test" in signals  # the entity both are related to
    # Side by side: the two halves start at the same height, the second to the right.
    first, second = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 2
    assert second["x"] > first["x"] + first["width"] - 1
    visit.screenshot(f"duplicates-{width}")


def test_an_editor_merges_one_and_marks_the_other_distinct(keys, visit, gql):
    page = visit.page
    visit.goto("/explore")
    open_organizations(page)
    # Without a key, or with a reader's, the API refuses and the page says what is needed.
    for key in ("", keys["reader"]):
        page.fill("#dup-key", key)
        page.evaluate("document.getElementById('dup-status').textContent = ''")
        item(page, MERGED).locator(".dup-merge").click()
        page.wait_for_function("document.getElementById('dup-status').textContent.length > 0")
        assert "API key" in page.locator("#dup-status").inner_text()
        assert MERGED in shown_pairs(page)

    page.fill("#dup-key", keys["editor"])
    item(page, MERGED).locator(".dup-note").fill("one company, two scripts")
    item(page, MERGED).locator(".dup-merge").click()
    page.wait_for_function(
        "pair => !window.duplicates.pairs().some(p => p[0] === pair[0] && p[1] === pair[1])",
        arg=list(MERGED),
    )
    assert "Merged" in page.locator("#dup-status").inner_text()
    survivor = gql(f'{{ entity(id: "{MERGED[1]}") {{ id }} }}')["entity"]["id"]
    assert survivor == MERGED[0]  # the one with more relationships... or the smaller id

    item(page, DISTINCT).locator(".dup-distinct").click()
    page.wait_for_function(
        "pair => !window.duplicates.pairs().some(p => p[0] === pair[0] && p[1] === pair[1])",
        arg=list(DISTINCT),
    )
    assert "distinct" in page.locator("#dup-status").inner_text()

    # Asked again, neither pair is proposed.
    page.click("#dup-refresh")
    idle(page)
    assert MERGED not in shown_pairs(page)
    assert DISTINCT not in shown_pairs(page)
    history = gql(f'{{ history(id: "{DISTINCT[0]}") {{ action object }} }}')["history"]
    assert {"action": "mark-distinct", "object": DISTINCT[1]} in history
