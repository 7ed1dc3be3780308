"""A file read once: its bytes copied, as they are at that moment, into an anonymous
temporary file that checking and writing both read.

Ingestion reads its records twice (once to check every row, once more to write them
in batches), and a file on disk may change in between (edited, appended to, replaced).
Reading the file itself twice would then write rows that were never checked; reading
the copy twice cannot, since nothing else can reach it (it has no name, and is gone when
closed or when the process ends). The copy is on disk rather than in memory, so a file
of any size costs its size on disk, not in RAM; its SHA-256 says which content a run
wrote.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import IO, Any

_CHUNK = 1 << 20


class _Reader(io.RawIOBase):
    """An independent read position over the copy (positional reads: several readers
    of one copy never move each other)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:  # a writable buffer
        data = os.pread(self._fd, len(buffer), self._at)
        buffer[: len(data)] = data
        self._at += len(data)
        return len(data)


class Snapshot:
    def __init__(self, path: Path) -> None:
        """Reads `path` whole (OSError when it cannot be read)."""
        # Kept open as long as the snapshot (closed by `close`), hence no `with`.
        self._copy = tempfile.TemporaryFile()  # noqa: SIM115
        digest = hashlib.sha256()
        try:
            with path.open("rb") as source:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    self._copy.write(chunk)
            self._copy.flush()
        except BaseException:
            self._copy.close()
            raise
        self.sha256 = digest.hexdigest()

    def open(self) -> IO[bytes]:
        """The content as it was read, from its start."""
        return io.BufferedReader(_Reader(self._copy.fileno()), buffer_size=_CHUNK)

    def close(self) -> None:
        self._copy.close()
