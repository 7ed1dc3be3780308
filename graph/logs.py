"""The service's log lines: one JSON object per line (or plain text), each stamped with
the id of the request being answered (graph/request_context.py)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

from graph.request_context import request_id


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the process id (which
    worker, when WORKERS > 1), the request id when a request is being answered,
    `extra={"fields": {...}}`, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            entry["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = request_id()
        fields = getattr(record, "fields", None)
        extra = " ".join(f"{k}={v}" for k, v in (fields or {}).items())
        return " ".join(part for part in (line, f"request_id={rid}" if rid else "", extra) if part)


def configure_logging(log_format: str = "json", debug: bool = False) -> None:
    """The service's logging: JSON lines (or plain text) on stderr, uvicorn's loggers
    included (the app logs each request itself, so uvicorn's access log is off)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # The driver logs every retry; its errors reach us translated (graph/db.py).
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    # Strawberry logs every error of every response (a typo in a query, an id out of
    # range) at ERROR, with a stack: the request line has their codes, and the unexpected
    # ones are logged by graph/errors.py with their stack and request id.
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
