"""`create_app(settings)`: the Starlette app, its lifespan (one driver per process), routes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from graph import masking, observability
from graph.auth.authentication import Authenticator
from graph.db import Database
from graph.errors import GraphError, ServiceUnavailable, Unauthenticated
from graph.limits import BodySizeLimit, Limits
from graph.persisted import PersistedQueries, PersistedQueryError, read_manifest, sha256
from graph.resolvers.context import Context
from graph.schema import schema
from graph.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"
EXAMPLES = Path(__file__).resolve().parent / "examples"
log = logging.getLogger(__name__)


def load_examples() -> list[dict[str, Any]]:
    """The playground's example operations: graph/examples/*.graphql, first comment line
    is the title."""
    examples = []
    for path in sorted(EXAMPLES.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        title = first.lstrip("# ").strip() if first.startswith("#") else path.stem
        variables = path.with_suffix(".json")
        examples.append(
            {
                "title": title,
                "query": text,
                "variables": variables.read_text() if variables.exists() else None,
            }
        )
    return examples


def playground_html() -> str:
    page = (STATIC / "graphiql.html").read_text(encoding="utf-8")
    examples = (
        json.dumps(load_examples())
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return page.replace("__EXAMPLES_JSON__", examples)


class BadRequest(GraphError):
    code = "BAD_REQUEST"
    status = 400


class TooManyOperations(GraphError):
    code = "QUERY_TOO_COMPLEX"
    status = 400

    def __init__(self, count: int, maximum: int) -> None:
        super().__init__(
            f"Too many operations in one request: {count} is over the batch limit of "
            f"{maximum} (by {count - maximum})."
        )
        self.count = count
        self.maximum = maximum

    @property
    def extensions(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "limit": "operations",
            "maximum": self.maximum,
            "actual": self.count,
        }


def refusal(error: GraphError) -> JSONResponse:
    """A GraphQL error response for a request refused before any operation ran."""
    message = error.message
    extensions = dict(error.extensions)
    if error.code == masking.INTERNAL:
        request_id = observability.request_id()
        message = masking.internal_error_message(request_id)
        extensions = masking.internal_extensions(request_id)
    body = {"errors": [{"message": message, "extensions": extensions}]}
    observability.record_errors(body["errors"])
    if isinstance(error, Unauthenticated):
        # RFC 6750 section 3: tell the client which scheme to use.
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    status = getattr(error, "status", None)
    if status is None:
        status = 503 if isinstance(error, ServiceUnavailable) else 500
    return JSONResponse(body, status_code=status)


GRAPHQL_RESPONSE = "application/graphql-response+json"
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _quality(accept: str, media_type: str) -> float:
    """The q-value `accept` gives `media_type` exactly (0 when not listed)."""
    for part in accept.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        if name.lower() == media_type:
            for param in params:
                key, _, value = param.partition("=")
                if key.strip() == "q":
                    try:
                        return float(value)
                    except ValueError:
                        return 0.0
            return 1.0
    return 0.0


def wants_graphql_response(accept: str) -> bool:
    """GraphQL over HTTP: answer in application/graphql-response+json when the client
    prefers it to application/json (a client that lists neither gets application/json)."""
    preferred = _quality(accept, GRAPHQL_RESPONSE)
    return preferred > 0 and preferred >= _quality(accept, "application/json")


def is_request_error(response: Any) -> bool:
    """No operation ran: a parse, validation, limit or variable coercion error (errors
    without a path, and no data)."""
    return (
        isinstance(response, dict)
        and response.get("data") is None
        and bool(response.get("errors"))
        and not any(isinstance(e, dict) and e.get("path") for e in response["errors"])
    )


class GraphQLApp(GraphQL):
    """Strawberry's ASGI view with our context and a GraphiQL page that needs no CDN."""

    def __init__(
        self,
        db: Database,
        prefetch: bool,
        authenticator: Authenticator,
        read_requires_token: bool = False,
        limits: Limits | None = None,
        persisted: PersistedQueries | None = None,
        max_batch_operations: int = 10,
        max_in_flight: int = 8,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        # Operations executing at once in this process; later ones wait their turn. Past
        # what Neo4j can work on at once, more only adds answers held in memory together.
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self.db = db
        self.prefetch = prefetch
        self.authenticator = authenticator
        self.read_requires_token = read_requires_token
        self.limits = limits or Limits()
        self.persisted = persisted or PersistedQueries(1000)
        self.max_batch_operations = max_batch_operations
        self._page = playground_html()

    async def get_context(self, request: Request, response: Response) -> Context:
        principal = await self.authenticator.authenticate(request.headers.get("authorization"))
        # The playground page is no data: it stays reachable so a token can be entered there.
        if (
            self.read_requires_token
            and principal.is_anonymous
            and not self.should_render_graphql_ide(self.request_adapter_class(request))
        ):
            raise Unauthenticated(
                "This service needs a token: send 'Authorization: Bearer <API key or JWT>'."
            )
        return Context(
            db=self.db,
            request=request,
            response=response,
            prefetch=self.prefetch,
            principal=principal,
            limits=self.limits,
        )

    def _validate_batch_request(self, request_data: list[Any], protocol: Any) -> None:
        # A JSON array of operations: on, with a cap, unless MAX_BATCH_OPERATIONS=0.
        if self.max_batch_operations == 0:
            raise BadRequest("Batched requests (a JSON array of operations) are turned off.")
        if not request_data:
            raise BadRequest("A batched request needs at least one operation.")
        if not all(isinstance(item, dict) for item in request_data):
            raise BadRequest("Each operation of a batched request must be a JSON object.")
        if len(request_data) > self.max_batch_operations:
            raise TooManyOperations(len(request_data), self.max_batch_operations)
        if protocol != "http":
            raise BadRequest("Batched requests cannot be streamed.")

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: Any,
    ) -> ExecutionResult:
        try:
            request_data = self.persisted.resolve(request_data, context.principal)
        except PersistedQueryError as error:
            if error.status != 200:
                raise
            # PersistedQueryNotFound is an answer, not a failure: the client resends the text.
            return ExecutionResult(
                data=None, errors=[GraphQLError(error.message, extensions=error.extensions)]
            )
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        observability.record_errors(response.get("errors"))
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        # get_context raises before any operation exists, so Strawberry would answer 500.
        try:
            async with self._in_flight:
                return await super().run(request, context, root_value)
        except GraphError as error:
            return refusal(error)

    def encode_json(self, data: object) -> str | bytes:
        # orjson: several times faster than json.dumps on a large answer (UTF-8 as is).
        try:
            return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:  # what orjson cannot write (an integer past 64 bits)
            return super().encode_json(data)

    def decode_json(self, data: str | bytes) -> object:
        value = super().decode_json(data)
        # JSON may escape a lone UTF-16 surrogate ("\ud800"), which no UTF-8 text (and no
        # Neo4j string) can hold: refuse it here rather than fail deep in the driver.
        raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
        if _SURROGATE_ESCAPE.search(raw):
            try:
                json.dumps(value, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError as exc:
                raise BadRequest(
                    "The request holds a lone UTF-16 surrogate (e.g. \\ud800), which is not text."
                ) from exc
        return value

    async def get_sub_response(self, request: Any) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.graphql_response_json = wants_graphql_response(  # type: ignore[attr-defined]
            request.headers.get("accept", "")
        )
        return sub_response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if not getattr(sub_response, "graphql_response_json", False):
            return response  # application/json: always 200, as before the spec existed
        # application/graphql-response+json: a request error is a 400 without `data`.
        if is_request_error(response_data) and not sub_response.status_code:
            body = {key: value for key, value in response_data.items() if key != "data"}
            response.body = response.render(self.encode_json(body))
            response.init_headers()
            response.headers.raw.extend(sub_response.headers.raw)
            response.status_code = 400
        response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self._page)


def known_operations(settings: Settings) -> dict[str, str]:
    """What PERSISTED_QUERIES_ONLY accepts from anyone: the playground's examples and the
    manifest's operations, by SHA-256."""
    known = {sha256(example["query"]): example["query"] for example in load_examples()}
    if settings.persisted_queries_manifest is not None:
        known.update(read_manifest(settings.persisted_queries_manifest))
    return known


def create_app(settings: Settings) -> Starlette:
    db = Database(settings)
    metrics = observability.Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Serving starts at once (/health answers, /ready says 503 until Neo4j does); a
        # Neo4j that is not there yet is waited for with backoff, in the log.
        waiting = asyncio.create_task(db.wait_until_ready())
        try:
            yield
        finally:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
            await db.close()

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> JSONResponse:
        if await db.ping():
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "neo4j unavailable"}, status_code=503)

    async def home(request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    async def explore(request: Request) -> FileResponse:
        # The graph explorer (issue 7): a static page that reads only through /graphql.
        return FileResponse(STATIC / "explore" / "index.html", media_type="text/html")

    graphql_app = GraphQLApp(
        db,
        settings.prefetch,
        Authenticator(db, settings),
        read_requires_token=settings.read_requires_token,
        limits=Limits(
            depth=settings.max_query_depth,
            aliases=settings.max_aliases,
            tokens=settings.max_tokens,
            cost=settings.max_query_cost,
        ),
        persisted=PersistedQueries(
            settings.persisted_queries_cache,
            only_known=settings.persisted_queries_only,
            known=known_operations(settings),
        ),
        max_batch_operations=settings.max_batch_operations,
        max_in_flight=settings.max_in_flight,
    )

    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # Anything that escaped every other layer: no stack trace reaches the client.
        request_id = getattr(request.state, "request_id", None)
        log.error("unhandled error (request id %s)", request_id, exc_info=exc)
        body = {
            "errors": [
                {
                    "message": masking.internal_error_message(request_id),
                    "extensions": masking.internal_extensions(request_id),
                }
            ]
        }
        headers = {observability.HEADER: request_id} if request_id else None
        return JSONResponse(body, status_code=500, headers=headers)

    middleware = [Middleware(observability.RequestMiddleware, metrics=metrics)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "Accept", observability.HEADER],
                expose_headers=[observability.HEADER],
                max_age=600,
            )
        )
    middleware.append(Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes))
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/health", health),
            Route("/ready", ready),
            Route("/metrics", metrics.endpoint),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/explore", explore),
            Route("/explore/", explore),
            Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
        ],
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers={Exception: internal_error},
    )
    app.state.db = db
    app.state.metrics = metrics
    return app
