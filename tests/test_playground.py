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


def _example(title: str) -> dict:
    return next(e for e in EXAMPLES if e["title"].startswith(title))


# What the first examples must answer, from the article's facts (seed/article.json,
# paragraphs 3-5): values, not just non-empty answers.
def test_examples_answer_the_articles_facts(gql):
    credit = gql(_example("Who lent")["query"])["entity"]
    assert credit["amount"] == {"amount": 200_000_000.0, "currency": "CNY"}
    assert credit["lender"]["id"] == "bank-of-beijing"
    assert credit["borrower"]["id"] == "potevio"

    agreement = gql(_example("The IP-financing agreement")["query"])["entity"]
    assert agreement["totalCredit"] == {"amount": 26_000_000_000.0, "currency": "CNY"}
    assert agreement["bankCount"] == 7
    roles = {(p["party"]["id"], p["role"]) for p in agreement["parties"]}
    assert ("beijing-intellectual-property-bureau", "government") in roles
    assert {("bank-of-beijing", "lender"), ("bank-of-china", "lender")} <= roles

    search = gql(_example("Search by name")["query"])
    assert {hits[0]["entity"]["id"] for hits in search.values()} == {"bank-of-beijing"}

    path = gql(_example("How is Bank of Beijing connected")["query"])["shortestPath"]
    assert path["length"] == 2
    assert [n["id"] for n in path["nodes"]][::2] == [
        "bank-of-beijing",
        "beijing-intellectual-property-bureau",
    ]

    borrowers = gql(_example("Which organizations borrowed")["query"])["organizations"]
    assert [e["node"]["id"] for e in borrowers["edges"]] == ["potevio"]

    totals = gql(_example("Which bank granted")["query"])
    [lender] = totals["creditTotals"]
    assert lender["entity"]["id"] == "bank-of-beijing"
    assert lender["total"] == {"amount": 200_000_000.0, "currency": "CNY"}
    by_role = {r["role"]: r for r in totals["agreementTotals"]}
    assert by_role["lender"]["total"] == {"amount": 26_000_000_000.0, "currency": "CNY"}
    assert by_role["lender"]["count"] == 1
