"""Chunks stored by a thread of their own, in the order they were handed over.

Storing a chunk is mostly time the interpreter lock is free: SQLite inserting and syncing, or
PostgreSQL answering. Done on a second thread, that time overlaps the mapping of the next chunk
instead of adding to it. At most `depth` chunks wait; the importer blocks beyond that, so memory
stays bounded whatever the file's size. A failure on the thread is raised in the importer at its
next hand-over or at `close`, and nothing after the failed chunk is written.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
_STOP = object()


class ChunkWriter(Generic[T]):
    """Calls `store` for each chunk put, one at a time, on one thread."""

    def __init__(self, store: Callable[[T], None], depth: int = 2) -> None:
        self._store = store
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="chipla-import-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self._error is None:  # after a failure, keep taking chunks so the importer never blocks
                try:
                    self._store(item)  # type: ignore[arg-type]
                except BaseException as exc:  # noqa: BLE001 - handed to the importer's thread
                    self._error = exc

    def put(self, chunk: T) -> None:
        self._raise()
        self._queue.put(chunk)

    def close(self) -> None:
        """Wait until every chunk put is stored; raise the first failure."""
        self._queue.put(_STOP)
        self._thread.join()
        self._raise()

    def abandon(self) -> None:
        """Stop after the chunks already put, when the importer itself failed; raises nothing."""
        self._queue.put(_STOP)
        self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error


__all__ = ["ChunkWriter"]
