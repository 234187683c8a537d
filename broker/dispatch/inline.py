"""In-process dispatcher: one worker thread per destination reads the outbox.

One worker per destination means a destination that is down or slow holds only its own threads;
the others go on. A claimed batch is delivered in parallel (``broker.dispatch.batch``). Workers
wake at once when the accept writer commits work for them and otherwise poll, which also picks up
retries whose backoff has passed.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from broker.dispatch.base import Deliverer, Dispatcher
from broker.dispatch.batch import deliver_and_record
from broker.outbox import Outbox

log = logging.getLogger(__name__)


class _Worker:
    def __init__(self, destination: str, dispatcher: InlineDispatcher) -> None:
        self.destination = destination
        self.d = dispatcher
        self.event = threading.Event()
        self.pool = ThreadPoolExecutor(dispatcher.parallel, thread_name_prefix=f"chipla-to-{destination}")
        self.thread = threading.Thread(target=self.run, name=f"chipla-deliver-{destination}", daemon=True)

    def run(self) -> None:
        while not self.d.stopping.is_set():
            try:
                # the stored mapped forms are read with the batch, only for the deliveries that send them
                claimed = self.d.outbox.claim(self.destination, self.d.owner, self.d.batch_size, with_mapped=False)
            except Exception:
                log.exception("claim failed for %s", self.destination)
                claimed = []
            if not claimed:
                self.event.wait(self.d.poll_seconds)
                self.event.clear()
                continue
            try:
                deliver_and_record(self.d.outbox, self.d.deliverer, claimed, self.pool)
            except Exception:  # the lease will expire and the rows be claimed again
                log.exception("recording outcomes failed for %s", self.destination)


class InlineDispatcher(Dispatcher):
    def __init__(self, outbox: Outbox, deliverer: Deliverer, *, poll_seconds: float = 0.25,
                 batch_size: int = 50, parallel: int = 4) -> None:
        self.parallel = parallel
        self.outbox = outbox
        self.deliverer = deliverer
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.owner = f"inline-{uuid.uuid4()}"
        self.stopping = threading.Event()
        self._workers: dict[str, _Worker] = {}
        self._lock = threading.Lock()
        self._supervisor = threading.Thread(target=self._supervise, name="chipla-dispatch", daemon=True)

    def start(self) -> None:
        self.stopping.clear()
        self._supervisor.start()

    def stop(self) -> None:
        self.stopping.set()
        for w in list(self._workers.values()):
            w.event.set()
        for w in list(self._workers.values()):
            w.thread.join(timeout=15)
            w.pool.shutdown(wait=False, cancel_futures=True)
        if self._supervisor.is_alive():
            self._supervisor.join(timeout=5)

    def wake(self, destinations: list[str]) -> None:
        for dest in destinations:
            self._worker(dest).event.set()

    def _worker(self, destination: str) -> _Worker:
        with self._lock:
            w = self._workers.get(destination)
            if w is None:
                w = self._workers[destination] = _Worker(destination, self)
                if not self.stopping.is_set():
                    w.thread.start()
            return w

    def _supervise(self) -> None:
        """Start workers for destinations with due work (retries, work from before a restart)."""
        while not self.stopping.is_set():
            try:
                self.outbox.expire_leases()
                for dest in self.outbox.due_destinations():
                    self._worker(dest).event.set()
            except Exception:
                log.exception("dispatch supervisor pass failed")
            self.stopping.wait(max(self.poll_seconds, 0.5))
