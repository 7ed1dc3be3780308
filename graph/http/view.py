"""The GraphQL-over-HTTP view: Strawberry's ASGI view with this service's context
(database, caller, limits), batching (a JSON array of operations, capped), automatic
persisted queries, content negotiation (application/graphql-response+json gets HTTP 400
for a document that cannot run), operations in flight capped, and the playground page."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from graph import request_context
from graph.auth.authentication import Authenticator
from graph.db import Database
from graph.errors import (
    BadRequest,
    GraphError,
    HttpRefusal,
    PersistedQueryError,
    TooManyOperations,
    Unauthenticated,
)
from graph.extensions.limits import Budget, Limits
from graph.extensions.masking import mask
from graph.http.caching import NO_STORE, CachePolicy, GraphVersions, HttpCache, if_none_match
from graph.http.persisted import PersistedQueries, read_manifest, sha256
from graph.http.playground import load_examples, playground_html
from graph.http.responses import error_response, unavailable, unavailable_response
from graph.http.websocket import KEEP_ALIVE_S, KeepAliveHandler, TextFrames
from graph.resolvers.context import Context
from graph.schema import schema, schema_for
from graph.settings import Settings
from graph.subscriptions.feed import ChangeFeed

GRAPHQL_RESPONSE = "application/graphql-response+json"
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# Deepest nesting of arrays and objects a request body may have. No operation's
# variables need more than a few dozen levels (a filter's nesting is capped at 6); the
# JSON parser would otherwise recurse until Python's stack gives out.
MAX_JSON_DEPTH = 64
_OPERATION_FIELDS = {
    "query": (str,),
    "operationName": (str,),
    "variables": (dict,),
    "extensions": (dict,),
}


def json_depth_error(value: object, limit: int = MAX_JSON_DEPTH) -> str | None:
    """A message when `value` nests arrays and objects deeper than `limit`, else None
    (walked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return f"The request nests arrays and objects more than {limit} levels deep."
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def check_operation_shape(item: object, where: str = "The request") -> None:
    """GraphQL over HTTP: an operation is a JSON object whose `query` and `operationName`
    are strings and `variables` and `extensions` objects (each may be null or absent)."""
    if not isinstance(item, dict):
        raise BadRequest(f"{where} must be a JSON object (or, batched, an array of them).")
    for name, types in _OPERATION_FIELDS.items():
        value = item.get(name)
        if value is not None and not isinstance(value, types):
            kind = "a string" if types == (str,) else "an object"
            raise BadRequest(f"{where}: `{name}` must be {kind} or null.")


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


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context and a GraphiQL page that needs no CDN."""

    graphql_transport_ws_handler_class = KeepAliveHandler
    websocket_adapter_class = TextFrames

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
        cache: HttpCache | None = None,
        graphql_schema: Any = schema,
        feed: ChangeFeed | None = None,
        max_subscriptions_per_connection: int = 10,
        websocket_ping_s: float = KEEP_ALIVE_S,
    ) -> None:
        super().__init__(
            graphql_schema,
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            # Subscriptions: graphql-transport-ws only (what `graphql-ws` clients speak).
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=dt.timedelta(seconds=10),
            max_subscriptions_per_connection=max_subscriptions_per_connection,
        )
        self.feed = feed or ChangeFeed(db, 0.5, 1000)
        # Read by KeepAliveHandler: seconds between the server's pings on a WebSocket.
        self.websocket_ping_s = websocket_ping_s
        self.cache = cache or HttpCache(GraphVersions(db), CachePolicy())
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

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if isinstance(request, WebSocket):
            # A WebSocket authenticates in its `connection_init` (on_ws_connect, below):
            # browsers cannot set headers on one. Each subscription has its own budget.
            return Context(
                db=self.db,
                request=request,
                response=response,
                prefetch=self.prefetch,
                limits=self.limits,
                feed=self.feed,
            )
        # The playground page is no data: it stays reachable so a token can be entered there.
        page = isinstance(request, Request) and self.should_render_graphql_ide(
            self.request_adapter_class(request)
        )
        return await self.request_context(request, response, token_required=not page)

    async def request_context(
        self, request: Request, response: Any, token_required: bool = True
    ) -> Context:
        """The context of one HTTP request: its caller authenticated (a bad token refused,
        none refused when READ_REQUIRES_TOKEN is on and `token_required`), the limits and
        a fresh cost budget. Also what the export route (graph/http/export.py) runs with."""
        principal = await self.authenticator.authenticate(request.headers.get("authorization"))
        if self.read_requires_token and principal.is_anonymous and token_required:
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
            budget=Budget(self.limits.cost),
        )

    @property
    def in_flight(self) -> asyncio.Semaphore:
        """The places of the operations executing at once in this process (MAX_IN_FLIGHT):
        a route that runs an operation and then builds a larger answer from it (an
        export) holds one for the whole of it."""
        return self._in_flight

    async def execute_query(self, request_data: GraphQLRequestData, context: Context) -> Any:
        """One query operation run as /graphql runs it (the schema's limits, document cache
        and error masking), for a route that answers with something other than the
        GraphQL response (graph/http/export.py), which holds a place of `in_flight`.
        Anything but a query is refused (BadRequest)."""
        try:
            result = await self.schema.execute(
                request_data.query,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types={OperationType.QUERY},
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as exc:
            raise BadRequest(
                "Only a query can be run here, not a mutation or a subscription."
            ) from exc
        except CannotGetOperationTypeError as exc:
            raise BadRequest(exc.as_http_error_reason()) from exc
        except MissingQueryError as exc:
            raise BadRequest("No GraphQL query found in the request.") from exc
        if result.errors:
            result.errors = [mask(error) for error in result.errors]
        return result

    async def on_ws_connect(self, context: Context) -> Any:
        """graphql-transport-ws `connection_init`: the token in its payload
        (`{"Authorization": "Bearer ..."}`), else in the handshake's header. A bad token,
        or none when READ_REQUIRES_TOKEN is on, closes the connection (4403)."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        sent = params.get("Authorization") or params.get("authorization")
        if sent is None and context.request is not None:
            sent = context.request.headers.get("authorization")
        try:
            principal = await self.authenticator.authenticate(
                sent if isinstance(sent, str) else None
            )
        except GraphError as error:
            raise ConnectionRejectionError(
                {"message": error.message, "code": error.code}
            ) from error
        if self.read_requires_token and principal.is_anonymous:
            needed = Unauthenticated("This service needs a token in connection_init.")
            raise ConnectionRejectionError({"message": needed.message, "code": needed.code})
        context.principal = principal
        return UNSET

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)
        # Strawberry checks a single operation's query, variables and extensions, not
        # its operationName (a batch's items are checked whole, below).
        if not isinstance(data, list) and not isinstance(data.operation_name, str | None):
            raise BadRequest("The request: `operationName` must be a string or null.")
        return data

    def _validate_batch_request(self, request_data: list[Any], protocol: Any) -> None:
        # A JSON array of operations: on, with a cap, unless MAX_BATCH_OPERATIONS=0.
        if self.max_batch_operations == 0:
            raise BadRequest("Batched requests (a JSON array of operations) are turned off.")
        if not request_data:
            raise BadRequest("A batched request needs at least one operation.")
        if len(request_data) > self.max_batch_operations:
            raise TooManyOperations(len(request_data), self.max_batch_operations)
        for index, item in enumerate(request_data):
            check_operation_shape(item, f"Operation {index} of the batch")
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
        if request_adapter.method == "GET" and not isinstance(request_data, list):
            # Before executing: a matching If-None-Match answers 304 without running it.
            media_type = GRAPHQL_RESPONSE if sub_response.graphql_response_json else "json"
            etag, graph_version = await self.cache.etag(context.principal, request_data, media_type)
            sub_response.http_cache = _Cacheable(
                self.cache.cacheable_headers(context.principal, etag, graph_version),
                not_modified=if_none_match(request.headers.get("if-none-match"), etag),
            )
            if sub_response.http_cache.not_modified:
                return ExecutionResult(data=None, errors=None)
        # Each operation holds one of the process's in-flight places, so a batch counts
        # as many operations as it holds.
        async with self._in_flight:
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        if result.errors:
            # The one boundary of a result's errors: the engine answers an exception raised
            # in its parse or validation hooks outside the extensions (and so outside
            # MaskErrors); masking again here leaves already-masked errors as they are.
            result.errors = [mask(error) for error in result.errors]
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        request_context.record_errors(response.get("errors"))
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        # get_context raises before any operation exists, so Strawberry would answer 500;
        # the engine's own refusals (HTTPException) would be text/plain without a code.
        try:
            return await super().run(request, context, root_value)
        except GraphError as error:
            return error_response(error)
        except HTTPException as refusal:
            return error_response(HttpRefusal(refusal.reason, refusal.status_code))

    def encode_json(self, data: object) -> str | bytes:
        # orjson: several times faster than json.dumps on a large answer (UTF-8 as is).
        try:
            return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:  # what orjson cannot write (an integer past 64 bits)
            return super().encode_json(data)

    def decode_json(self, data: str | bytes) -> object:
        if isinstance(data, bytes):
            # Strictly: json.loads would decode bytes with "surrogatepass", taking the
            # UTF-8 form of a lone surrogate (ED A0 80), which is no UTF-8, as text.
            try:
                data = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise BadRequest("The request body must be JSON encoded as UTF-8.") from exc
        try:
            value = super().decode_json(data)
        except RecursionError as exc:
            raise BadRequest(
                f"The request nests arrays and objects more than {MAX_JSON_DEPTH} levels deep."
            ) from exc
        except UnicodeDecodeError as exc:  # JSON whose bytes are not UTF-8 text
            raise BadRequest("The request body must be JSON encoded as UTF-8.") from exc
        too_deep = json_depth_error(value)
        if too_deep:
            raise BadRequest(too_deep)
        if not isinstance(value, dict | list):
            raise BadRequest(
                "The request body must be a JSON object (an operation) or an array of them."
            )
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
        # The negotiated media type rides on Strawberry's sub-response to process_result:
        # an attribute of our own, which Starlette's Response does not declare.
        sub_response.graphql_response_json = wants_graphql_response(  # type: ignore[attr-defined]
            request.headers.get("accept", "")
        )
        return sub_response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        cacheable: _Cacheable | None = getattr(sub_response, "http_cache", None)
        if cacheable is not None and cacheable.not_modified:
            return Response(status_code=304, headers=cacheable.headers)
        if unavailable(response_data):
            # The status of an outage, the same as when a token's check met it (503).
            return unavailable_response(response_data)
        response = self._negotiated_response(response_data, sub_response)
        # Only a successful answer to a GET query may be kept (graph/http/caching.py).
        if (
            cacheable is not None
            and response.status_code == 200
            and isinstance(response_data, dict)
            and not response_data.get("errors")
        ):
            response.headers.update(cacheable.headers)
        else:
            response.headers["cache-control"] = NO_STORE
        return response

    def _negotiated_response(self, response_data: Any, sub_response: Response) -> Response:
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


class _Cacheable:
    """A GET operation's cache headers, riding on Strawberry's sub-response to
    create_response, and whether the client's copy is still current."""

    def __init__(self, headers: dict[str, str], not_modified: bool) -> None:
        self.headers = headers
        self.not_modified = not_modified


def known_operations(settings: Settings) -> dict[str, str]:
    """What PERSISTED_QUERIES_ONLY accepts from anyone: the playground's examples and the
    manifest's operations, by SHA-256."""
    known = {sha256(example["query"]): example["query"] for example in load_examples()}
    if settings.persisted_queries_manifest is not None:
        known.update(read_manifest(settings.persisted_queries_manifest))
    return known


def graphql_view(db: Database, settings: Settings, feed: ChangeFeed | None = None) -> GraphQLApp:
    """The view at /graphql (HTTP and WebSocket), configured from `settings`."""
    return GraphQLApp(
        db,
        settings.prefetch,
        Authenticator(db, settings),
        graphql_schema=schema_for(settings),
        read_requires_token=settings.read_requires_token,
        limits=Limits(
            depth=settings.max_query_depth,
            aliases=settings.max_aliases,
            tokens=settings.max_tokens,
            cost=settings.max_query_cost,
            filter_clauses=settings.max_filter_clauses,
            list_items=settings.max_list_items,
        ),
        persisted=PersistedQueries(
            settings.persisted_queries_cache,
            only_known=settings.persisted_queries_only,
            known=known_operations(settings),
            max_tokens=settings.max_tokens,
        ),
        max_batch_operations=settings.max_batch_operations,
        max_in_flight=settings.max_in_flight,
        feed=feed,
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        websocket_ping_s=settings.websocket_ping_s,
        cache=HttpCache(
            GraphVersions(db, settings.graph_version_ttl_ms / 1000),
            CachePolicy.from_settings(settings),
        ),
    )
