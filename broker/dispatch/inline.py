"""In-process dispatcher: one worker thread per destination reads the outbox.

One worker per destination means a destination that is down or slow holds only its own threads;
the others go on. A claimed batch is delivered in parallel (``broker.dispatch.batch``), and a worker
keeps two batches out: it claims the next one while the last is delivered and recorded (the outbox
never claims a row behind one still in flight for the same resident, so order holds). Workers wake
at once when the accept writer commits work for them and otherwise poll, which also picks up
retries whose backoff has passed.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from broker.dispatch.base import Deliverer, Dispatcher
from broker.dispatch.batch import deliver_and_record
from broker.outbox import Claimed, Outbox

log = logging.getLogger(__name__)

#: how long stopping waits for the batches out to be recorded (their rows' leases cover the rest)
STOP_WAIT_SECONDS = 15.0
#: how often (at most) the supervisor returns the rows of lapsed leases to the queue
LEASE_SWEEP_SECONDS = 5.0


#: batches one destination has claimed and not yet recorded: the next batch is claimed (and the last
#: one recorded) while another is out, so the destination's senders are not idle during claim and record
BATCHES_IN_FLIGHT = 2


class _Worker:
    def __init__(self, destination: str, dispatcher: InlineDispatcher) -> None:
        self.destination = destination
        self.d = dispatcher
        self.event = threading.Event()
        self.pool = ThreadPoolExecutor(dispatcher.parallel, thread_name_prefix=f"chipla-to-{destination}")
        self.batches = ThreadPoolExecutor(BATCHES_IN_FLIGHT, thread_name_prefix=f"chipla-batch-{destination}")
        self.room = threading.BoundedSemaphore(BATCHES_IN_FLIGHT)
        self.thread = threading.Thread(target=self.run, name=f"chipla-deliver-{destination}", daemon=True)

    def run(self) -> None:
        while not self.d.stopping.is_set():
            if not self.room.acquire(timeout=self.d.poll_seconds):
                continue  # both batches still out
            try:
                # the stored mapped forms are read with the batch, only for the deliveries that send them
                claimed = self.d.outbox.claim(self.destination, self.d.owner, self.d.batch_size, with_mapped=False)
            except Exception:
                log.exception("claim failed for %s", self.destination)
                claimed = []
            if not claimed:
                self.room.release()
                self.event.wait(self.d.poll_seconds)
                self.event.clear()
                continue
            self.batches.submit(self.deliver, claimed)
        self.drain(STOP_WAIT_SECONDS)

    def deliver(self, claimed: list[Claimed]) -> None:
        try:
            deliver_and_record(self.d.outbox, self.d.deliverer, claimed, self.pool, self.d.parallel)
        except Exception:  # the lease will expire and the rows be claimed again
            log.exception("recording outcomes failed for %s", self.destination)
        finally:
            self.room.release()

    def drain(self, seconds: float) -> None:
        """Wait (a while) for the batches still out to be recorded."""
        deadline = time.monotonic() + seconds
        for _ in range(BATCHES_IN_FLIGHT):
            if not self.room.acquire(timeout=max(0.0, deadline - time.monotonic())):
                return


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
            w.thread.join(timeout=STOP_WAIT_SECONDS + 1)
            w.pool.shutdown(wait=False, cancel_futures=True)
            w.batches.shutdown(wait=False, cancel_futures=True)
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
        """Start workers for destinations with due work (retries, work from before a restart), and
        return the rows of vanished workers to the queue: their leases are looked at every few
        seconds, not at every pass (a lease is a minute by default)."""
        sweep = min(LEASE_SWEEP_SECONDS, self.outbox.lease.total_seconds() / 4)
        expired_at = -sweep
        while not self.stopping.is_set():
            try:
                if time.monotonic() - expired_at >= sweep:
                    self.outbox.expire_leases()
                    expired_at = time.monotonic()
                for dest in self.outbox.due_destinations():
                    self._worker(dest).event.set()
            except Exception:
                log.exception("dispatch supervisor pass failed")
            self.stopping.wait(max(self.poll_seconds, 0.5))
