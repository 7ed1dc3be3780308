"""`/export?format=graphml|csv|csv-nodes|csv-edges|jsonld`: an ordinary GraphQL query,
answered with its subgraph as a file (issue 15, "Export").

The request is what /graphql takes: a POST body `{"query", "variables",
"operationName", "extensions"}` or the same as GET parameters, a persisted query's hash
included. It runs as /graphql runs it (graph/http/view.py: the caller's token, the
limits, the document cache, masking, a place among the operations in flight, held until
the file is written), with the fields an export reads added to the document
(graph/export/membership.py); queries only. The entities and relationships the answer
holds are then read whole, with their provenance, in one query (graph/export/reading.py),
and written in the format asked for.

A refusal is JSON with `extensions.code`, like every other error: the operation's own
errors (an export of part of an answer would look whole), `BAD_REQUEST` for a format or
request that is not one, `EXPORT_TOO_LARGE` past MAX_EXPORT_ITEMS.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from graphql import GraphQLError, parse
from graphql.error import GraphQLSyntaxError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from strawberry.http import GraphQLRequestData

from graph.errors import (
    BadRequest,
    ExportTooLarge,
    GraphError,
    HttpRefusal,
)
from graph.export import graphml, jsonld, tables
from graph.export.membership import members, prepare
from graph.export.model import Export
from graph.export.model import Request as ExportRequest
from graph.export.reading import read_export
from graph.extensions.limits import count_tokens, token_error
from graph.http.responses import error_response, errors_response
from graph.http.view import GraphQLApp, check_operation_shape
from graph.settings import Settings

TRUNCATED_HEADER = "X-Export-Truncated"


@dataclass(frozen=True)
class Format:
    media_type: str
    extension: str
    write: Callable[[Export, Settings], bytes]


FORMATS = {
    "graphml": Format(graphml.MEDIA_TYPE, "graphml", lambda e, s: graphml.to_graphml(e)),
    "csv": Format(tables.ZIP_MEDIA_TYPE, "zip", lambda e, s: tables.to_zip(e)),
    "csv-nodes": Format(
        tables.MEDIA_TYPE, "nodes.csv", lambda e, s: tables.nodes_csv(e).encode("utf-8")
    ),
    "csv-edges": Format(
        tables.MEDIA_TYPE, "edges.csv", lambda e, s: tables.edges_csv(e).encode("utf-8")
    ),
    "jsonld": Format(
        jsonld.MEDIA_TYPE, "jsonld", lambda e, s: jsonld.to_jsonld_bytes(e, s.export_base_iri)
    ),
}
_FILE_STEM = re.compile(r"[^A-Za-z0-9_-]+")


def chosen_format(name: str | None) -> Format:
    if name is None or name not in FORMATS:
        given = "no `format`" if name is None else f"format {name!r}"
        raise BadRequest(
            f"Export needs a format: {given} is not one of {', '.join(FORMATS)} "
            "(e.g. /export?format=graphml)."
        )
    return FORMATS[name]


def file_name(operation_name: str | None, extension: str) -> str:
    stem = _FILE_STEM.sub("-", operation_name or "").strip("-") or "export"
    return f"{stem[:80]}.{extension}"


class ExportRoute:
    def __init__(self, view: GraphQLApp, settings: Settings) -> None:
        self.view = view
        self.settings = settings

    async def handle(self, request: Request) -> Response:
        try:
            return await self._export(request)
        except GraphError as error:
            # An export is a file or a refusal: never a 200 that holds an error.
            return error_response(error, status=max(error.status, 400))

    def _json(self, data: str | bytes, what: str) -> Any:
        """JSON as /graphql reads it (depth, lone surrogates), or BadRequest."""
        try:
            return self.view.decode_json(data)
        except ValueError as exc:  # not JSON, or not UTF-8
            raise BadRequest(f"{what} is not JSON.") from exc

    async def _request_data(self, request: Request) -> GraphQLRequestData:
        raw: Any
        if request.method == "GET":
            raw = {
                "query": request.query_params.get("query"),
                "operationName": request.query_params.get("operationName"),
            }
            for name in ("variables", "extensions"):
                text = request.query_params.get(name)
                raw[name] = self._json(text, f"`{name}`") if text else None
        else:
            content_type = request.headers.get("content-type", "").split(";")[0].strip()
            if content_type.lower() != "application/json":
                raise HttpRefusal(
                    "An export's body is a GraphQL request in JSON: send "
                    "'Content-Type: application/json'.",
                    415,
                )
            raw = self._json(await request.body(), "The request body")
            if isinstance(raw, list):
                raise BadRequest("An export runs one operation, not a batch.")
        check_operation_shape(raw)
        return GraphQLRequestData(
            query=raw.get("query"),
            variables=raw.get("variables"),
            operation_name=raw.get("operationName"),
            extensions=raw.get("extensions"),
        )

    async def _export(self, request: Request) -> Response:
        form = chosen_format(request.query_params.get("format"))
        data = await self._request_data(request)
        context = await self.view.request_context(request, None)
        data = self.view.persisted.resolve(data, context.principal)
        if not isinstance(data.query, str) or not data.query.strip():
            raise BadRequest("No GraphQL query found in the request.")
        original = data.query
        limits = context.limits
        too_many_tokens = token_error(original, limits.tokens)
        if too_many_tokens is not None:
            return self._refusal([too_many_tokens])

        # graphql-core's schema under Strawberry's, an attribute the stubs omit.
        schema = self.view.schema._schema  # type: ignore[attr-defined]
        document = None
        text = original  # a document that does not parse: the engine answers it as /graphql
        with contextlib.suppress(GraphQLSyntaxError):
            text = prepare(schema, parse(original, max_tokens=limits.tokens), original)
            document = parse(text)
        # What the export adds to the document is not charged to the caller's tokens.
        cap = 10 * limits.tokens
        added = max(0, count_tokens(text, cap) - count_tokens(original, cap))
        context.limits = replace(limits, tokens=limits.tokens + added)
        extensions = {k: v for k, v in (data.extensions or {}).items() if k != "persistedQuery"}
        # One place among the operations in flight for the whole export: its answer, its
        # members and its file are held in memory together.
        async with self.view.in_flight:
            result = await self.view.execute_query(
                GraphQLRequestData(text, data.variables, data.operation_name, extensions or None),
                context,
            )
            if result.errors or document is None:
                return self._refusal(result.errors or [])
            found = members(schema, document, result.data, data.operation_name, data.variables)
            if found.size > self.settings.max_export_items:
                raise ExportTooLarge(found.size, self.settings.max_export_items)
            export = await read_export(
                self.view.db,
                found,
                ExportRequest(original, data.operation_name, data.variables),
                dt.datetime.now(dt.UTC),
            )
            body = await run_in_threadpool(form.write, export, self.settings)
        name = file_name(data.operation_name, form.extension)
        return Response(
            body,
            media_type=form.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                TRUNCATED_HEADER: "true" if export.truncated else "false",
            },
        )

    def _refusal(self, errors: list[GraphQLError]) -> JSONResponse:
        return errors_response([error.formatted for error in errors])


def export_route(view: GraphQLApp, settings: Settings) -> Callable[[Request], Any]:
    return ExportRoute(view, settings).handle
