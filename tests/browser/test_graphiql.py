"""The GraphiQL playground in a real headless Chromium: it opens with the examples and
runs the first one against the service, fetching nothing from elsewhere."""

from __future__ import annotations

from graph.http.playground import load_examples


def test_playground_runs_the_first_example(visit, gql):
    page = visit.page
    visit.goto("/graphql")
    page.locator(".graphiql-execute-button").wait_for()
    first = load_examples()[0]
    assert page.locator("#examples button").first.inner_text() == first["title"]
    editor = page.locator(".graphiql-query-editor")
    editor.wait_for()
    # The first example is the open tab's query.
    operation = first["query"].split("query ", 1)[1].split()[0]
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
    assert '"data"' in text
    # What the API answers over HTTP is what the page shows.
    for field in gql(first["query"]):
        assert f'"{field}"' in text
    visit.screenshot("playground-first-example")
