"""The playground: served without any CDN, opening with example operations that work."""

import json
import re
from pathlib import Path

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


SEED = json.loads((Path(__file__).resolve().parents[1] / "seed" / "article.json").read_text())
NAMES = {e["id"]: e["name"] for e in SEED["entities"]}


def _linked(type_: str, *, to: str | None = None, from_: str | None = None) -> set[str]:
    """The names at the other end of the seed's relationships of this type (the seed file
    read as the reference, not the graph)."""
    found = set()
    for r in SEED["relationships"]:
        if r["type"] == type_ and to in (None, r["to"]) and from_ in (None, r["from"]):
            found.add(NAMES[r["from"] if to else r["to"]])
    return found


# The other examples, likewise (paragraphs 1, 3, 8, 9 and the people listed after it).
def test_the_other_examples_answer_the_articles_facts(gql):
    ceremony_id = "zhongguancun-ip-service-alliance-launch-ceremony"
    ceremony = gql(_example("The launch ceremony")["query"])["entity"]
    assert ceremony["date"] == "2013-07-30"
    assert ceremony["attendanceMin"] == 400
    assert ceremony["place"]["name"] == "Zhongguancun Science Park"
    assert {o["name"] for o in ceremony["organizers"]} == _linked("ORGANIZED", to=ceremony_id)
    [alliance] = ceremony["launched"]
    assert alliance["memberCount"] == 53
    assert [g["recipientCount"] for g in ceremony["grants"]] == [10]

    people = gql(_example("People, their titles")["query"])
    assert [(p["title"], p["organization"]["name"]) for p in people["named"]["positions"]] == [
        ("President and CEO", "Analysys International")
    ]
    unnamed = people["unnamed"]
    assert unnamed["anonymous"] is True
    [position] = unnamed["positions"]
    assert position["title"] == "Director"
    assert position["organization"]["name"] == "Department of Planning"
    assert position["organization"]["parent"]["name"] == "State Intellectual Property Office"
    [comment] = unnamed["comments"]
    assert comment["about"]["name"] == "Zhongguancun Intellectual Property Service Alliance"
    assert [p["paragraph"] for p in comment["provenance"]] == [3]

    around = gql(_example("Everything within two hops")["query"])["neighborhood"]
    ids = {n["id"] for n in around["nodes"]}
    # The bank, the credit it granted and its borrower; the agreement it signed and its
    # other parties.
    assert {"bank-of-beijing", "potevio", "bank-of-china"} <= ids
    assert all(e["from"] in ids and e["to"] in ids for e in around["edges"])
    assert around["truncated"] is False

    page = gql(_example("Page through organizations")["query"])["organizations"]
    names = [e["node"]["name"] for e in page["edges"]]
    assert len(names) == 5
    assert names == sorted(names, key=str.casefold)
    assert page["totalCount"] >= sum(e["kind"] == "ORGANIZATION" for e in SEED["entities"])
    assert page["pageInfo"]["hasNextPage"] is (page["totalCount"] > 5)
    following = gql(
        _example("Page through organizations")["query"],
        {"after": page["pageInfo"]["endCursor"]},
    )["organizations"]
    after = [e["node"]["name"] for e in following["edges"]]
    assert after
    assert after[0].casefold() >= names[-1].casefold()
    assert not set(after) & set(names)

    timeline = gql(_example("What happened around")["query"])["timeline"]
    dates = [t["date"] for t in timeline]
    assert dates == sorted(dates)
    assert ("2013-07-30", ceremony_id) in {(t["date"], t["entity"]["id"]) for t in timeline}

    presidents = gql(_example("People holding a President")["query"])["people"]
    held = {
        (e["node"]["name"], p["title"])
        for e in presidents["edges"]
        for p in e["node"]["positions"]
        if "president" in p["title"].casefold()
    }
    assert held == {("Yu Jun", "President"), ("Yu Yang", "President and CEO")}
