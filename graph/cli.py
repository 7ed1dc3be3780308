"""The command line: run (Neo4j + seed + serve), serve, seed, neo4j start/stop, export-schema, keys.

python -m graph.cli run            # what `make run` does
python -m graph.cli neo4j start    # just the local Neo4j (in the background; neo4j stop)
python -m graph.cli seed           # load the seed graph into the configured Neo4j
python -m graph.cli ingest FILE... # check and write files of facts (JSON Lines, CSV)
python -m graph.cli export-schema  # print the SDL (schema.graphql)
python -m graph.cli backup FILE    # the whole graph to one file, while it serves
python -m graph.cli restore FILE   # that file into an empty database
python -m graph.cli keys create --name NAME --role editor   # print a new API key, once
python -m graph.cli keys list | keys revoke ID
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

from graph.auth.roles import ROLE_NAMES
from graph.settings import Settings

log = logging.getLogger("graph")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _seed(settings: Settings) -> None:
    from graph.db import Database
    from seed.loader import load_seed

    db = Database(settings)
    try:
        # Retries with backoff, each attempt in the log (graph.db).
        if not await db.wait_until_ready(give_up_after=settings.neo4j_wait_s):
            raise SystemExit(
                f"Neo4j at {settings.bolt_uri} did not answer in {settings.neo4j_wait_s:.0f}s; "
                "is it running?"
            )
        started = time.monotonic()
        for load in await load_seed(db):
            took = time.monotonic() - started
            if load.skipped:
                _say(
                    f"Seed {load.path.name} unchanged since its last load "
                    f"(sha256 {load.sha256[:12]}): nothing written ({took:.2f}s)"
                )
                continue
            report = load.report
            _say(
                f"Seed {load.path.name} loaded in {took:.1f}s: "
                f"{report.entities_written} entities ({report.entities_created} new, "
                f"{report.entities_updated} updated), {report.relationships_written} "
                f"relationships ({report.relationships_created} new, "
                f"{report.relationships_updated} updated), {len(report.rejected)} rejected; "
                "values an editor or another source set since were kept"
            )
    finally:
        await db.close()


def _serve(settings: Settings) -> None:
    import uvicorn

    from graph.http.app import create_app

    base = f"http://{settings.host}:{settings.port}"
    _say(f"GraphQL API and playground: {base}/graphql; explorer: {base}/explore")
    # Logging is configured by main() (JSON lines by default); the app logs each request
    # itself, so uvicorn's access log is off. A Neo4j that is not answering yet is waited
    # for by the app's lifespan, with backoff, while /health answers and /ready says 503.
    common: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "timeout_keep_alive": settings.keep_alive_s,
        # Named, not "auto": a missing WebSocket library fails the start instead of
        # refusing every subscription with a warning.
        "ws": "websockets-sansio",
    }
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **common)
        return
    from graph.http.serving import NoDelayH11Protocol

    # Each worker builds its app from the same environment (graph.http.serving.app).
    _say(f"{settings.workers} worker processes")
    uvicorn.run(
        "graph.http.serving:app",
        factory=True,
        workers=settings.workers,
        http=NoDelayH11Protocol,
        **common,
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _start_local(settings: Settings) -> Any:
    """The local Neo4j, started (or found running); a failure is one line, no traceback."""
    from graph.local_neo4j import LocalNeo4j, Neo4jStartError

    local = LocalNeo4j(settings)
    try:
        took = local.start(log=_say)
    except Neo4jStartError as exc:
        raise SystemExit(str(exc)) from exc
    if local.process is not None:
        _say(f"Local Neo4j answering on {settings.bolt_uri} (started in {took:.1f}s)")
    return local


def cmd_run(settings: Settings) -> None:
    from graph import running

    local = None
    if settings.uses_local_neo4j:
        local = _start_local(settings)
    else:
        _say(f"Using the Neo4j at {settings.neo4j_uri}; starting none.")
    # For the command line in another terminal: which Neo4j this service uses.
    running.record(settings)
    # SIGTERM stops the service the way Ctrl-C does, then Neo4j is stopped below.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        asyncio.run(_seed(settings))
        _serve(settings)
    except KeyboardInterrupt:
        pass
    finally:
        running.forget(settings)
        # Only a Neo4j this process started; one that was running already is left running.
        if local is not None and local.process is not None:
            _say("Stopping the local Neo4j ...")
            stopped = local.stop()
            _say("Stopped." if stopped else "It had been stopped already.")


def cmd_neo4j(settings: Settings, action: str) -> None:
    from graph.local_neo4j import LocalNeo4j, build_launcher

    local = LocalNeo4j(settings)
    if action == "build":
        build_launcher(_say)
    elif action == "start":
        local = _start_local(settings)
        if local.process is not None:
            _say(f"Neo4j pid {local.process.pid}, store in {settings.data_dir}")
    elif action == "stop":
        pid = local.stop()
        _say(f"Neo4j stopped (pid {pid})." if pid else f"No Neo4j of {settings.data_dir} runs.")
        status = local.status()
        if status.port_holder:
            _say(f"Port {settings.local_bolt_port} is taken by {status.port_holder}.")
    elif action == "status":
        status = local.status()
        _say(f"{status} (store in {settings.data_dir})")
        if status.pid is None:
            sys.exit(3)


async def _keys(settings: Settings, args: argparse.Namespace) -> None:
    from graph.auth import keys
    from graph.db import Database
    from graph.errors import GraphError

    # The driver's retry warnings would bury the one line that matters here.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    db = Database(settings)
    try:
        if not await db.ping():
            raise SystemExit(db.not_answering())
        if args.action == "create":
            created = await keys.create_key(db, args.name, args.role)
            _say(
                f"Created API key {created.key.id} ({created.key.name}, {created.key.role}). "
                "It is shown only this once; store it now:"
            )
            print(created.token, flush=True)
        elif args.action == "revoke":
            key = await keys.revoke_key(db, args.id)
            revoked = key.revoked_at.isoformat() if key.revoked_at else "now"
            _say(f"Revoked API key {key.id} ({key.name}) at {revoked}")
        elif args.action == "list":
            for key in await keys.list_keys(db):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                made = f"{key.created_at:%Y-%m-%d}"
                print(f"{key.id}  {key.role:<6}  {made}  {state:<18}  {key.name}")
    except GraphError as exc:
        raise SystemExit(exc.message) from exc
    finally:
        await db.close()


async def _backup(settings: Settings, args: argparse.Namespace) -> None:
    from graph import backup
    from graph.db import Database
    from graph.errors import GraphError

    logging.getLogger("neo4j").setLevel(logging.ERROR)
    db = Database(settings)
    try:
        if not await db.ping():
            raise SystemExit(db.not_answering())
        if args.command == "backup":
            done = await backup.backup(db, args.file, span=args.page)
            verb = "Backed up"
        else:
            done = await backup.restore(db, args.file, batch_size=args.batch_size)
            verb = "Restored"
        _say(
            f"{verb} {done.nodes:,} nodes and {done.relationships:,} relationships "
            f"({', '.join(f'{k} {v:,}' for k, v in sorted(done.labels.items()))}) "
            f"{'to' if args.command == 'backup' else 'from'} {args.file} in {done.seconds:.1f}s "
            f"({done.rows / max(done.seconds, 1e-9):,.0f} rows/s); sha256 {done.sha256[:16]}"
        )
    except backup.BackupError as exc:
        raise SystemExit(f"{args.command}: {exc}") from exc
    except GraphError as exc:
        raise SystemExit(f"{args.command}: {exc.message}") from exc
    finally:
        await db.close()


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="graph", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start Neo4j if needed, load the seed, serve (foreground)")
    sub.add_parser("serve", help="serve the API against the configured Neo4j")
    sub.add_parser("seed", help="load the seed graph (idempotent)")
    neo = sub.add_parser("neo4j", help="manage the local Neo4j")
    neo.add_argument("action", choices=["build", "start", "stop", "status"])
    ingest = sub.add_parser(
        "ingest", help="check files of facts (JSON Lines, CSV) and write them, in batches"
    )
    ingest.add_argument("files", nargs="+", type=Path, metavar="FILE")
    ingest.add_argument(
        "--skip-invalid", action="store_true", help="write the valid rows, report the others"
    )
    ingest.add_argument(
        "--batch-size", type=_positive, default=5000, metavar="N", help="rows per transaction"
    )
    ingest.add_argument(
        "--source-file", type=Path, metavar="F", help="JSON: a source, or a list of them"
    )
    ingest.add_argument("--by", help="who the history records (default cli:$USER)")
    ingest.add_argument(
        "--method",
        choices=["auto", "online", "offline"],
        default="auto",
        help="offline: Neo4j's import tool (an empty local store only; Neo4j stops meanwhile); "
        "online: transactions; auto (default): offline when the store is empty",
    )
    backup = sub.add_parser("backup", help="write the whole graph to one file (gzip'd JSON Lines)")
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.add_argument(
        "--page", type=_positive, default=5000, metavar="N", help="internal ids per page read"
    )
    restore = sub.add_parser("restore", help="rebuild a backup into an empty database")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument(
        "--batch-size", type=_positive, default=5000, metavar="N", help="rows per transaction"
    )
    export = sub.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument(
        "--federation",
        action="store_true",
        help="the Apollo Federation 2 subgraph SDL (what FEDERATION=1 serves)",
    )
    keys = sub.add_parser("keys", help="API keys: create, list, revoke")
    key_actions = keys.add_subparsers(dest="action", required=True)
    create = key_actions.add_parser("create", help="create a key and print it (only this once)")
    create.add_argument("--name", required=True, help="who or what will use the key")
    create.add_argument("--role", required=True, choices=ROLE_NAMES)
    key_actions.add_parser("list", help="list keys (never their secrets)")
    revoke = key_actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("id")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command in ("run", "serve"):
        from graph.logs import configure_logging

        configure_logging(settings.log_format, settings.debug)
    else:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )

    if args.command in ("seed", "keys", "ingest"):
        from graph import running
        from graph.settings import neo4j_chosen

        # No Neo4j named here: the one of the service running (`make run`), if any.
        settings = running.settings_for_command(settings, neo4j_chosen(), _say)

    if args.command == "run":
        cmd_run(settings)
    elif args.command == "serve":
        _serve(settings)
    elif args.command == "seed":
        asyncio.run(_seed(settings))
    elif args.command == "neo4j":
        cmd_neo4j(settings, args.action)
    elif args.command == "keys":
        asyncio.run(_keys(settings, args))
    elif args.command == "ingest":
        from graph.bulk import command

        sys.exit(
            command.run(
                settings,
                args.files,
                batch_size=args.batch_size,
                skip_invalid=args.skip_invalid,
                source_file=args.source_file,
                by=args.by,
                method=args.method,
            )
        )
    elif args.command in ("backup", "restore"):
        asyncio.run(_backup(settings, args))
    elif args.command == "export-schema":
        from graph.resolvers.federation import SDL
        from graph.schema import federation_schema, schema

        if args.federation:
            federation_schema()
            sys.stdout.write(SDL[0] + "\n")
        else:
            sys.stdout.write(schema.as_str() + "\n")


if __name__ == "__main__":
    main()
