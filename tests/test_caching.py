"""The graph version and HTTP caching, against the real service and Neo4j: every write
transaction advances the version and stamps its Change nodes with it; GET queries carry
an ETag from it and answer 304 without executing; two service instances on one Neo4j
agree.

Everything written here has ids starting `cache-`; it is removed at teardown.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
import pytest

from graph.auth.keys import create_key
from graph.cypher import version
from graph.db import Database
from tests.conftest import Server

QUERY = '{ entity(id: "bank-of-beijing") { id name } }'
UPSERT = """
mutation($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) { __typename }
}"""


def upsert(http, token, entity_id, name):
    response = http.post(
        "/graphql",
        json={
            "query": UPSERT,
            "variables": {
                "e": {"id": entity_id, "kind": "ORGANIZATION", "name": name},
                "p": {"source": {"id": "cache-source", "title": "Caching"}, "paragraph": 1},
            },
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["data"]["upsertEntity"]["__typename"] == "EntityWritten", response.text
    return response


async def _cleanup(settings):
    db = Database(settings)
    try:
        await db.write(("MATCH (n:Entity) WHERE n.id STARTS WITH 'cache-' DETACH DELETE n", {}))
        await db.write(("MATCH (c:Change) WHERE c.subject STARTS WITH 'cache-' DELETE c", {}))
        await db.write(("MATCH (s:Source {id: 'cache-source'}) DELETE s", {}))
        await db.write(("MATCH (k:ApiKey) WHERE k.name STARTS WITH 'cache-' DELETE k", {}))
    finally:
        await db.close()


@pytest.fixture(scope="module")
def token(settings):
    async def make():
        db = Database(settings)
        try:
            return (await create_key(db, "cache-editor", "editor")).token
        finally:
            await db.close()

    yield asyncio.run(make())
    asyncio.run(_cleanup(settings))


def get(http, query=QUERY, headers=None, **params):
    return http.get("/graphql", params={"query": query, **params}, headers=headers or {})


def test_a_get_query_carries_an_etag_and_revalidates_without_executing(server, http):
    first = get(http)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert first.headers["cache-control"] == "public, no-cache"
    assert first.headers["vary"] == "Authorization, Accept"
    assert int(first.headers["x-graph-version"]) >= 1

    sent: list[str] = []
    listeners = server.app.state.db.listeners
    listeners.append(lambda text, params: sent.append(text))
    try:
        again = get(http, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
        # One round trip, the version; the operation never ran.
        assert sent == [version.CURRENT]
        sent.clear()
        assert get(http, headers={"If-None-Match": 'W/"1-other", ' + etag}).status_code == 304
        assert get(http, headers={"If-None-Match": '"something-else"'}).status_code == 200
        assert len(sent) > 2  # the 200 ran its query
    finally:
        listeners.pop()


def test_different_answers_never_share_an_etag(http, token):
    base = get(http).headers["etag"]
    other_query = get(http, query='{ entity(id: "potevio") { id name } }').headers["etag"]
    named = get(http, query="query One " + QUERY, operationName="One").headers["etag"]
    with_vars = http.get(
        "/graphql",
        params={
            "query": "query($id: ID!) { entity(id: $id) { id name } }",
            "variables": '{"id": "bank-of-beijing"}',
        },
    ).headers["etag"]
    as_editor = get(http, headers={"Authorization": f"Bearer {token}"})
    graphql_json = get(http, headers={"Accept": "application/graphql-response+json"})
    tags = {base, other_query, named, with_vars, as_editor.headers["etag"]}
    tags.add(graphql_json.headers["etag"])
    assert len(tags) == 6
    assert as_editor.headers["cache-control"] == "private, no-cache"
    # The editor's tag is no good to an anonymous caller.
    assert get(http, headers={"If-None-Match": as_editor.headers["etag"]}).status_code == 200


def test_mutations_errors_and_post_are_never_stored(http, token):
    post = http.post("/graphql", json={"query": QUERY})
    assert post.status_code == 200
    assert post.headers["cache-control"] == "no-store"
    assert "etag" not in post.headers
    failed = get(http, query="{ nothing }")
    assert failed.headers["cache-control"] == "no-store"
    assert "etag" not in failed.headers
    written = upsert(http, token, "cache-post", "Cache Post")
    assert written.headers["cache-control"] == "no-store"
    mutation_by_get = get(http, query=UPSERT)
    assert mutation_by_get.status_code >= 400 or mutation_by_get.json().get("errors")
    assert mutation_by_get.headers["cache-control"] == "no-store"
    refused = http.get("/graphql", params={"query": QUERY}, headers={"Authorization": "Bearer x"})
    assert refused.status_code == 401
    assert refused.headers["cache-control"] == "no-store"
    # `If-None-Match: *` is decided before the operation is known: it matches nothing,
    # so a mutation or an invalid document sent with it is refused, not answered 304.
    for query in (UPSERT, "{ nothing }", "{ broken"):
        star = get(http, query=query, headers={"If-None-Match": "*"})
        assert star.status_code != 304, query
        assert star.headers["cache-control"] == "no-store", query
        assert "etag" not in star.headers, query
    assert get(http, headers={"If-None-Match": "*"}).status_code == 200


def test_a_write_makes_the_old_etag_stale_and_stamps_its_changes(settings, http, token):
    query = '{ entity(id: "cache-stale") { name } }'
    upsert(http, token, "cache-stale", "Before")
    before = get(http, query=query)
    assert before.json()["data"]["entity"]["name"] == "Before"
    revalidated = get(http, query=query, headers={"If-None-Match": before.headers["etag"]})
    assert revalidated.status_code == 304
    upsert(http, token, "cache-stale", "After")
    after = get(http, query=query, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["data"]["entity"]["name"] == "After"
    assert after.headers["etag"] != before.headers["etag"]
    assert int(after.headers["x-graph-version"]) > int(before.headers["x-graph-version"])

    async def seqs():
        db = Database(settings)
        try:
            return await db.read(
                (
                    "MATCH (c:Change {subject: 'cache-stale'}) "
                    "RETURN c.seq AS seq, c:Unsequenced AS pending ORDER BY c.at",
                    {},
                )
            )
        finally:
            await db.close()

    rows = asyncio.run(seqs())
    assert len(rows) == 2
    assert not any(row["pending"] for row in rows)
    assert rows[0]["seq"] < rows[1]["seq"] <= int(after.headers["x-graph-version"])


def test_concurrent_writers_get_distinct_commit_numbers(settings, http, token):
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: upsert(http, token, f"cache-c{i}", f"Concurrent {i}"), range(16)))

    async def seqs():
        db = Database(settings)
        try:
            return await db.read(
                (
                    "MATCH (c:Change) WHERE c.subject STARTS WITH 'cache-c' "
                    "RETURN c.seq AS seq ORDER BY seq",
                    {},
                )
            )
        finally:
            await db.close()

    found = [row["seq"] for row in asyncio.run(seqs())]
    assert len(found) == 16
    assert len(set(found)) == 16
    assert None not in found


def test_two_instances_on_one_neo4j_agree(settings, token):
    with (
        Server(settings) as one,
        Server(settings) as two,
        httpx.Client(base_url=one.url, timeout=30) as a,
        httpx.Client(base_url=two.url, timeout=30) as b,
    ):
        query = '{ entity(id: "cache-shared") { name } }'
        upsert(a, token, "cache-shared", "One")
        tag = get(a, query=query).headers["etag"]
        assert get(b, query=query).headers["etag"] == tag
        assert get(b, query=query, headers={"If-None-Match": tag}).status_code == 304
        # A write through one instance is seen by the other's next revalidation.
        upsert(a, token, "cache-shared", "Two")
        fresh = get(b, query=query, headers={"If-None-Match": tag})
        assert fresh.status_code == 200
        assert fresh.json()["data"]["entity"]["name"] == "Two"


def test_the_operator_sets_max_age_and_may_share_authenticated_answers(http, settings, token):
    auth = {"Authorization": f"Bearer {token}"}
    with Server(replace(settings, cache_max_age=60)) as srv, httpx.Client(base_url=srv.url) as c:
        assert get(c).headers["cache-control"] == "public, max-age=60"
        # CACHE_MAX_AGE is for anonymous answers: with a token, revalidated each time.
        as_editor = get(c, headers=auth)
        assert as_editor.headers["cache-control"] == "private, no-cache"
        again = get(c, headers={**auth, "If-None-Match": as_editor.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["cache-control"] == "private, no-cache"
        # A write makes the authenticated copy stale at once.
        upsert(http, token, "cache-auth", "Authenticated")
        stale = get(c, headers={**auth, "If-None-Match": as_editor.headers["etag"]})
        assert stale.status_code == 200
    own = replace(settings, cache_max_age=60, cache_max_age_authenticated=20)
    with Server(own) as srv, httpx.Client(base_url=srv.url) as c:
        assert get(c).headers["cache-control"] == "public, max-age=60"
        assert get(c, headers=auth).headers["cache-control"] == "private, max-age=20"
    shared = replace(settings, cache_share_authenticated=True)
    with Server(shared) as srv, httpx.Client(base_url=srv.url) as c:
        assert get(c, headers=auth).headers["cache-control"] == "public, no-cache"
    shared = replace(settings, cache_max_age_authenticated=30, cache_share_authenticated=True)
    with Server(shared) as srv, httpx.Client(base_url=srv.url) as c:
        assert get(c, headers=auth).headers["cache-control"] == "public, max-age=30"
        assert get(c).headers["cache-control"] == "public, no-cache"
