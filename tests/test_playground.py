"""The playground: served without any CDN, opening with example operations that work."""

import re

import pytest

from graph.http.playground import load_examples

EXAMPLES = load_examples()


def test_graphiql_page_is_self_contained(http):
    page = http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert "__EXAMPLES_JSON__" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "external asset"
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html)
    assert any(a.endswith(".js") for a in assets)
    assert any(a.endswith(".css") for a in assets)
    for asset in assets:
        response = http.get(asset)
        assert response.status_code == 200, asset
        assert b"//cdn." not in response.content
        assert b"unpkg.com" not in response.content


def test_page_embeds_every_example(http):
    html = http.get("/graphql", headers={"Accept": "text/html"}).text
    assert len(EXAMPLES) >= 5
    for example in EXAMPLES:
        assert (
            example["title"].replace("'", "\\u0027")[:20] in html or example["title"][:20] in html
        )


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["title"][:40] for e in EXAMPLES])
def test_example_runs_and_answers(gql, example):
    data = gql(example["query"])
    assert data
    assert all(value for value in data.values()), data


def test_get_queries_work(http):
    response = http.get("/graphql", params={"query": '{ entity(id: "bank-of-china") { name } }'})
    assert response.json()["data"]["entity"]["name"] == "Bank of China"


def test_health_and_ready(http):
    assert http.get("/health").json() == {"status": "ok"}
    assert http.get("/ready").status_code == 200
