"""This service as the benchmark runs it: uvicorn with N workers on loopback.

    .venv/bin/python -m bench.service --port 8701 --workers 2

Settings come from the environment as for `make run`; the benchmark sets NEO4J_URI to
its own Neo4j.

One thing differs from `uvicorn --workers N`: accepted connections get TCP_NODELAY.
With several workers uvicorn binds the socket itself with protocol number 0, and
asyncio then leaves Nagle's algorithm on (it sets TCP_NODELAY only on sockets whose
protocol is IPPROTO_TCP); the response's body, written after its headers, waits for the
client's delayed ACK: 40 ms added to every keep-alive request (measured: 5 ms with one
worker, 52 ms with two, on a 3 ms query).
"""

from __future__ import annotations

import argparse
import asyncio
import socket

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


def app():  # noqa: ANN201
    # Imported here: with several workers, uvicorn's supervisor process imports this module
    # too, and need not hold the whole service in its memory.
    from graph.app import create_app
    from graph.settings import Settings

    return create_app(Settings.from_env())


def _no_delay(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _no_delay(transport)
        super().connection_made(transport)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "bench.service:app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        http=NoDelayH11Protocol,
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
