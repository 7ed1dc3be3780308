"""ASGI middleware: a request body over `max_bytes` is refused with 413 and a JSON
GraphQL error (PAYLOAD_TOO_LARGE), by its Content-Length before anything is read, or as
soon as the bytes received pass the limit. The body is read here (it is small) and
handed on whole."""

from __future__ import annotations

from typing import Any

from graph.errors import PayloadTooLarge
from graph.http.responses import error_response


class BodySizeLimit:
    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send, declared)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, send, None)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Any:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Any, send: Any, declared: int | None) -> None:
        # The rest of the body is not read: the connection closes after the answer.
        response = error_response(
            PayloadTooLarge(self.max_bytes, declared), headers={"Connection": "close"}
        )

        async def no_body() -> Any:
            return {"type": "http.disconnect"}

        await response(scope, no_body, send)


def _content_length(scope: Any) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
