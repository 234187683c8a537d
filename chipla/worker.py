"""The Celery worker of the scaled-out dispatcher: run the deliveries the hub's relay publishes.

A task carries only one claim, ``(delivery ids, owner)``; the rows themselves come from the outbox,
and only while that claim still holds them. So a task published twice, redelivered after its worker died, or
outrun by lease expiry does no harm: the outbox, not the queue, decides what is delivered.

Tasks are acknowledged after they ran (``acks_late``), one at a time per worker slot (prefetch 1),
and put back when the worker process dies, so a crash loses no task the broker can still hand out;
what the broker cannot (a task held by a killed worker) comes back through lease expiry in the hub.
"""

from __future__ import annotations

import functools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from celery import Celery, Task
from celery.signals import after_setup_logger, after_setup_task_logger, worker_init
from celery.worker.consumer import Consumer

import mappings
from broker.catalog import ServiceCatalog
from broker.dispatch.base import Deliverer
from broker.dispatch.batch import deliver_and_record
from broker.dispatch.celery_relay import QUEUE, TASK_NAME, client_app
from broker.outbox import Claimed, Outbox
from broker.registry import SystemRegistry
from broker.store import Store, is_store_failure
from chipla import log_flood, notify, signing
from chipla.config import Settings
from chipla.services import catalog
from chipla.wiring import deliverer, outbound_adapters, retry_policy

log = logging.getLogger(__name__)

STORE_RETRY_SECONDS = 1.0
PARALLEL_PER_DESTINATION = 4  # as the inline dispatcher: a claim's rows go out four at a time
BROKER_RETRY_SECONDS = 1.0

# How a worker lives through its broker going away and coming back (docs/dispatch.md, "When the broker
# restarts"):
BROKER_LOSS_SETTINGS = {
    # After a reconnect Celery would lower the prefetch count by the tasks still running and raise it
    # again as each finishes. Under load a worker then held a full prefetch of tasks it had run but
    # whose acknowledgements never reached RabbitMQ, and took nothing more (every run of the fault
    # test). With the thread pool that raise (a basic.qos) is sent from the thread that ran the task,
    # on the connection the event loop reads at the same time: the likely cause. A fixed prefetch
    # count (one per thread) never sends it: deliveries are short, over-fetching is harmless, and the
    # outbox decides what runs.
    "worker_enable_prefetch_count_reduction": False,
    # Keep trying for as long as the broker is away (Celery gives up after 100 attempts and exits).
    "broker_connection_max_retries": None,
    # The default, said out loud: a delivery running when the connection drops finishes; its
    # acknowledgement fails ("Couldn't ack ... connection already closed"), the broker hands the task
    # out again, and the outbox turns that second run into "skipped" (the row is delivered already).
    "worker_cancel_long_running_tasks_on_connection_loss": False,
    "worker_consumer": "chipla.worker:BrokerLossConsumer",
}


class BrokerLossConsumer(Consumer):
    """Celery's consumer with three changes for a broker that goes away and comes back.

    Failing to close the lost connection, or to acknowledge a task through it, does not end the
    worker. When the Redis connection drops while the worker holds unacknowledged tasks, closing the
    broken connection tries to hand them back through a transport that is already torn down and
    raises (``AttributeError`` in kombu's Redis channel), which Celery treats as unrecoverable: the
    worker exits. The tasks are not lost either way (Redis keeps them aside, and the hub's outbox
    claims the rows again), so the only thing to do is reconnect, as Celery does for every other
    connection error.

    And it tries to reconnect every second, not after 2, 4, 6 … (up to 30) seconds, so a broker that
    is back after a restart is used at once, not up to half a minute later.
    """

    def ensure_connected(self, conn: Any) -> Any:
        conn.ensure_connection = functools.partial(conn.ensure_connection, interval_start=BROKER_RETRY_SECONDS,
                                                   interval_step=BROKER_RETRY_SECONDS,
                                                   interval_max=BROKER_RETRY_SECONDS)
        try:
            return super().ensure_connected(conn)
        finally:
            del conn.ensure_connection  # the method again, for whatever else uses the connection

    def on_connection_error_after_connected(self, exc: Exception) -> None:
        try:
            super().on_connection_error_after_connected(exc)
        except Exception:
            log.warning("closing the lost broker connection failed; reconnecting anyway", exc_info=True)
            self.connection = None

    def call_soon_ack(self, p: Any, *args: Any, **kwargs: Any) -> Any:
        return super().call_soon_ack(self._acknowledge, p, *args, **kwargs)

    def _acknowledge(self, ack: Any, *args: Any, **kwargs: Any) -> Any:
        """Acknowledge (or reject) a task; one whose connection was lost is left to the broker.

        A task that was running when the Redis connection dropped is acknowledged, once it finishes,
        through its old channel, whose transport is torn down: ``AttributeError`` again, raised in
        the event loop, and the worker exits. Celery already logs and skips the connection errors of
        such an acknowledgement ("Couldn't ack"); this does the same for any other failure. The task
        stays unacknowledged, the broker hands it out again, and the outbox skips it (its row is
        delivered already).
        """
        try:
            return ack(*args, **kwargs)
        except (*self.connection_errors, *self.channel_errors, BrokenPipeError):
            raise  # Celery's own handling: logged by kombu, or the connection is re-established
        except Exception:
            log.warning("a task could not be acknowledged (its broker connection was lost); "
                        "the broker hands it out again", exc_info=True)
            return None


@dataclass(frozen=True)
class WorkerParts:
    store: Store
    outbox: Outbox
    deliverer: Deliverer


class DeliveryRunner:
    """Builds the store and adapters at the first task, so each worker process (prefork child or the
    one process of a thread pool) opens its own database connections after any fork. The service
    catalog (mapping specs, XSDs: seconds of work) holds no connection, so it is built when the
    worker starts (:meth:`warm`), not by the first task while deliveries wait; a worker whose pool
    does not fork builds everything then."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._services: ServiceCatalog | None = None
        self._parts: WorkerParts | None = None
        self._pools: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()

    def parts(self) -> WorkerParts:
        with self._lock:
            if self._parts is None:
                s = self.settings
                store = Store(s.db_url, synchronous=s.sqlite_synchronous)
                outbox = Outbox(store, retry_policy(s), lease_seconds=s.lease_seconds)
                services = self._catalog()
                adapters = {**outbound_adapters(s, store, services), **notify.worker_adapters(s, store)}
                self._parts = WorkerParts(store, outbox, deliverer(SystemRegistry(store), adapters, services))
            return self._parts

    def warm(self, *, forks: bool) -> None:
        """Build what the first task would; a worker that forks its pool keeps connections for later."""
        try:
            if forks:
                with self._lock:
                    self._catalog()
            else:
                self.parts()
        except Exception:  # the first task builds it again, and says why if it still fails
            log.exception("preparing the worker's deliveries failed; the first task will try again")

    def _catalog(self) -> ServiceCatalog:
        if self._services is None:
            self._services = catalog(mappings.registry(), signing.issuer(self.settings))
        return self._services

    def run(self, delivery_ids: list[int], owner: str) -> str:
        """Deliver the rows the claim ``owner`` still holds; say what became of them."""
        parts = self.parts()
        claimed = parts.outbox.take(delivery_ids, owner)
        outcomes = deliver_and_record(parts.outbox, parts.deliverer, claimed, self._pool(claimed))
        delivered = sum(o.ok for o in outcomes)
        # skipped: delivered already, or its lease passed and another claim has it
        return (f"delivered {delivered}, failed {len(outcomes) - delivered}, "
                f"skipped {len(delivery_ids) - len(claimed)}, not started {len(claimed) - len(outcomes)}")

    def _pool(self, claimed: list[Claimed]) -> ThreadPoolExecutor:
        """One small pool per destination, so a slow destination's claim waits only on its own threads."""
        destination = claimed[0].destination if claimed else ""
        with self._lock:
            pool = self._pools.get(destination)
            if pool is None:
                pool = self._pools[destination] = ThreadPoolExecutor(
                    PARALLEL_PER_DESTINATION, thread_name_prefix=f"chipla-to-{destination or 'none'}")
            return pool

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.shutdown(wait=False, cancel_futures=True)
            self._pools.clear()
            if self._parts is not None:
                self._parts.store.dispose()
                self._parts = None


def create_app(settings: Settings, runner: DeliveryRunner | None = None, *, pool: str = "threads") -> Celery:
    """The worker's Celery app with the one task, ``chipla.deliver_claim``, bound to ``runner``."""
    app = client_app(settings.broker_url, name="chipla")
    app.conf.update(task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
                    task_default_queue=QUEUE, **BROKER_LOSS_SETTINGS)
    bound = runner or DeliveryRunner(settings)

    @app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True, ignore_result=True, bind=True,
              max_retries=None)
    def deliver(self: Task, delivery_ids: list[int], owner: str) -> str:
        try:
            return bound.run(delivery_ids, owner)
        except Exception as exc:
            if not is_store_failure(exc) or self.request.retries >= store_retries:
                raise
            # the store is away: try again in a second instead of leaving the row to its lease
            raise self.retry(countdown=STORE_RETRY_SECONDS, exc=exc) from exc

    store_retries = max(int(settings.lease_seconds / STORE_RETRY_SECONDS), 1)  # past the lease the claim is gone
    worker_init.connect(lambda **_: bound.warm(forks=pool == "prefork"), weak=False)
    after_setup_logger.connect(_gate_logs, weak=False)
    after_setup_task_logger.connect(_gate_logs, weak=False)
    return app


def _gate_logs(**_: object) -> None:
    log_flood.install()
