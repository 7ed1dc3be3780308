"""Where a bench module's write time goes, statement by statement: runs another module of
bench/ (its arguments after its name) with every statement of `Database.transaction`
timed, and prints, when it ends, the statements that took longest in total (calls, rows
sent, seconds) and the Neo4j errors they met (a `DeadlockDetected` costs its batch a
retry from the start).

    .venv/bin/python -m bench.statements ingest --entities 10000 --method online

Statement time includes waiting for locks another transaction holds; with two batches in
flight the totals can exceed the run's wall time.
"""

from __future__ import annotations

import atexit
import collections
import runpy
import sys
import time
from typing import Any

from graph import db

SHOWN = 12


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m bench.statements MODULE [ARGS...]")
    module = sys.argv[1]
    totals: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0, 0.0])
    errors: collections.Counter[str] = collections.Counter()
    run = db.Transaction.run

    async def timed(self: db.Transaction, cypher: db.Cypher) -> list[dict[str, Any]]:
        started = time.perf_counter()
        try:
            return await run(self, cypher)
        except Exception as exc:
            code = getattr(exc, "code", None) or getattr(exc.__cause__, "code", None)
            errors[code or type(exc).__name__] += 1
            raise
        finally:
            text, params = cypher
            entry = totals[" ".join(text.split())[:100]]
            entry[0] += 1
            entry[1] += len(params.get("rows") or params.get("ids") or ())
            entry[2] += time.perf_counter() - started

    def report() -> None:
        print(f"\n{'seconds':>8} {'calls':>6} {'rows':>8}  statement (its first 100 characters)")
        ranked = sorted(totals.items(), key=lambda item: -item[1][2])
        for text, (calls, rows, seconds) in ranked[:SHOWN]:
            print(f"{seconds:8.1f} {int(calls):6d} {int(rows):8d}  {text}")
        print("errors:", dict(errors) or "none")

    db.Transaction.run = timed  # type: ignore[method-assign]
    atexit.register(report)
    sys.argv = [f"bench.{module}", *sys.argv[2:]]
    runpy.run_module(f"bench.{module}", run_name="__main__")


if __name__ == "__main__":
    main()
