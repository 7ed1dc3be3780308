"""`create_app(settings)`: the Starlette app, its lifespan (one driver per process), routes."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
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
from strawberry.types.unset import UNSET

from graph.auth.authentication import Authenticator
from graph.db import Database
from graph.errors import GraphError, ServiceUnavailable, Unauthenticated
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


def refusal(error: GraphError) -> JSONResponse:
    """A GraphQL error response for a request refused before any operation ran."""
    body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
    if isinstance(error, Unauthenticated):
        # RFC 6750 section 3: tell the client which scheme to use.
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return JSONResponse(body, status_code=503 if isinstance(error, ServiceUnavailable) else 500)


class GraphQLApp(GraphQL):
    """Strawberry's ASGI view with our context and a GraphiQL page that needs no CDN."""

    def __init__(
        self,
        db: Database,
        prefetch: bool,
        authenticator: Authenticator,
        read_requires_token: bool = False,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.db = db
        self.prefetch = prefetch
        self.authenticator = authenticator
        self.read_requires_token = read_requires_token
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
        )

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        # get_context raises before any operation exists, so Strawberry would answer 500.
        try:
            return await super().run(request, context, root_value)
        except GraphError as error:
            return refusal(error)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self._page)


def create_app(settings: Settings) -> Starlette:
    db = Database(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
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
    )
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/health", health),
            Route("/ready", ready),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/explore", explore),
            Route("/explore/", explore),
            Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
        ],
        lifespan=lifespan,
    )
    app.state.db = db
    return app
