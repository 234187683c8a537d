"""Where chunks are mapped: in the importing process, or in a pool of forked worker processes.

Mapping is pure Python and holds the interpreter lock, so a second core helps only through a
second process. Workers are forked, not spawned: a fork inherits the loaded specs, code lists,
外字 table and address index that a fresh interpreter would spend a second loading, and nothing is
pickled but the rows going out and the mapped chunks coming back. Forking is only safe while the
importing process runs one thread, so `mapping_for` falls back to mapping in-process otherwise
(and where the platform cannot fork). Both kinds hand results back in submission order.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
from multiprocessing.pool import Pool
from typing import Protocol

from adapters.inbound.files.chunks import MappedChunk, Row, RowMapper

#: set once in each worker process by the pool's initializer; never in the importing process
_worker_mapper: list[RowMapper] = []


class Pending(Protocol):
    def get(self) -> MappedChunk: ...


class Mapping(Protocol):
    """Accepts chunks of rows; each `submit` returns a handle whose `get` gives the mapped chunk."""

    processes: int

    def submit(self, rows: list[Row]) -> Pending: ...

    def close(self) -> None: ...


class _Done:
    def __init__(self, chunk: MappedChunk) -> None:
        self.chunk = chunk

    def get(self) -> MappedChunk:
        return self.chunk


class InProcess:
    """Maps each chunk when it is submitted."""

    processes = 0

    def __init__(self, mapper: RowMapper) -> None:
        self.mapper = mapper

    def submit(self, rows: list[Row]) -> Pending:
        return _Done(self.mapper.map_rows(rows))

    def close(self) -> None:
        pass


def _adopt(mapper: RowMapper) -> None:
    # the inherited specs and tables live as long as the worker: the collector need not walk them
    gc.freeze()
    _worker_mapper.append(mapper)


def _map_in_worker(rows: list[Row]) -> MappedChunk:
    return _worker_mapper[0].map_rows(rows)


class WorkerPool:
    """Forked processes that each hold the mapper; chunks go to whichever is free."""

    def __init__(self, mapper: RowMapper, processes: int) -> None:
        self.processes = processes
        # forked now, while the importing process has one thread; the mapper is inherited, not pickled
        self._pool: Pool = multiprocessing.get_context("fork").Pool(processes, _adopt, (mapper,))

    def submit(self, rows: list[Row]) -> Pending:
        return self._pool.apply_async(_map_in_worker, (rows,))

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()


def can_fork() -> bool:
    """Whether worker processes may be forked here and now."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def mapping_for(mapper: RowMapper, processes: int) -> Mapping:
    """A pool of `processes` workers when there is work for them and forking is safe, else in-process."""
    if processes > 0 and can_fork():
        return WorkerPool(mapper, processes)
    return InProcess(mapper)


__all__ = ["InProcess", "Mapping", "Pending", "WorkerPool", "can_fork", "mapping_for"]
