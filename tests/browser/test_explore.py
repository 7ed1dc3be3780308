"""The explorer at /explore, in a real headless Chromium against the seed graph: search,
draw, expand, inspect, find a path, export; every request stays on the service's origin."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_plus

from tests.browser.conftest import SCREENSHOTS, foreign_requests
from tests.browser.explorer import (
    AGREEMENT,
    BANK,
    BUREAU,
    CREDIT,
    click_element,
    idle,
    node_ids,
    open_bank_of_beijing,
    pick_from_search,
)


def test_search_suggests_and_draws_the_neighbourhood(visit, gql):
    page = visit.page
    visit.goto("/explore")
    page.click("#search")
    page.keyboard.type("Bank of Beijing", delay=15)
    first = page.locator("#search-suggestions li").first
    first.wait_for()
    assert first.get_attribute("data-id") == BANK
    assert "Bank of Beijing" in first.inner_text()
    assert "Bank" in first.locator(".kind").inner_text()
    assert "BOB" in first.locator(".aliases").inner_text()
    visit.screenshot("explore-1-suggestions")

    first.click()
    page.wait_for_function("window.explorer.nodeIds().length > 1")
    idle(page)
    hood = gql(f'{{ neighborhood(id: "{BANK}", hops: 1, limit: 25) {{ nodes {{ id }} }} }}')
    assert sorted(node_ids(page)) == sorted(n["id"] for n in hood["neighborhood"]["nodes"])
    assert {AGREEMENT, CREDIT} <= set(node_ids(page))
    assert f"{BANK}|PARTY_TO|{AGREEMENT}" in page.evaluate("window.explorer.edgeIds()")
    assert page.locator("#details .entity-name").inner_text() == "Bank of Beijing"
    assert "explore?id=bank-of-beijing" in page.url
    assert page.locator("#legend li[data-kind='BANK'] .count").inner_text() == "1"
    visit.screenshot("explore-2-bank-of-beijing")


def test_clicking_a_node_expands_it_and_shows_money_and_provenance(visit):
    page = visit.page
    open_bank_of_beijing(visit)
    before = set(node_ids(page))
    assert BUREAU not in before

    click_element(page, AGREEMENT)
    page.wait_for_function(f"window.explorer.nodeIds().includes('{BUREAU}')")
    idle(page)
    after = set(node_ids(page))
    assert before < after
    assert {BUREAU, "bank-of-china"} <= after

    details = page.locator("#details")
    details.locator(".money").first.wait_for()
    text = details.inner_text()
    assert "CNY 26,000,000,000" in text
    assert "USD 4,200,000,000" in text
    assert "China Daily" in text
    assert "2 August 2013" in text
    assert "paragraph 2" in text
    assert "PARTY_TO" in details.locator("#connections").inner_text()
    visit.screenshot("explore-3-expanded-agreement")

    click_element(page, CREDIT)
    page.wait_for_function(
        "document.querySelector('#details .entity-name')?.textContent.includes('Potevio')"
    )
    details.locator(".money").first.wait_for()
    assert "CNY 200,000,000" in details.inner_text()
    assert "paragraph 5" in details.inner_text()


def test_an_edge_shows_its_relationship_provenance(visit, gql):
    page = visit.page
    types = gql("{ domain { relationshipTypes { name description } } }")["domain"]
    described = {t["name"]: t["description"] for t in types["relationshipTypes"]}
    open_bank_of_beijing(visit)
    click_element(page, f"{BANK}|LENT|{CREDIT}")
    page.locator("#details .provenance").wait_for()
    text = page.locator("#details").inner_text()
    assert "LENT" in text
    # The type's description, from the API, is the heading's tooltip.
    assert page.locator("#details .entity-name").get_attribute("title") == described["LENT"]
    assert "Bank of Beijing patent-backed credit to Potevio" in text
    assert "paragraph 5" in text
    visit.screenshot("explore-4-edge")


def test_a_cut_neighbourhood_shows_more_and_loads_it(visit):
    page = visit.page
    open_bank_of_beijing(visit)
    page.fill("#limit", "3")
    click_element(page, AGREEMENT)
    page.wait_for_function("window.explorer.truncatedIds().length > 0")
    idle(page)
    assert page.evaluate("window.explorer.truncatedIds()") == [AGREEMENT]
    notice = page.locator("#more-notice")
    assert notice.is_visible()
    assert "more…" in notice.inner_text()
    assert page.evaluate(f"window.explorer.cy.getElementById('more:{AGREEMENT}').nonempty()")
    visit.screenshot("explore-5-more")

    page.click("#more-button")
    page.wait_for_function("window.explorer.truncatedIds().length === 0")
    idle(page)
    assert BUREAU in node_ids(page)
    assert notice.is_hidden()


def test_path_finder_lists_and_highlights_the_steps(visit):
    page = visit.page
    open_bank_of_beijing(visit)
    # The start is the entity in view; the end is picked from search.
    assert page.input_value("#path-from") == "Bank of Beijing"
    pick_from_search(page, "#path-to", "Beijing Intellectual Property Bureau", BUREAU)
    page.click("#path-find")
    page.locator("#path-steps li").first.wait_for()
    idle(page)

    steps = page.locator("#path-steps li.step")
    assert [steps.nth(i).get_attribute("data-id") for i in range(steps.count())] == [
        BANK,
        AGREEMENT,
        BUREAU,
    ]
    names = page.locator("#path-steps .step-name").all_inner_texts()
    assert names == [
        "Bank of Beijing",
        "IP financing strategic cooperation agreement (Beijing IP Bureau and 7 banks)",
        "Beijing Intellectual Property Bureau",
    ]
    assert page.locator("#path-steps .step-edge").all_inner_texts() == [
        "PARTY_TO →",
        "← PARTY_TO",
    ]
    highlighted = set(page.evaluate("window.explorer.pathIds()"))
    assert {BANK, AGREEMENT, BUREAU, f"{BUREAU}|PARTY_TO|{AGREEMENT}"} <= highlighted
    assert CREDIT not in highlighted
    visit.screenshot("explore-6-path")


def test_export_json_and_png(visit):
    page = visit.page
    open_bank_of_beijing(visit)
    with page.expect_download() as download:
        page.select_option("#export-graph", "json")
    saved = SCREENSHOTS / "explore-export.json"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    download.value.save_as(saved)
    assert download.value.suggested_filename == "ip-graph-bank-of-beijing.json"
    view = json.loads(saved.read_text(encoding="utf-8"))
    assert view["focus"] == BANK
    assert sorted(n["id"] for n in view["nodes"]) == node_ids(page)
    assert {"type": "LENT", "from": BANK, "to": CREDIT} in [
        {k: e[k] for k in ("type", "from", "to")} for e in view["edges"]
    ]

    with page.expect_download() as download:
        page.select_option("#export-graph", "png")
    png = SCREENSHOTS / "explore-export.png"
    download.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 5_000


PALETTE = [
    "ORGANIZATION",
    "BANK",
    "PERSON",
    "PATENT",
    "AGREEMENT",
    "EVENT",
    "CREDIT",
    "GRANT",
    "PLACE",
]


def legend_items(page) -> list[dict]:
    """The legend as drawn, in order: each item's kind, label and tooltip."""
    return page.locator("#legend li").evaluate_all(
        """items => items.map(li => ({
            name: li.dataset.kind,
            label: li.querySelector('.label').textContent,
            description: li.getAttribute('title'),
        }))"""
    )


def wait_for_kinds(page, source: str) -> None:
    """Until the legend is drawn from the `domain` field ("domain") or, that failing,
    from the explorer's own palette ("built-in")."""
    page.locator(f"#legend[data-kinds='{source}']").wait_for(state="attached")
    idle(page)


def answer_domain_with(page, body: dict) -> None:
    """Answer the explorer's `domain` query with `body`; every other request goes through."""

    def handle(route) -> None:
        # Queries go by GET (the operation in the URL), long ones by POST.
        request = route.request
        if "ExplorerDomain" in unquote_plus(request.url) + (request.post_data or ""):
            route.fulfill(status=200, content_type="application/json", body=json.dumps(body))
        else:
            route.continue_()

    page.route("**/graphql*", handle)


def test_the_legend_lists_the_kinds_the_api_declares_in_its_order(visit, gql):
    page = visit.page
    kinds = gql("{ domain { kinds { name label description } } }")["domain"]["kinds"]
    assert kinds
    visit.goto("/explore")
    wait_for_kinds(page, "domain")
    assert legend_items(page) == kinds
    assert [li.strip() for li in page.locator("#legend li").all_inner_texts()] == [
        k["label"] for k in kinds
    ]
    # Kind badges take the API's label and description too.
    pick_from_search(page, "#search", "Bank of Beijing", BANK)
    page.wait_for_function("window.explorer.nodeIds().length > 1")
    idle(page)
    bank = next(k for k in kinds if k["name"] == "BANK")
    badge = page.locator("#details .entity-head .kind")
    assert badge.inner_text() == bank["label"]
    assert badge.get_attribute("title") == bank["description"]


def test_a_kind_the_palette_does_not_know_gets_a_style_of_its_own(visit, gql):
    page = visit.page
    domain = gql(
        "{ domain { kinds { name label description } relationshipTypes { name description } } }"
    )["domain"]
    # A kind newly added to the domain declaration, which the explorer's JS has never seen.
    domain["kinds"].insert(1, {"name": "VESSEL", "label": "Vessel", "description": "A ship."})
    answer_domain_with(page, {"data": {"domain": domain}})
    visit.goto("/explore")
    wait_for_kinds(page, "domain")
    assert legend_items(page) == domain["kinds"]

    kinds = {k["name"]: k for k in page.evaluate("window.explorer.kinds()")}
    vessel = kinds.pop("VESSEL")
    assert vessel["label"] == "Vessel"
    assert vessel["color"] not in {k["color"] for k in kinds.values()}
    assert vessel["shape"] not in {k["shape"] for k in kinds.values()}
    assert (kinds["BANK"]["color"], kinds["BANK"]["shape"]) == ("#f28e2b", "hexagon")
    icon = page.locator("#legend li[data-kind='VESSEL'] svg")
    assert icon.get_attribute("fill") == vessel["color"]
    assert icon.locator("polygon, path").count() == 1


def test_without_the_domain_the_legend_falls_back_to_the_built_in_kinds(visit):
    page = visit.page
    answer_domain_with(page, {"data": None, "errors": [{"message": "domain unavailable"}]})
    visit.goto("/explore")
    wait_for_kinds(page, "built-in")
    assert "domain unavailable" in page.locator("#status").inner_text()
    assert [item["name"] for item in legend_items(page)] == PALETTE
    assert legend_items(page)[1] == {"name": "BANK", "label": "Bank", "description": None}

    # The rest of the page works as before.
    pick_from_search(page, "#search", "Bank of Beijing", BANK)
    page.wait_for_function("window.explorer.nodeIds().length > 1")
    idle(page)
    assert {AGREEMENT, CREDIT} <= set(node_ids(page))
    assert page.locator("#legend li[data-kind='BANK'] .count").inner_text() == "1"
    assert page.locator("#details .entity-head .kind").inner_text() == "Bank"


def test_the_explorer_is_served_with_local_assets_only(http):
    for path in ("/explore", "/explore/"):
        page = http.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text), "external asset"
        assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", page.text)
        assert "/static/vendor/cytoscape.min.js" in assets
        for asset in assets:
            assert http.get(asset).status_code == 200, asset


def test_foreign_requests_are_told_apart():
    origin = "http://127.0.0.1:1"
    own = [f"{origin}/explore", f"blob:{origin}/0c4e", "data:,"]
    other = ["http://127.0.0.1:2/graphql", "https://cdn.example/cytoscape.js", "blob:null/1"]
    assert foreign_requests(own + other, origin) == other
