"""The graphql-transport-ws protocol as this service speaks it: Strawberry's handler, plus
keep-alive pings from the server once the connection is acknowledged (so proxies keep an
idle subscription open and a dead client is noticed), stopped when the connection ends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)

from graph.errors import QUERY_TOO_COMPLEX, GraphError
from graph.extensions.masking import engine_error_code
from graph.resolvers.context import Context

KEEP_ALIVE_S = 15.0


class KeepAliveHandler(BaseGraphQLTransportWSHandler[Context, None]):
    _pinger: asyncio.Task | None = None

    @property
    def keep_alive_s(self) -> float:
        """Seconds between pings: the view's WEBSOCKET_PING_S (graph/http/view.py)."""
        return float(getattr(self.view, "websocket_ping_s", KEEP_ALIVE_S))

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._pinger is None:
            self._pinger = asyncio.create_task(self._ping(), name="ws-keep-alive")

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(self.keep_alive_s)
            await self.send_message({"type": "ping"})

    async def send_message(self, message: Any) -> None:
        # A subscription's refusal (parse, validation, limits) and its events' errors
        # carry a code, as over HTTP (Strawberry formats them past the masking).
        payload = message.get("payload")
        if message.get("type") == "error" and isinstance(payload, list):
            message = {**message, "payload": [_coded(e) for e in payload]}
        elif message.get("type") == "next" and isinstance(payload, dict) and payload.get("errors"):
            message = {
                **message,
                "payload": {**payload, "errors": [_coded(e) for e in payload["errors"]]},
            }
        await super().send_message(message)

    async def shutdown(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._pinger
        await super().shutdown()


class TextFrames(ASGIWebSocketAdapter):
    """Messages as text frames, as graphql-transport-ws requires (the view encodes JSON
    to bytes, which Strawberry would send as binary frames), and a message the view's
    JSON checks refuse (nested too deep, not an object) treated as not JSON, which the
    protocol answers by closing with 4400."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        try:
            await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        try:
            async for message in super().iter_json(ignore_parsing_errors=ignore_parsing_errors):
                yield message
        except GraphError as exc:
            raise NonJsonMessageReceived from exc


def _coded(error: Any) -> Any:
    """A formatted error with an `extensions.code`: its own, or what graphql-core's
    un-coded errors are (a syntax error or a document that does not fit the schema)."""
    if not isinstance(error, dict) or (error.get("extensions") or {}).get("code"):
        return error
    if error.get("message") == "Subscription limit reached":  # Strawberry's, per connection
        return {
            **error,
            "message": "Subscription limit reached: this connection holds as many "
            "subscriptions as MAX_SUBSCRIPTIONS_PER_CONNECTION allows; complete one first.",
            "extensions": {"code": QUERY_TOO_COMPLEX, "limit": "subscriptions"},
        }
    code = engine_error_code(str(error.get("message", "")))
    return {**error, "extensions": {**(error.get("extensions") or {}), "code": code}}
