"""The GraphiQL playground in a real headless Chromium: it opens with the examples and
runs the first one against the service, fetching nothing from elsewhere."""

from __future__ import annotations

import json

import pytest

from graph.http.playground import load_examples


def operation_of(example: dict) -> str:
    return example["query"].split("query ", 1)[1].split()[0].split("(")[0]


def test_playground_runs_the_first_example(visit, gql):
    page = visit.page
    visit.goto("/graphql")
    page.locator(".graphiql-execute-button").wait_for()
    first = load_examples()[0]
    menu = page.locator("#example-menu option")
    assert menu.nth(1).inner_text() == f"1. {first['title']}"
    editor = page.locator(".graphiql-query-editor")
    editor.wait_for()
    # The first example is the open tab's query.
    operation = operation_of(first)
    page.wait_for_function(
        "name => document.querySelector('.graphiql-query-editor')?.innerText.includes(name)",
        arg=operation,
    )

    page.click(".graphiql-execute-button")
    result = page.locator(".result-window")
    page.wait_for_function(
        "() => document.querySelector('.result-window')?.innerText.includes('\"data\"')"
    )
    text = result.inner_text()
    assert '"errors"' not in text
    # What the API answers over HTTP is what the page shows: the result editor's whole
    # text (CodeMirror draws only the lines in sight), value for value.
    shown = page.evaluate(
        "() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"
    )
    assert json.loads(shown)["data"] == gql(first["query"])
    visit.screenshot("playground-first-example")


@pytest.mark.parametrize("width", [1024, 1400], ids=lambda width: f"{width}px")
def test_the_examples_take_one_row_and_the_tabs_stay_clear_of_the_logo(visit, width):
    page = visit.page
    page.set_viewport_size({"width": width, "height": 720})
    visit.goto("/graphql")
    page.locator(".graphiql-execute-button").wait_for()
    examples = load_examples()
    bar = page.locator("#examples").bounding_box()
    # One row (it was five at 1280 px: 156 px of a 720 px screen).
    assert bar["height"] <= 44, bar
    assert page.locator("#example-menu option").count() == len(examples) + 1
    visit.screenshot(f"playground-{width}-examples")

    # Every example opened, each in a tab: the tabs scroll in their bar, the open one in
    # sight, none under the logo.
    for i, example in enumerate(examples):
        page.select_option("#example-menu", str(i))
        page.wait_for_function(
            "name => document.querySelector('.graphiql-query-editor')?.innerText.includes(name)",
            arg=operation_of(example),
        )
    # The last tab opened scrolls into sight: wait until it is clear of the logo.
    page.wait_for_function(
        """() => {
            const logo = document.querySelector('.graphiql-logo')?.getBoundingClientRect();
            const active = document.querySelector('.graphiql-tab-active')?.getBoundingClientRect();
            return logo && active && active.right <= logo.left + 1;
        }"""
    )
    logo = page.locator(".graphiql-logo").bounding_box()
    tabs = page.locator(".graphiql-session-header .graphiql-tabs").bounding_box()
    assert tabs["x"] + tabs["width"] <= logo["x"] + 1
    active = page.locator(".graphiql-tab-active").bounding_box()
    assert tabs["x"] - 1 <= active["x"]
    assert active["x"] + active["width"] <= logo["x"] + 1
    assert page.locator("#example-menu").input_value() == ""
    visit.screenshot(f"playground-{width}-all-examples")
