"""Where chunks are mapped: in the importing process, or in a pool of forked worker processes.

Mapping is pure Python and holds the interpreter lock, so a second core helps only through a
second process. Workers are forked, not spawned: a fork inherits the loaded specs, code lists,
外字 table and address index that a fresh interpreter would spend a second loading, and nothing is
pickled but the rows going out (for most CSV files only their position in the inherited text: the
worker reads them itself) and the mapped chunks coming back. Forking is only safe while the
importing process runs one thread, so `mapping_for` falls back to mapping in-process otherwise
(and where the platform cannot fork). Both kinds hand results back in submission order.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol

from adapters.inbound.files.chunks import MappedChunk, Row, RowMapper
from adapters.inbound.files.sources import Span

#: set once in each worker process by the pool's initializer; never in the importing process
_worker_mapper: list[RowMapper] = []


class Pending(Protocol):
    def result(self) -> MappedChunk: ...


class Mapping(Protocol):
    """Accepts chunks of rows; each `submit` returns a handle whose `result` is the mapped chunk."""

    processes: int

    def submit(self, rows: list[Row]) -> Pending: ...

    def submit_span(self, span: Span) -> Pending: ...

    def close(self) -> None: ...


class _Done:
    def __init__(self, chunk: MappedChunk) -> None:
        self.chunk = chunk

    def result(self) -> MappedChunk:
        return self.chunk


class InProcess:
    """Maps each chunk when it is submitted."""

    processes = 0

    def __init__(self, mapper: RowMapper) -> None:
        self.mapper = mapper

    def submit(self, rows: list[Row]) -> Pending:
        return _Done(self.mapper.map_rows(rows))

    def submit_span(self, span: Span) -> Pending:
        return _Done(self.mapper.map_span(span))

    def close(self) -> None:
        pass


def _adopt(mapper: RowMapper) -> None:
    # the inherited specs and tables live as long as the worker: the collector need not walk them
    gc.freeze()
    _worker_mapper.append(mapper)


def _map_in_worker(rows: list[Row]) -> MappedChunk:
    return _worker_mapper[0].map_rows(rows)


def _map_span_in_worker(span: Span) -> MappedChunk:
    return _worker_mapper[0].map_span(span)


def _started() -> bool:
    return bool(_worker_mapper)


class WorkerPool:
    """Forked processes that each hold the mapper; chunks go to whichever is free.

    A `ProcessPoolExecutor`, not a `multiprocessing.Pool`: the latter's worker-handler thread wakes
    on every result waiting in the pipe and, under a stream of results, spins on the importing
    process's interpreter lock.
    """

    def __init__(self, mapper: RowMapper, processes: int) -> None:
        self.processes = processes
        self._executor = ProcessPoolExecutor(processes, multiprocessing.get_context("fork"), _adopt, (mapper,))
        # the first task forks every worker — now, while the importing process has one thread —
        # and shows they started: the mapper is inherited, not pickled
        if not self._executor.submit(_started).result():
            raise RuntimeError("mapping workers did not start")

    def submit(self, rows: list[Row]) -> Pending:
        return self._executor.submit(_map_in_worker, rows)

    def submit_span(self, span: Span) -> Pending:
        """Only the span's position goes to the worker: it reads the rows from the inherited source."""
        return self._executor.submit(_map_span_in_worker, span)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def can_fork() -> bool:
    """Whether worker processes may be forked here and now."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def mapping_for(mapper: RowMapper, processes: int) -> Mapping:
    """A pool of `processes` workers when there is work for them and forking is safe, else in-process."""
    if processes > 0 and can_fork():
        return WorkerPool(mapper, processes)
    return InProcess(mapper)


__all__ = ["InProcess", "Mapping", "Pending", "WorkerPool", "can_fork", "mapping_for"]
