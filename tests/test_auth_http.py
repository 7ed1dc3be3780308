"""Access control through HTTP: API keys made with graph.auth.keys in the test database,
JWTs signed here, and the service as clients see it (status, `extensions.code`)."""

import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import jwt
import pytest
from starlette.requests import Request
from starlette.responses import Response

from graph.auth import keys
from graph.auth.authentication import Authenticator
from graph.db import Database
from graph.http.view import GraphQLApp
from graph.settings import Settings
from tests.conftest import Server, free_port, run

QUERY = '{ entity(id: "bank-of-beijing") { name } }'
SECRET = "a-shared-secret-of-at-least-32-bytes!"
AUDIENCE = "ipkg-test"


async def _create(settings: Settings, *specs: tuple[str, str]) -> list[keys.CreatedKey]:
    db = Database(settings)
    try:
        return [await keys.create_key(db, name, role) for name, role in specs]
    finally:
        await db.close()


async def _revoke(settings: Settings, key_id: str) -> None:
    db = Database(settings)
    try:
        await keys.revoke_key(db, key_id)
    finally:
        await db.close()


async def _delete(settings: Settings, ids: list[str]) -> None:
    db = Database(settings)
    try:
        await db.write(("MATCH (k:ApiKey) WHERE k.id IN $ids DELETE k", {"ids": ids}))
    finally:
        await db.close()


@pytest.fixture(scope="module")
def api_keys(settings: Settings) -> Iterator[dict[str, keys.CreatedKey]]:
    made = run(_create(settings, ("test reader", "reader"), ("test editor", "editor")))
    [revoked] = run(_create(settings, ("test revoked", "reader")))
    run(_revoke(settings, revoked.key.id))
    yield {"reader": made[0], "editor": made[1], "revoked": revoked}
    run(_delete(settings, [k.key.id for k in [*made, revoked]]))


@pytest.fixture(scope="module")
def closed(settings: Settings) -> Iterator[httpx.Client]:
    """The service with READ_REQUIRES_TOKEN on and HS256 JWTs accepted."""
    closed_settings = replace(
        settings, read_requires_token=True, jwt_hs256_secret=SECRET, jwt_audience=AUDIENCE
    )
    with Server(closed_settings) as server, httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def post(client: httpx.Client, authorization: str | None = None) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return client.post("/graphql", json={"query": QUERY}, headers=headers)


def bearer(token: str) -> str:
    return f"Bearer {token}"


def assert_ok(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["entity"]["name"] == "Bank of Beijing"


def assert_refused(response: httpx.Response, code: str = "UNAUTHENTICATED") -> dict:
    assert response.status_code == (401 if code == "UNAUTHENTICATED" else 503), response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": code}
    if code == "UNAUTHENTICATED":
        assert response.headers["www-authenticate"] == "Bearer"
    return error


def hs256(**claims) -> str:
    base = {"sub": "analyst@example", "aud": AUDIENCE, "role": "reader"}
    base["exp"] = int(time.time()) + 600
    return jwt.encode({**base, **claims}, SECRET, algorithm="HS256")


# Reads open (the default)


def test_open_reads_need_no_token(http):
    assert_ok(post(http))


def test_open_reads_accept_a_valid_key(http, api_keys):
    assert_ok(post(http, bearer(api_keys["reader"].token)))
    assert_ok(post(http, bearer(api_keys["editor"].token)))


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Basic dXNlcjpwYXNz", "Token kg_x_y", "Bearer two tokens"],
)
def test_malformed_header_is_refused_even_when_reads_are_open(http, authorization):
    error = assert_refused(post(http, authorization))
    assert "Bearer" in error["message"]


def test_revoked_key_is_refused(http, api_keys):
    assert_refused(post(http, bearer(api_keys["revoked"].token)))


def test_unknown_key_and_wrong_secret_are_refused(http, api_keys):
    reader = api_keys["reader"]
    assert_refused(post(http, bearer("kg_0123456789abcdef_" + "x" * 43)))
    assert_refused(post(http, bearer(f"kg_{reader.key.id}_{'x' * 43}")))
    assert_refused(post(http, bearer(f"kg_{reader.key.id}")))
    assert_refused(post(http, bearer("kg_")))


def test_jwt_refused_where_none_is_configured(http):
    error = assert_refused(post(http, bearer(hs256())))
    assert "API keys" in error["message"]


def test_refusal_leaks_no_detail(http, api_keys):
    body = post(http, bearer(api_keys["revoked"].token)).text
    assert "Traceback" not in body
    assert "hash" not in body
    assert api_keys["revoked"].token.rsplit("_", 1)[1] not in body


# READ_REQUIRES_TOKEN on


def test_closed_reads_without_token_are_unauthenticated(closed):
    error = assert_refused(post(closed))
    assert "token" in error["message"]


def test_closed_reads_refuse_get_queries_without_token(closed):
    assert_refused(closed.get("/graphql", params={"query": QUERY}))


def test_closed_reads_refuse_introspection_without_token(closed):
    assert_refused(closed.post("/graphql", json={"query": "{ __schema { queryType { name } } }"}))


def test_closed_reads_accept_a_reader_key(closed, api_keys):
    assert_ok(post(closed, bearer(api_keys["reader"].token)))


def test_closed_reads_refuse_a_revoked_key(closed, api_keys):
    assert_refused(post(closed, bearer(api_keys["revoked"].token)))


def test_closed_reads_accept_a_jwt(closed):
    assert_ok(post(closed, bearer(hs256())))


def test_closed_reads_refuse_an_expired_jwt(closed):
    error = assert_refused(post(closed, bearer(hs256(exp=int(time.time()) - 3600))))
    assert "expired" in error["message"]


def test_closed_reads_refuse_a_jwt_for_another_audience(closed):
    assert_refused(post(closed, bearer(hs256(aud="someone-else"))))


def test_closed_playground_page_still_loads(closed):
    page = closed.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_health_needs_no_token(closed):
    assert closed.get("/health").status_code == 200


# The key check when Neo4j cannot be reached


def test_key_check_with_neo4j_away_is_service_unavailable(settings, api_keys):
    if not settings.uses_local_neo4j:
        pytest.skip("needs a bolt port with nothing behind it; NEO4J_URI is set")
    away = replace(settings, local_bolt_port=free_port())
    with Server(away) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        assert_refused(post(client, bearer(api_keys["reader"].token)), "SERVICE_UNAVAILABLE")


# The principal reaches the resolvers' context


async def _context_principal(settings: Settings, authorization: str | None):
    db = Database(settings)
    try:
        view = GraphQLApp(db, True, Authenticator(db, settings))
        headers = [(b"authorization", authorization.encode())] if authorization else []
        request = Request({"type": "http", "method": "POST", "headers": headers})
        return (await view.get_context(request, Response())).principal
    finally:
        await db.close()


def test_context_carries_the_principal(settings, api_keys):
    editor = api_keys["editor"]
    principal = run(_context_principal(settings, bearer(editor.token)))
    assert (principal.subject, principal.role.label, principal.via) == (
        f"api-key:{editor.key.id}",
        "editor",
        "api-key",
    )
    assert run(_context_principal(settings, None)).is_anonymous
