"""Progress on stderr with rich, drawn only when stderr is a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Silent:
    """Progress that shows nothing (not a terminal, tests, the seed)."""

    def checking(self, name: str) -> None: ...

    def checked(self, records: int) -> None: ...

    def writing(self, total: int) -> None: ...

    def wrote(self, rows: int) -> None: ...

    def close(self) -> None: ...


class Bar(Silent):
    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self.progress.start()
        self.task: TaskID | None = None

    def _switch(self, description: str, total: int | None) -> None:
        if self.task is not None:
            self.progress.update(self.task, total=self.progress.tasks[-1].completed)
        self.task = self.progress.add_task(description, total=total)

    def checking(self, name: str) -> None:
        self._switch(f"checking {name}", None)

    def checked(self, records: int) -> None:
        self._advance(records)

    def writing(self, total: int) -> None:
        self._switch("writing", total)

    def wrote(self, rows: int) -> None:
        self._advance(rows)

    def _advance(self, count: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, count)

    def close(self) -> None:
        self.progress.stop()


def progress_for(console: Console) -> Silent:
    return Bar(console) if console.is_terminal else Silent()
