"""Automatic persisted queries (Apollo's hash protocol), the only-known-operations mode,
and CORS with an allow-list of origins."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from strawberry.http import GraphQLRequestData

from graph.auth.roles import ANONYMOUS, Principal, Role
from graph.errors import PersistedQueryError, PersistedQueryNotAllowed, PersistedQueryNotFound
from graph.http.persisted import MAX_ENTRY_BYTES, PersistedQueries, read_manifest, sha256
from graph.http.playground import load_examples
from graph.settings import Settings
from tests.conftest import Server

QUERY = 'query Potevio { entity(id: "potevio") { name } }'
ADMIN = Principal(subject="ops", role=Role.ADMIN, via="api-key")
READER = Principal(subject="app", role=Role.READER, via="api-key")


def apq(digest: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def request(query: str | None, digest: str | None = None) -> GraphQLRequestData:
    return GraphQLRequestData(
        query=query, variables=None, operation_name=None, extensions=apq(digest) if digest else None
    )


# ---------------------------------------------------------------- the store alone


def test_register_then_run_by_hash():
    store = PersistedQueries(10)
    digest = sha256(QUERY)
    with pytest.raises(PersistedQueryNotFound):
        store.resolve(request(None, digest), ANONYMOUS)
    assert store.resolve(request(QUERY, digest), ANONYMOUS).query == QUERY
    assert store.resolve(request(None, digest), ANONYMOUS).query == QUERY
    # Upper-case hex is the same hash.
    assert store.resolve(request(None, digest.upper()), ANONYMOUS).query == QUERY


def test_the_cache_is_an_lru():
    store = PersistedQueries(2)
    queries = [f"{{ q{i}: stats {{ sources }} }}" for i in range(3)]
    for query in queries[:2]:
        store.resolve(request(query, sha256(query)), ANONYMOUS)
    store.resolve(request(None, sha256(queries[0])), ANONYMOUS)  # used: now the newest
    store.resolve(request(queries[2], sha256(queries[2])), ANONYMOUS)  # evicts q1
    assert store.lookup(sha256(queries[0])) == queries[0]
    assert store.lookup(sha256(queries[1])) is None
    assert store.lookup(sha256(queries[2])) == queries[2]


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ({"persistedQuery": "x"}, "must be an object"),
        ({"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}, "Unsupported"),
        ({"persistedQuery": {"version": 1, "sha256Hash": "xyz"}}, "64 hexadecimal"),
        ({"persistedQuery": {"version": 1}}, "64 hexadecimal"),
    ],
)
def test_malformed_persisted_query_extensions(extensions, message):
    data = GraphQLRequestData(
        query=None, variables=None, operation_name=None, extensions=extensions
    )
    with pytest.raises(PersistedQueryError, match=message) as info:
        PersistedQueries(10).resolve(data, ANONYMOUS)
    assert info.value.status == 400


def test_a_hash_that_does_not_match_the_text_is_refused():
    with pytest.raises(PersistedQueryError, match="provided sha does not match query"):
        PersistedQueries(10).resolve(request(QUERY, "0" * 64), ANONYMOUS)


def test_only_known_operations_mode():
    example = load_examples()[0]["query"]
    store = PersistedQueries(10, only_known=True, known={sha256(example): example})
    assert store.resolve(request(example), ANONYMOUS).query == example
    assert store.resolve(request(None, sha256(example)), READER).query == example
    for data in (request(QUERY), request(QUERY, sha256(QUERY)), request(None, sha256(QUERY))):
        with pytest.raises(PersistedQueryNotAllowed):
            store.resolve(data, READER)
    # An administrator's operation is registered by sending it; then anyone may run it.
    assert store.resolve(request(QUERY), ADMIN).query == QUERY
    assert store.resolve(request(None, sha256(QUERY)), ANONYMOUS).query == QUERY


def test_a_manifest_is_read_and_its_ids_checked(tmp_path):
    path = tmp_path / "manifest.json"
    operation = {"id": sha256(QUERY), "name": "Potevio", "type": "query", "body": QUERY}
    manifest = {"format": "apollo-persisted-query-manifest", "operations": [operation]}
    path.write_text(json.dumps(manifest))
    assert read_manifest(path) == {sha256(QUERY): QUERY}
    path.write_text(json.dumps({"operations": [{**operation, "id": "0" * 64}]}))
    with pytest.raises(SystemExit, match="not the SHA-256"):
        read_manifest(path)


# ---------------------------------------------------------------- through HTTP


def test_apq_over_post_and_get(http):
    query = '{ entity(id: "bank-of-beijing") { name kind } }'
    digest = sha256(query)
    first = http.post("/graphql", json={"extensions": apq(digest)})
    assert first.status_code == 200
    [error] = first.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    registered = http.post("/graphql", json={"query": query, "extensions": apq(digest)})
    assert registered.json()["data"]["entity"]["name"] == "Bank of Beijing"

    by_hash = http.post("/graphql", json={"extensions": apq(digest)})
    assert by_hash.json() == registered.json()
    by_get = http.get(
        "/graphql",
        params={"extensions": json.dumps(apq(digest))},
        headers={"Accept": "application/json"},
    )
    assert by_get.status_code == 200
    assert by_get.json() == registered.json()


def test_apq_mismatch_is_a_400(http):
    response = http.post("/graphql", json={"query": QUERY, "extensions": apq("a" * 64)})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.fixture(scope="module")
def only_known(settings: Settings, tmp_path_factory) -> Iterator[httpx.Client]:
    path = tmp_path_factory.mktemp("pq") / "manifest.json"
    operation = {"id": sha256(QUERY), "body": QUERY, "name": "Potevio", "type": "query"}
    path.write_text(json.dumps({"operations": [operation]}))
    strict = replace(settings, persisted_queries_only=True, persisted_queries_manifest=path)
    with Server(strict) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def test_only_known_operations_over_http(only_known):
    example = load_examples()[0]
    assert only_known.post("/graphql", json={"query": example["query"]}).json()["data"]
    by_hash = only_known.post("/graphql", json={"extensions": apq(sha256(QUERY))})
    assert by_hash.json()["data"]["entity"]["name"] == "Potevio"
    other = '{ entity(id: "potevio") { id } }'
    for body in ({"query": other}, {"extensions": apq(sha256(other))}):
        response = only_known.post("/graphql", json=body)
        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


# ---------------------------------------------------------------- CORS

ALLOWED = "https://app.example.org"


@pytest.fixture(scope="module")
def cors(settings: Settings) -> Iterator[httpx.Client]:
    with (
        Server(replace(settings, cors_origins=(ALLOWED,))) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield http


def preflight(http: httpx.Client, origin: str) -> httpx.Response:
    return http.options(
        "/graphql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )


def test_cors_allows_listed_origins_only(cors):
    ok = preflight(cors, ALLOWED)
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()

    refused = preflight(cors, "https://evil.example.com")
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers

    query = {"query": "{ stats { sources } }"}
    response = cors.post("/graphql", json=query, headers={"Origin": ALLOWED})
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()
    other = cors.post(
        "/graphql",
        json={"query": "{ stats { sources } }"},
        headers={"Origin": "https://evil.example.com"},
    )
    assert "access-control-allow-origin" not in other.headers


def test_no_cors_headers_without_an_allow_list(http):
    response = http.post(
        "/graphql", json={"query": "{ stats { sources } }"}, headers={"Origin": ALLOWED}
    )
    assert "access-control-allow-origin" not in response.headers
    assert preflight(http, ALLOWED).status_code in (400, 405)


def test_texts_too_large_or_over_the_token_limit_are_run_but_not_kept():
    store = PersistedQueries(10, max_tokens=50)
    long_literal = '{ search(text: "' + "x" * (MAX_ENTRY_BYTES + 1) + '") { score } }'
    many_tokens = "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }"
    for text in (long_literal, many_tokens):
        # The request itself goes on (to be answered or refused by the limits) ...
        assert store.resolve(request(text, sha256(text)), ANONYMOUS).query == text
        # ... but nothing of it was kept.
        assert store.lookup(sha256(text)) is None
    assert len(store.cache) == 0
    assert store.cache.bytes == 0
