"""Notes each operation's name and type on the request being answered, for its log line
and the metrics (graph/request_context.py)."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from graph import request_context


class ObserveOperations(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        info = request_context.current()
        if info is not None:
            ctx = self.execution_context
            try:
                name = ctx.operation_name
                kind = ctx.operation_type.value
            except Exception:  # noqa: BLE001 - an unusable document: nothing to note
                name, kind = None, None
            info.operations.append(name or "-")
            if kind:
                info.operation_types.append(kind)
        yield
