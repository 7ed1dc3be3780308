"""This service as the benchmark runs it: uvicorn with N workers on loopback (what
`WORKERS=N python -m graph.cli serve` runs, see graph/http/serving.py).

    .venv/bin/python -m bench.service --port 8701 --workers 2

Settings come from the environment as for `make run`; the benchmark sets NEO4J_URI to
its own Neo4j.
"""

from __future__ import annotations

import argparse

import uvicorn

from graph.http.serving import NoDelayH11Protocol


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "graph.http.serving:app",
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
