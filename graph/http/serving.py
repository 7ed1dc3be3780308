"""Serving the app with uvicorn: one process, or WORKERS processes sharing the port.

With several workers uvicorn binds the socket itself with protocol number 0, and asyncio
then leaves Nagle's algorithm on (it sets TCP_NODELAY only on sockets whose protocol is
IPPROTO_TCP): a response's body, written after its headers, waits for the client's
delayed ACK, 40 ms added to every keep-alive request (measured: 5 ms with one worker,
52 ms with two, on a 3 ms query). Connections accepted here get TCP_NODELAY.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

# Imported by the neo4j driver whenever they are installed (for `Result.to_df` and
# vectors, which the service never uses): about 40 MB in every worker (measured: a
# worker's app 131 MB with them, 90 MB without). The project's dev tools bring them in.
DATAFRAME_MODULES = ("numpy", "pandas", "pyarrow")


def _without_dataframes() -> None:
    """A served worker does not load the dataframe libraries: an import of one raises
    ImportError, which the driver expects when they are not installed."""
    for name in DATAFRAME_MODULES:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # import then raises


def app() -> Any:
    """The app of one worker process (uvicorn's factory), configured from the environment,
    with the service's logging (a spawned worker inherits none of the supervisor's: without
    this, its request log lines were lost). Imported lazily: the supervisor process need
    not hold the whole service."""
    _without_dataframes()
    from graph.http.app import create_app
    from graph.logs import configure_logging
    from graph.settings import Settings

    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.debug)
    return create_app(settings)


def _no_delay(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    # uvicorn declares the parameter as asyncio.BaseTransport, though asyncio always passes
    # a Transport, whose socket _no_delay reads: narrower than the base, hence the ignore.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _no_delay(transport)
        super().connection_made(transport)
