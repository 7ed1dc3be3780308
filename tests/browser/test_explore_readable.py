"""The explorer readable on a real graph (issue 15), at 1024 and 1400 px wide: each state
an analyst reaches (an entity, its agreement and credit expanded, a path, zoomed out) is
photographed and measured from what Cytoscape draws (tests/browser/label_report.js):
labels keep a readable size, none covers another label, a node or an arrowhead, none is
cut by the canvas's edge, long names keep their ends, and the graph spreads over the
canvas instead of shrinking into a corner of it. Also: the details panel shows the
domain's labels in the domain's order, showing a path clears any other selection, and
the JSON export holds the path's ids, types and provenance."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote_plus

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.explorer import (
    AGREEMENT,
    BANK,
    BUREAU,
    CREDIT,
    click_element,
    idle,
    node_ids,
    pick_from_search,
)

REPORT = (Path(__file__).parent / "label_report.js").read_text(encoding="utf-8")
# The explorer's smallest label sizes on screen (graph/static/explore/labels.js).
NODE_LABEL_PX = 12
EDGE_LABEL_PX = 10
HEIGHT = 720


def readable(visit, name: str) -> dict:
    """Photographs the page, measures its labels and checks what every state must hold."""
    page = visit.page
    page.mouse.move(0, 0)  # no hover: its tip and its label are not part of the state
    idle(page)
    visit.screenshot(name)
    report = page.evaluate(REPORT)
    (SCREENSHOTS / f"{name}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    node_px = [label["px"] for label in report["labels"] if not label["edge"]]
    edge_px = [label["px"] for label in report["labels"] if label["edge"]]
    assert node_px, "no node label on screen"
    assert min(node_px) >= NODE_LABEL_PX, report["labels"]
    assert not edge_px or min(edge_px) >= EDGE_LABEL_PX, report["labels"]
    assert report["overlaps"] == [], "labels cover each other"
    assert report["coveringNodes"] == [], "labels cover nodes"
    assert report["hiddenArrows"] == [], "arrowheads under labels"
    assert report["clipped"] == [], "labels cut by the canvas's edge"
    for label in report["labels"]:
        if label["name"] and "…" in label["text"]:
            # Shortened in the middle: the name's start and end are both there.
            lines = label["text"].split("\n")
            head = "" if lines[0].startswith("…") else lines[0].removesuffix(" …")
            assert label["name"].startswith(head), label
            assert label["name"].endswith(lines[-1].removeprefix("… ")), label
    return report


def shown(report: dict) -> set[str]:
    return {label["id"] for label in report["labels"]}


@pytest.fixture(params=[1024, 1400], ids=lambda width: f"{width}px")
def width(request) -> int:
    return request.param


def test_each_state_is_readable(visit, width):
    page = visit.page
    page.set_viewport_size({"width": width, "height": HEIGHT})
    visit.goto(f"/explore?id={BANK}")
    page.wait_for_function("window.explorer.nodeIds().length > 1")
    # The top bar takes one row.
    assert page.locator("header.bar").bounding_box()["height"] <= 56
    report = readable(visit, f"readable-{width}-1-entity")
    assert {BANK, AGREEMENT, CREDIT} <= shown(report)
    assert report["edgeLabels"] == report["edges"]

    # The agreement and the credit expanded: a chain that used to come out tall and be
    # shrunk into the wide canvas (labels ~4-6 px); now it spreads over it.
    click_element(page, AGREEMENT)
    page.wait_for_function(f"window.explorer.nodeIds().includes('{BUREAU}')")
    idle(page)
    click_element(page, CREDIT)
    page.wait_for_function("window.explorer.nodeIds().includes('potevio')")
    report = readable(visit, f"readable-{width}-2-expanded")
    assert report["nodes"] == 7
    assert report["span"]["x"] >= 0.6, report["span"]
    assert report["span"]["y"] >= 0.5, report["span"]
    # The expanded entities keep their labels; the one shortened keeps its end.
    assert {BANK, AGREEMENT, CREDIT} <= shown(report)
    agreement = next(label for label in report["labels"] if label["id"] == AGREEMENT)
    assert agreement["text"].endswith("(Beijing IP Bureau and 7 banks)")

    # More expanded, then zoomed far out: labels keep their size and the ones that no
    # longer fit are hidden, the focus's kept.
    for more in ("bank-of-china", "potevio"):
        click_element(page, more)
        idle(page)
    page.evaluate(
        """() => { const cy = window.explorer.cy;
          cy.zoom({ level: 0.3, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); }"""
    )
    report = readable(visit, f"readable-{width}-3-zoomed-out")
    assert report["zoom"] == 0.3
    labels = page.evaluate("window.explorer.labels")
    assert labels["hidden"] > 0, labels
    assert BANK in shown(report)

    # A path, with an edge selected before: the selection goes, the path's labels stay.
    page.click("#fit")
    idle(page)
    click_element(page, f"{BANK}|LENT|{CREDIT}")
    page.locator("#details .provenance").wait_for()
    pick_from_search(page, "#path-to", "Beijing Intellectual Property Bureau", BUREAU)
    page.click("#path-find")
    page.locator("#path-steps li").first.wait_for()
    report = readable(visit, f"readable-{width}-4-path")
    assert page.evaluate("window.explorer.cy.elements(':selected').length") == 0
    assert page.locator("#details").inner_text().strip() == "Select a node or an edge."
    assert {BANK, AGREEMENT, BUREAU} <= shown(report)


def test_the_details_show_the_domains_labels_in_its_order(visit, gql):
    page = visit.page
    domain = gql(
        "{ domain { kinds { name properties { name label storedAs } }"
        " commonProperties { name label storedAs } } }"
    )["domain"]
    credit = next(k for k in domain["kinds"] if k["name"] == "CREDIT")["properties"]
    given = gql(f'{{ entity(id: "{CREDIT}") {{ properties }} }}')["entity"]["properties"]
    visit.goto(f"/explore?id={CREDIT}")
    page.locator("#details .props dt").first.wait_for()
    idle(page)
    keys = page.locator("#details .props dt").evaluate_all("dts => dts.map(dt => dt.dataset.key)")
    labels = page.locator("#details .props dt").all_inner_texts()
    # The kind's declared properties the credit has, in declaration order and under the
    # domain's labels (money as one row: amount and currency); then those any entity may
    # carry; then any others.
    declared = [p for p in credit + domain["commonProperties"] if p["storedAs"][0] in given]
    assert keys[: len(declared)] == [p["name"] for p in declared]
    assert labels[: len(declared)] == [p["label"] for p in declared]
    stored = {key for p in declared for key in p["storedAs"]}
    assert keys[len(declared) :] == sorted(set(given) - stored - {"name"})
    assert "Amount (converted)" in labels
    assert "USD 32,640,000" in page.locator("#details .props").inner_text()


def test_common_and_undeclared_properties_follow_the_declared_ones(visit):
    """A bank with a Chinese name, a note and a property no declaration names: the page's
    answer for the bank is the service's own with those three added (the explorer is
    what is tested here, whatever the seed holds)."""
    page = visit.page
    extra = {"zzLegacyCode": "B-17", "note": "A note.", "nameZh": "北京银行"}

    def handle(route) -> None:
        request = route.request
        if "ExplorerEntity" not in unquote_plus(request.url) + (request.post_data or ""):
            route.continue_()
            return
        answer = route.fetch().json()
        if (answer.get("data") or {}).get("entity", {}).get("id") == BANK:
            answer["data"]["entity"]["properties"].update(extra)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))

    page.route("**/graphql*", handle)
    visit.goto(f"/explore?id={BANK}")
    page.wait_for_function("window.explorer.nodeIds().length > 1")
    idle(page)
    page.locator("#details dt[data-key='zzLegacyCode']").wait_for()
    keys = page.locator("#details .props dt").evaluate_all("dts => dts.map(dt => dt.dataset.key)")
    labels = page.locator("#details .props dt").all_inner_texts()
    # The bank's own (its type, stored as bankType), then the common ones in declaration
    # order, then the rest under their names in words.
    assert keys == ["orgType", "nameZh", "note", "zzLegacyCode"]
    assert labels == ["Type", "Chinese name", "Note", "Zz legacy code"]


def test_the_json_export_holds_the_paths_ids_types_and_provenance(visit):
    page = visit.page
    visit.goto(f"/explore?id={BANK}")
    page.wait_for_function("window.explorer.nodeIds().length > 1")
    idle(page)
    pick_from_search(page, "#path-to", "Beijing Intellectual Property Bureau", BUREAU)
    page.click("#path-find")
    page.locator("#path-steps li").first.wait_for()
    idle(page)
    with page.expect_download() as download:
        page.select_option("#export-graph", "json")
    saved = SCREENSHOTS / "explore-export-path.json"
    download.value.save_as(saved)
    view = json.loads(saved.read_text(encoding="utf-8"))
    path = view["path"]
    assert (path["from"], path["to"], path["length"]) == (BANK, BUREAU, 2)
    assert [n["id"] for n in path["nodes"]] == [BANK, AGREEMENT, BUREAU]
    assert [(e["id"], e["type"], e["from"], e["to"]) for e in path["edges"]] == [
        (f"{BANK}|PARTY_TO|{AGREEMENT}", "PARTY_TO", BANK, AGREEMENT),
        (f"{BUREAU}|PARTY_TO|{AGREEMENT}", "PARTY_TO", BUREAU, AGREEMENT),
    ]
    for step in path["nodes"] + path["edges"]:
        assert step["provenance"], step
        source = step["provenance"][0]["source"]
        assert source["publisher"] == "China Daily"
        assert step["provenance"][0]["paragraph"] is not None
    assert path["edges"][0]["properties"]["role"] == "lender"
    assert sorted(n["id"] for n in view["nodes"]) == node_ids(page)
