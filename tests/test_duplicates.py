"""`duplicateCandidates` against a real Neo4j, on a small graph with planted duplicates
(bench/duplicates.py: variant spellings, initials, Chinese names, look-alikes): precision
and recall above floors, paging, and editors' marks that two entities are distinct
(recorded in history, undone, followed through merges).

Everything here has ids starting `dupt-`; it is removed at teardown. Pairs with an
entity of the shared test graph outside it are not judged (the seed holds a Bank of
Beijing too).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.duplicates import Planted, plant, write
from graph.auth.keys import create_key
from graph.bulk.command import file_input
from graph.bulk.ingestion import ingest
from graph.db import Database
from graph.matching.scoring import DEFAULT_THRESHOLD
from graph.settings import Settings
from tests.commands import delete_prefixed, query

PREFIX = "dupt-"
# Floors for the small planted graph at the default threshold (measured: see README.md,
# "Duplicate candidates", for the figures on a larger one).
MIN_PRECISION = 0.9
MIN_RECALL = 0.6

CANDIDATES = """query($kinds: [EntityKind!], $t: Float, $first: Int, $after: String) {
  duplicateCandidates(kinds: $kinds, threshold: $t, first: $first, after: $after) {
    totalCount compared crowded threshold pageInfo { hasNextPage endCursor }
    edges { cursor node { kind score survivorId mergedId
      a { id name } b { id name } signals { signal contribution detail } } }
  }
}"""
MARK = """mutation($a: ID!, $b: ID!, $note: String) { markDistinct(a: $a, b: $b, note: $note) {
  __typename ... on DistinctPair { changed a { id } b { id } }
  ... on NotFoundError { message } ... on ValidationError { message }
  ... on ForbiddenError { message } } }"""
UNMARK = MARK.replace("markDistinct", "unmarkDistinct")
MERGE = """mutation($s: ID!, $m: ID!) { mergeEntities(survivorId: $s, mergedId: $m) {
  __typename ... on EntityWritten { entity { id } } } }"""
HISTORY = """query($id: ID!) { history(id: $id) { action subject object note by } }"""


def _cleanup(settings: Settings) -> None:
    delete_prefixed(settings, PREFIX)
    query(settings, "MATCH (d:DistinctPair) WHERE d.a STARTS WITH $p DELETE d", p=PREFIX)
    query(settings, "MATCH (k:ApiKey) WHERE k.name STARTS WITH $p DELETE k", p=PREFIX)


class Client:
    def __init__(self, http: httpx.Client, token: str | None = None) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def __call__(self, query: str, **variables) -> dict:
        body = self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self.headers
        ).json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def error(self, query: str, **variables) -> dict:
        body = self.http.post("/graphql", json={"query": query, "variables": variables}).json()
        assert body.get("errors"), body
        return body["errors"][0]


@pytest.fixture(scope="module")
def planted(settings: Settings, tmp_path_factory) -> Iterator[Planted]:
    _cleanup(settings)
    graph = plant(600, seed=3, share=0.06, lookalikes=0.03, degree=4.0, prefix=PREFIX)
    path: Path = tmp_path_factory.mktemp("duplicates") / "planted.jsonl"
    write(graph, path)

    async def load() -> None:
        db, source = Database(settings), file_input(path)
        try:
            report = await ingest(db, [source], by="test", via="ingest")
            assert not report.invalid, report
            assert not report.rejected, report
        finally:
            source.close()
            await db.close()

    asyncio.run(load())
    yield graph
    _cleanup(settings)


@pytest.fixture(scope="module")
def tokens(settings: Settings, planted) -> dict[str, str]:
    async def make() -> dict[str, str]:
        db = Database(settings)
        try:
            return {
                role: (await create_key(db, f"{PREFIX}{role}", role)).token
                for role in ("reader", "editor", "admin")
            }
        finally:
            await db.close()

    return asyncio.run(make())


def all_candidates(client: Client, threshold: float = DEFAULT_THRESHOLD, first: int = 100):
    out, after = [], None
    while True:
        page = client(CANDIDATES, t=threshold, first=first, after=after)["duplicateCandidates"]
        out += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return out, page
        after = page["pageInfo"]["endCursor"]


def ours(candidates: list[dict]) -> set[tuple[str, str]]:
    return {
        (c["a"]["id"], c["b"]["id"])
        for c in candidates
        if c["a"]["id"].startswith(PREFIX) and c["b"]["id"].startswith(PREFIX)
    }


def test_planted_duplicates_are_found_with_precision(http, planted):
    assert len(planted.duplicates) >= 20
    assert len(planted.lookalikes) >= 5
    found, page = all_candidates(Client(http))
    proposed = ours(found)
    truth = set(planted.duplicates)
    hits = proposed & truth
    precision = len(hits) / len(proposed)
    recall = len(hits) / len(truth)
    missed = sorted(planted.duplicates[p] for p in truth - proposed)
    assert precision >= MIN_PRECISION, (precision, sorted(proposed - truth))
    assert recall >= MIN_RECALL, (recall, missed)
    assert not proposed & set(planted.lookalikes)
    # Blocking: far fewer pairs compared than the graph has pairs.
    n = planted.entities
    assert 0 < page["compared"] < n * (n - 1) / 2 / 100
    assert page["threshold"] == DEFAULT_THRESHOLD


def test_candidates_are_ranked_explained_and_ready_to_merge(http, planted):
    found, _ = all_candidates(Client(http))
    scores = [c["score"] for c in found]
    assert scores == sorted(scores, reverse=True)
    assert all(s >= DEFAULT_THRESHOLD for s in scores)
    for c in found:
        assert c["a"]["id"] < c["b"]["id"]
        assert {c["survivorId"], c["mergedId"]} == {c["a"]["id"], c["b"]["id"]}
        signals = {s["signal"]: s for s in c["signals"]}
        assert {"NAME", "NEIGHBOURS", "PROPERTIES"} <= set(signals)
        total = sum(s["contribution"] for s in c["signals"])
        assert abs(min(1.0, max(0.0, total)) - c["score"]) < 0.002
        assert all(s["detail"] for s in c["signals"])
    # A Chinese-named duplicate is found through the other's Chinese name or alias.
    chinese = [p for p, how in planted.duplicates.items() if how == "chinese"]
    by_pair = {(c["a"]["id"], c["b"]["id"]): c for c in found}
    seen = [by_pair[p] for p in chinese if p in by_pair]
    assert seen, "no Chinese-named duplicate was found"
    assert any("Chinese name" in s["detail"] for c in seen for s in c["signals"])


def test_paging_walks_the_same_list(http, planted):
    client = Client(http)
    whole, _ = all_candidates(client, first=100)
    paged, _ = all_candidates(client, first=7)
    assert [(c["a"]["id"], c["b"]["id"]) for c in paged] == [
        (c["a"]["id"], c["b"]["id"]) for c in whole
    ]


def test_kinds_filter(http, planted):
    page = Client(http)(CANDIDATES, kinds=["PERSON"], first=100)["duplicateCandidates"]
    assert page["edges"]
    assert {e["node"]["kind"] for e in page["edges"]} == {"PERSON"}


def test_a_lower_threshold_proposes_more(http, planted):
    client = Client(http)
    default = client(CANDIDATES, first=1)["duplicateCandidates"]["totalCount"]
    low = client(CANDIDATES, t=0.4, first=1)["duplicateCandidates"]["totalCount"]
    assert low > default


UPSERT = """mutation($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) { __typename } }"""
# Entities of the claims test: not `dupt-`, so the planted figures never count them.
CLAIMS_PREFIX = "dupc-"


def test_properties_are_compared_claim_by_claim(http, settings, planted, tokens):
    """Two sources give an alliance 53 and 60 members (60 shown, the newer); a duplicate
    written from a third source shows 53: they agree, on a value claimed for both. Another
    pair whose claimed values share none conflicts, every value named."""
    editor = Client(http, tokens["editor"])

    def write(entity_id: str, name: str, members: int, source: int) -> None:
        entity = {"id": f"{CLAIMS_PREFIX}{entity_id}", "kind": "ORGANIZATION", "name": name}
        provenance = {
            "source": {"id": f"{CLAIMS_PREFIX}src-{source}", "title": "Claims"},
            "paragraph": 1,
        }
        props = {"orgType": "alliance", "memberCount": members}
        written = editor(UPSERT, e={**entity, "properties": props}, p=provenance)
        assert written["upsertEntity"]["__typename"] == "EntityWritten"

    try:
        write("haidian", "Haidian Claims Alliance", 53, 1)
        write("haidian", "Haidian Claims Alliance", 60, 2)
        write("haidian-ltd", "Haidian Claims Alliance Co., Ltd.", 53, 3)
        write("chaoyang", "Chaoyang Claims Alliance", 53, 1)
        write("chaoyang", "Chaoyang Claims Alliance", 60, 2)
        write("chaoyang-ltd", "Chaoyang Claims Alliance Co., Ltd.", 70, 3)
        found = {(c["a"]["id"], c["b"]["id"]): c for c in all_candidates(editor, 0.3)[0]}
        signals = {
            pair: {s["signal"]: s for s in found[pair]["signals"]}["PROPERTIES"]
            for pair in (
                (f"{CLAIMS_PREFIX}haidian", f"{CLAIMS_PREFIX}haidian-ltd"),
                (f"{CLAIMS_PREFIX}chaoyang", f"{CLAIMS_PREFIX}chaoyang-ltd"),
            )
        }
        agreeing, conflicting = signals.values()
        assert agreeing["detail"] == (
            "agree on memberCount (53 claimed for both, not the value shown on both), orgType"
        )
        assert agreeing["contribution"] == 0.07
        assert conflicting["detail"] == "agree on orgType; conflict on memberCount 60 or 53 / 70"
        assert conflicting["contribution"] == -0.23
        scores = [found[pair]["score"] for pair in signals]
        assert scores[0] >= DEFAULT_THRESHOLD > scores[1]
    finally:
        delete_prefixed(settings, CLAIMS_PREFIX)


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"t": 0.0}, "`threshold` must be above 0"),
        ({"t": 1.5}, "`threshold` must be above 0"),
        ({"first": 0}, "`first` must be between 1 and 100"),
        ({"after": "not-a-cursor"}, "not a cursor this API issued"),
    ],
)
def test_bad_arguments_are_refused(http, variables, words):
    error = Client(http).error(CANDIDATES, **variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert words in error["message"]


def test_a_pair_marked_distinct_is_never_proposed_until_unmarked(http, planted, tokens):
    editor = Client(http, tokens["editor"])
    found, _ = all_candidates(editor)
    pair = sorted(ours(found) & set(planted.duplicates))[0]
    a, b = pair

    marked = editor(MARK, a=b, b=a, note="two branches, says the registry")["markDistinct"]
    assert marked == {"__typename": "DistinctPair", "changed": True, "a": {"id": b}, "b": {"id": a}}
    again = editor(MARK, a=a, b=b)["markDistinct"]
    assert again["changed"] is False
    after, _ = all_candidates(editor)
    assert pair not in ours(after)
    assert len(after) == len(found) - 1

    for entity_id in (a, b):
        changes = editor(HISTORY, id=entity_id)["history"]
        marks = [c for c in changes if c["action"] == "mark-distinct"]
        assert len(marks) == 1
        assert {marks[0]["subject"], marks[0]["object"]} == {a, b}
        assert marks[0]["note"] == "two branches, says the registry"
        assert marks[0]["by"] == f"{PREFIX}editor"

    undone = editor(UNMARK, a=a, b=b, note="same bank after all")["unmarkDistinct"]
    assert undone["__typename"] == "DistinctPair"
    restored, _ = all_candidates(editor)
    assert pair in ours(restored)
    actions = [c["action"] for c in editor(HISTORY, id=a)["history"]]
    assert actions[:2] == ["unmark-distinct", "mark-distinct"]
    assert editor(UNMARK, a=a, b=b)["unmarkDistinct"]["__typename"] == "NotFoundError"


def kinds_of(planted: Planted) -> dict[str, str]:
    return {r["id"]: r["kind"] for r in planted.records if "kind" in r}


def test_a_mark_follows_a_merge(http, planted, tokens):
    editor, admin = Client(http, tokens["editor"]), Client(http, tokens["admin"])
    found, _ = all_candidates(editor)
    kinds = kinds_of(planted)
    pairs = sorted(ours(found) & set(planted.duplicates))
    # Two planted pairs of one kind, neither touched by the tests before.
    (a, b), (c, d) = next(
        (p, q)
        for i, p in enumerate(pairs[1:], 1)
        for q in pairs[i + 1 :]
        if kinds[p[0]] == kinds[q[0]] and not {*p} & {*q}
    )
    assert editor(MARK, a=a, b=c)["markDistinct"]["changed"] is True
    assert admin(MERGE, s=d, m=c)["mergeEntities"]["__typename"] == "EntityWritten"
    # The mark names c, merged into d now: it holds for (a, d), and is undone under d.
    assert editor(MARK, a=a, b=d)["markDistinct"]["changed"] is False
    assert editor(UNMARK, a=d, b=a)["unmarkDistinct"]["__typename"] == "DistinctPair"


def test_marking_needs_an_editor_and_two_entities_of_one_kind(http, planted, tokens):
    reader, editor = Client(http, tokens["reader"]), Client(http, tokens["editor"])
    kinds = kinds_of(planted)
    a, b = next(p for p in sorted(planted.duplicates) if kinds[p[0]] == "PERSON")
    assert reader(MARK, a=a, b=b)["markDistinct"]["__typename"] == "ForbiddenError"
    error = Client(http).error(MARK, a=a, b=b)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    missing = editor(MARK, a=a, b=f"{PREFIX}nobody")["markDistinct"]
    assert missing["__typename"] == "NotFoundError"
    assert editor(MARK, a=a, b=a)["markDistinct"]["__typename"] == "ValidationError"
    company = next(i for i, kind in kinds.items() if kind == "ORGANIZATION")
    other_kind = editor(MARK, a=a, b=company)["markDistinct"]
    assert other_kind["__typename"] == "ValidationError"
    assert "only entities of one kind" in other_kind["message"]
