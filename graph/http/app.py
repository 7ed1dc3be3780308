"""`create_app(settings)`: the Starlette app, its lifespan (one driver per process),
routes and middleware."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from graph.db import Database
from graph.http.body_limit import BodySizeLimit
from graph.http.export import TRUNCATED_HEADER, export_route
from graph.http.metrics import Metrics
from graph.http.middleware import REQUEST_ID_HEADER, RequestMiddleware
from graph.http.responses import http_refusal, unexpected_error
from graph.http.view import graphql_view
from graph.settings import Settings
from graph.subscriptions.feed import ChangeFeed

STATIC = Path(__file__).resolve().parents[1] / "static"


def create_app(settings: Settings) -> Starlette:
    db = Database(settings)
    metrics = Metrics()
    # One change feed per worker process: one poller however many subscribers.
    feed = ChangeFeed(
        db,
        settings.subscription_poll_ms / 1000,
        settings.max_subscriptions_per_worker,
        settings.subscription_max_replay,
    )
    view = graphql_view(db, settings, feed)
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/health", health),
            Route("/ready", ready),
            Route("/metrics", metrics.endpoint),
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route("/export", export_route(view, settings), methods=["GET", "POST"]),
            Route("/explore", explore),
            Route("/explore/", explore),
            Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
        ],
        lifespan=_lifespan(db, feed),
        middleware=_middleware(settings, metrics),
        exception_handlers={HTTPException: http_refusal, Exception: unexpected_error},
    )
    app.state.db = db
    app.state.feed = feed
    app.state.metrics = metrics
    return app


def _lifespan(
    db: Database, feed: ChangeFeed
) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
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
            await feed.close()  # subscriptions end (their clients get `complete`)
            await db.close()

    return lifespan


def _middleware(settings: Settings, metrics: Metrics) -> list[Middleware]:
    """Outermost first: request id, metrics and log; CORS; the body size limit."""
    middleware = [Middleware(RequestMiddleware, metrics=metrics)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "Accept", REQUEST_ID_HEADER],
                # An export's file name and whether its answer was cut (graph/http/export.py).
                expose_headers=[REQUEST_ID_HEADER, "Content-Disposition", TRUNCATED_HEADER],
                max_age=600,
            )
        )
    middleware.append(Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes))
    return middleware


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    db: Database = request.app.state.db
    if await db.ping():
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "neo4j unavailable"}, status_code=503)


async def home(request: Request) -> RedirectResponse:
    return RedirectResponse("/graphql")


async def explore(request: Request) -> FileResponse:
    # The graph explorer (issue 7): a static page that reads only through /graphql.
    return FileResponse(STATIC / "explore" / "index.html", media_type="text/html")
