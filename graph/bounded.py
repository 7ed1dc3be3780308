"""A least-recently-used map bounded by the bytes its values hold, not only by how many
there are: a few very large entries (a document that is one long string literal) must
not grow a worker by hundreds of megabytes. Thread-safe: the persisted-query store is
shared by a worker's requests, and a cache may be read from a thread."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most `max_items` entries weighing at most `max_bytes` together; an entry that
    alone weighs more than `max_entry_bytes` is not kept at all. `weigh(key, value)`
    estimates an entry's bytes. The least recently used entries go first."""

    def __init__(
        self,
        max_items: int,
        max_bytes: int,
        max_entry_bytes: int,
        weigh: Callable[[K, V], int],
    ) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self._weigh = weigh
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = Lock()
        self.bytes = 0
        self.refused = 0  # entries too large to keep, since the start

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, key: K, value: V) -> bool:
        """Keeps the entry unless it is too large alone; True when kept."""
        weight = self._weigh(key, value)
        with self._lock:
            if weight > self.max_entry_bytes or self.max_items < 1:
                self.refused += 1
                return False
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, weight)
            self.bytes += weight
            while len(self._entries) > self.max_items or self.bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
            return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0
