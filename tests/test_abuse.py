"""The standing abuse suite: requests an attacker with no token can send, against the
service run as its own process (so its memory is its own), each answered with a coded
4xx or a correct answer, within a bound, and the service still ready and no larger than
a bound afterwards. One test per class the security review found, then a generator of
hostile requests mixing them all (bounded: a fixed number of requests)."""

from __future__ import annotations

import base64
import json
import os
import random
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import jwt
import pytest

from graph.extensions.limits import Limits
from graph.http.view import MAX_JSON_DEPTH
from graph.settings import Settings
from tests.commands import neo4j_env
from tests.conftest import free_port, poll, serve_command

pytestmark = pytest.mark.neo4j

SECRET = "abuse-suite-secret-of-at-least-32-bytes!"
# An answer to any hostile request comes within this (seconds): refusals are meant to
# cost nothing, and the rest are small reads of the seed graph.
ANSWER_WITHIN_S = 10.0
# How much the service may grow over the whole suite (resident memory, bytes).
MAX_GROWTH = 150 * 1024 * 1024
DOCUMENTED_4XX = {
    "BAD_REQUEST",
    "BAD_USER_INPUT",
    "QUERY_TOO_COMPLEX",
    "PAYLOAD_TOO_LARGE",
    "UNAUTHENTICATED",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "PERSISTED_QUERY_NOT_FOUND",
}


class Service:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=ANSWER_WITHIN_S)

    def rss(self) -> float:
        text = self.http.get("/metrics").text
        [line] = [x for x in text.splitlines() if x.startswith("process_resident_memory_bytes")]
        return float(line.split()[1])

    def post(self, body: object, **kwargs) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
        return self.http.post("/graphql", content=content, headers=headers, **kwargs)


@pytest.fixture(scope="module")
def service(settings: Settings, tmp_path_factory) -> Iterator[Service]:
    port = free_port()
    env = {
        **os.environ,
        **neo4j_env(settings),
        "PORT": str(port),
        "JWT_HS256_SECRET": SECRET,
        "JWT_AUDIENCE": "abuse-suite",
        "LOG_FORMAT": "json",
    }
    log = tmp_path_factory.mktemp("abuse") / "service.log"
    with log.open("w") as err, serve_command(env, err):
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=5) as http:
            poll(http, "/ready", lambda r: r.status_code == 200, 60, "the service did not start")
        svc = Service(url)
        before = svc.rss()
        yield svc
        # Whatever the suite sent, the service is still ready and has not grown unbounded.
        assert svc.http.get("/ready").status_code == 200
        grown = svc.rss() - before
        print(f"abuse suite: the service grew by {grown / 2**20:.1f} MiB")
        assert grown < MAX_GROWTH
        svc.http.close()


def coded_refusal(response: httpx.Response, *codes: str) -> dict:
    """A 4xx (or a 200 with only errors), JSON, every error with one of `codes`."""
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith(
        ("application/json", "application/graphql")
    ), response.headers["content-type"]
    body = response.json()
    assert body.get("data") is None, body
    errors = body["errors"]
    assert errors
    for error in errors:
        assert error["extensions"]["code"] in (codes or DOCUMENTED_4XX), error
        assert error["message"], error
        assert "internal error" not in error["message"], error
        assert "Traceback" not in error["message"]
    return errors[0]


# ---------------------------------------------------------------- the classes found


@pytest.mark.parametrize("n", [1000, 1000.0])
def test_floats_for_ints_are_costed_as_ints(service, n):
    # 1 + 1000 x (1 + 1 + 100 x 2) = 202,001 when $n is read as 1000, whatever its form.
    query = """query ($n: Int!) { organizations(first: $n) {
      edges { node { id relationships(first: 100) { other { id } } } } } }"""
    error = coded_refusal(
        service.post({"query": query, "variables": {"n": n}}), "QUERY_TOO_COMPLEX"
    )
    assert error["extensions"]["limit"] == "cost"
    assert error["extensions"]["actual"] == 202_001


def test_a_filter_of_thousands_of_branches_is_refused_before_any_work(service):
    where = {"OR": [{"name": {"contains": f"x{i}"}} for i in range(20_000)]}
    query = "query ($w: EntityWhere) { organizations(where: $w) { totalCount } }"
    started = time.monotonic()
    response = service.post({"query": query, "variables": {"w": where}})
    took = time.monotonic() - started
    error = coded_refusal(response, "QUERY_TOO_COMPLEX")
    assert error["extensions"]["limit"] in {"filterClauses", "listItems"}
    print(f"a 20,000-branch filter refused in {took * 1000:.0f} ms")


def test_a_batch_shares_one_cost_budget(service):
    # Each costs 1 + 500 x (1 + 1 + 50 x 2) = 51,001: one fits the budget, two do not.
    query = """{ organizations(first: 500) { edges { node { id
      relationships(first: 50) { other { id } } } } } }"""
    response = service.post([{"query": query}] * 3)
    assert response.status_code == 200
    first, *rest = response.json()
    assert "errors" not in first, first
    for answer in rest:
        assert answer["data"] is None
        [error] = answer["errors"]
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert "shared budget" in error["message"]
    assert Limits().cost < 2 * 51_001


@pytest.mark.parametrize(
    "body",
    [
        [{"query": 123}],
        [{"query": "{ __typename }", "extensions": "x"}],
        [{"query": "{ __typename }", "variables": [1, 2]}],
        [{"query": "{ __typename }", "operationName": 5}],
        [1],
        [[]],
        {"query": 123},
        {"query": "{ __typename }", "operationName": ["a"]},
        {"query": "{ __typename }", "variables": "x"},
        {"query": "{ __typename }", "extensions": 7},
    ],
    ids=str,
)
def test_malformed_operations_single_or_batched_get_a_coded_400(service, body):
    response = service.post(body)
    assert response.status_code == 400, response.text
    coded_refusal(response, "BAD_REQUEST")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_deeply_nested_json_bodies_are_refused(service, depth):
    body = b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * depth + b"]" * depth + b"}}"
    response = service.post(body)
    assert response.status_code == 400, response.text[:300]
    error = coded_refusal(response, "BAD_REQUEST")
    assert "levels deep" in error["message"]


def test_a_made_up_cursor_of_nested_json_is_bad_input(service):
    cursor = base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode()
    query = "query ($c: String) { organizations(first: 2, after: $c) { totalCount } }"
    for value in (cursor, "A" * 100_000):
        error = coded_refusal(service.post({"query": query, "variables": {"c": value}}))
        assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_an_unknown_operation_name_is_json_with_a_code(service):
    body = {"query": "query A { __typename }", "operationName": "B"}
    response = service.post(body, headers={"accept": "application/graphql-response+json"})
    assert response.status_code == 400
    error = coded_refusal(response, "BAD_REQUEST")
    assert '"B"' in error["message"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "BREW"])
def test_other_methods_are_json_with_a_code(service, method):
    response = service.http.request(method, "/graphql", json={"query": "{ __typename }"})
    assert 400 <= response.status_code < 500
    coded_refusal(response, "BAD_REQUEST")


def _token(header: dict, payload: dict | None = None) -> str:
    def b64(data: object) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"{b64(header)}.{b64(payload or {'sub': 'x'})}.c2ln"


@pytest.mark.parametrize(
    "token",
    [
        _token({"alg": ["HS256"], "typ": "JWT"}),
        _token({"alg": {"a": 1}}),
        _token({"alg": "none"}),
        _token({"alg": "HS256", "kid": ["x"] * 1000}),
        "a.b.c",
        "." * 5000,
        jwt.encode({"sub": "x"}, "wrong-secret-of-at-least-32-bytes-long", algorithm="HS256"),
    ],
    ids=lambda t: t[:20],
)
def test_malformed_tokens_get_401_with_jwt_configured_or_not(service, http, token):
    """`service` has JWTs configured; the suite's `http` server does not."""
    for client in (service.http, http):
        response = client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 401, response.text
        coded_refusal(response, "UNAUTHENTICATED")


def test_made_up_methods_collapse_into_one_metrics_label(service):
    for i in range(30):
        service.http.request(f"M{i}X", "/graphql")
    text = service.http.get("/metrics").text
    methods = {
        line.split('method="')[1].split('"')[0]
        for line in text.splitlines()
        if line.startswith("http_requests_total{")
    }
    assert not any(m.startswith("M") and m.endswith("X") for m in methods), methods
    assert "other" in methods


# ---------------------------------------------------------------- generated


def _hostile(rng: random.Random) -> tuple[str, dict]:
    """One hostile request: (method, httpx keyword arguments)."""
    big = rng.choice([10**3, 10**6, 10**9, 2**63, 1e300, -1, 0, 0.5, "100", None, [], {}])
    choices = [
        # floats and huge numbers for ints, in every size argument
        lambda: {
            "json": {
                "query": 'query ($n: Int!) { search(text: "bank", first: $n) { score } }',
                "variables": {"n": big},
            }
        },
        lambda: {
            "json": {
                "query": 'query ($n: Int!) { neighborhood(id: "potevio", hops: $n) { truncated } }',
                "variables": {"n": big},
            }
        },
        # long lists in list arguments
        lambda: {
            "json": {
                "query": "query ($ids: [ID!]!) { connect(ids: $ids) { nodes { id } } }",
                "variables": {"ids": ["potevio"] * rng.choice([2, 50, 20_000])},
            }
        },
        lambda: {
            "json": {
                "query": 'query ($k: [String!]) { search(text: "a", kinds: $k) { score } }',
                "variables": {"k": ["ORGANIZATION"] * rng.choice([1, 3000])},
            }
        },
        # deep and wide filters
        lambda: {
            "json": {
                "query": "query ($w: EntityWhere) { organizations(where: $w) { totalCount }}",
                "variables": {"w": _nested_where(rng.choice([1, 5, 50, 500]))},
            }
        },
        # huge variables that no operation uses
        lambda: {
            "json": {
                "query": "{ __typename }",
                "variables": {"junk": "x" * rng.choice([10, 500_000])},
            }
        },
        # a field beside good ones going wrong (200 with partial data), and a later
        # operation of a batch: their errors are checked like any others
        lambda: {
            "json": {
                "query": "query ($n: Int!) { stats { entities } "
                + 'entity(id: "bank-of-beijing") { relationships(first: $n) { type } } }',
                "variables": {"n": big},
            }
        },
        lambda: {
            "json": [
                {"query": "{ stats { entities } }"},
                {
                    "query": 'query ($n: Int!) { entity(id: "bank-of-beijing") { '
                    + "relationships(first: $n) { type } } }",
                    "variables": {"n": big},
                },
            ]
        },
        # batches of every shape
        lambda: {"json": [{"query": "{ stats { entities } }"}] * rng.choice([1, 10, 11, 500])},
        lambda: {"json": [rng.choice([1, "x", None, [], {"query": 5}])] * 3},
        # malformed JSON and bodies
        lambda: {
            "content": rng.choice([b"{", b"[[[[", b"\xff\xfe", b'{"query": "{ a"}', b"null", b"1"]),
            "headers": {"content-type": "application/json"},
        },
        lambda: {
            "content": b"query=1",
            "headers": {"content-type": rng.choice(["text/plain", "x/y", ""])},
        },
        # odd headers and tokens
        lambda: {
            "json": {"query": "{ __typename }"},
            "headers": {
                "authorization": rng.choice(
                    [
                        "Bearer",
                        "Basic x",
                        "Bearer " + "a" * 8000,
                        "Bearer kg_" + "z" * 40,
                        _token({"alg": [1]}),
                    ]
                )
            },
        },
        lambda: {
            "json": {"query": "{ __typename }"},
            "headers": {"accept": rng.choice(["*/*;q=x", "a" * 4000, ""])},
        },
        # long literals and deep selections
        lambda: {
            "json": {
                "query": '{ search(text: "' + "x" * rng.choice([10, 200_000]) + '") { score } }'
            }
        },
        lambda: {
            "json": {
                "query": '{ entity(id: "potevio") { '
                + "... on Organization { parent { " * 20
                + "id"
                + " } }" * 20
                + " } }"
            }
        },
    ]
    method = rng.choice(["POST"] * 8 + ["GET", "PUT", "OPTIONS", "FOO"])
    return method, rng.choice(choices)()


def _nested_where(branches: int) -> dict:
    return {
        "OR": [
            {"AND": [{"name": {"contains": str(i)}}, {"NOT": {"id": "x"}}]} for i in range(branches)
        ]
    }


# Text that only an unmasked exception would put in a message.
UNMASKED = ("Traceback", 'File "', "object at 0x", "neo4j.", "Neo.ClientError", "strawberry.")


def _check_answer(response: httpx.Response, request: str) -> Counter:
    """Every error of every answer (one, or each operation of a batch; 200 with partial
    data included) has a documented code and a message a person can read, and nothing of
    an exception; an answer without errors has its data. Returns the codes seen."""
    seen: Counter = Counter()
    assert response.status_code < 500, (request, response.text[:300])
    media = response.headers.get("content-type", "")
    if not media.startswith(("application/json", "application/graphql-response+json")):
        # The playground page (a GET that accepts HTML), and nothing else, is not JSON.
        assert response.status_code == 200, (request, media, response.text[:300])
        assert media.startswith("text/html"), (request, media)
        return seen
    body = response.json()
    answers = body if isinstance(body, list) else [body]
    assert answers, (request, body)
    for answer in answers:
        assert isinstance(answer, dict), (request, body)
        errors = answer.get("errors")
        if not errors:
            assert response.status_code == 200, (request, answer)
            assert isinstance(answer.get("data"), dict), (request, answer)
            continue
        for error in errors:
            code = error["extensions"]["code"]
            seen[code] += 1
            assert code in DOCUMENTED_4XX | {"NOT_FOUND"}, (request, error)
            assert isinstance(error["message"], str), (request, error)
            assert error["message"].strip(), (request, error)
            assert "internal error" not in error["message"], (request, error)
            assert not any(text in error["message"] for text in UNMASKED), (request, error)
    return seen


def test_generated_hostile_requests(service):
    rng = random.Random(2026)
    slowest = 0.0
    codes: Counter = Counter()
    partial = 0  # answers with data and errors together
    for _ in range(300):
        method, kwargs = _hostile(rng)
        body = kwargs.get("json")
        # A query string holds what a URL can (httpx refuses longer ones itself).
        if method == "GET" and isinstance(body, dict) and len(json.dumps(body)) < 6000:
            kwargs.pop("json")
            kwargs["params"] = {
                k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()
            }
        started = time.monotonic()
        response = service.http.request(method, "/graphql", **kwargs)
        slowest = max(slowest, time.monotonic() - started)
        codes += _check_answer(response, f"{method} {str(kwargs)[:300]}")
        if response.headers.get("content-type", "").startswith("application/json"):
            answers = response.json() if isinstance(response.json(), list) else [response.json()]
            partial += sum(1 for a in answers if a.get("data") and a.get("errors"))
    print(
        f"300 hostile requests; the slowest answered in {slowest:.2f} s; "
        f"error codes {dict(codes)}; {partial} answers with data and errors"
    )
    assert poll_ready(service)


def poll_ready(service: Service) -> bool:
    return service.http.get("/ready").status_code == 200
