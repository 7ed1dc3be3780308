"""Driving the explorer page like a person does, shared by the browser tests: the seed
entities they use, waiting for the page to settle, typing into a search box, clicking
where Cytoscape drew something."""

from __future__ import annotations

BANK = "bank-of-beijing"
AGREEMENT = "beijing-ip-bureau-banks-ip-financing-agreement"
BUREAU = "beijing-intellectual-property-bureau"
CREDIT = "potevio-credit-bank-of-beijing"


def idle(page) -> None:
    page.wait_for_function("window.explorer && !window.explorer.busy")


def node_ids(page) -> list[str]:
    return page.evaluate("window.explorer.nodeIds()")


def pick_from_search(page, box: str, text: str, entity_id: str) -> None:
    """Type like a person, wait for the suggestion, click it."""
    page.click(box)
    page.keyboard.type(text, delay=15)
    option = page.locator(f"#{box.lstrip('#')}-suggestions li[data-id='{entity_id}']")
    option.wait_for()
    option.click()


def click_element(page, element_id: str) -> None:
    """A real mouse click on a node (or an edge's middle) where Cytoscape drew it."""
    at = page.evaluate("id => window.explorer.renderedPosition(id)", element_id)
    assert at, f"{element_id} is not in the view"
    page.mouse.click(at["x"], at["y"])


def open_bank_of_beijing(visit) -> None:
    visit.goto("/explore")
    pick_from_search(visit.page, "#search", "Bank of Beijing", BANK)
    visit.page.wait_for_function("window.explorer.nodeIds().length > 1")
    idle(visit.page)
