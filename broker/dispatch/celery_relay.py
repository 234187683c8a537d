"""Scaled-out dispatcher: the hub claims due deliveries and hands each claim to a Celery worker.

The outbox stays the source of truth; the broker queue only carries ``(delivery ids, owner)``, one
task per claim, so a worker reads, delivers and records a whole claim with one transaction each
way instead of one per delivery. A worker delivers a row only while the claim named in its task
still holds it, so a task that outlived its claim (queued too long, or redelivered after its worker
died) does nothing. A worker that dies
leaves its rows ``in_flight`` until their lease passes; the supervisor then returns them to the
outbox and they are claimed and published again.

One relay thread per destination, as in the inline dispatcher, and a cap on each destination's rows
in flight, enforced by the outbox for all hub processes together: a destination that is down or
slow fills at most its own share of the queue, so workers stay free for the others.

When the broker is away, a publish fails after a short, bounded retry; the rows of that claim that
were not handed on are released at once (not left to their lease), and the relay claims nothing
more until a connection to the broker succeeds again (tried every ``broker_retry_seconds``), so
delivery resumes within seconds of the broker coming back. The supervisor also watches the broker;
when an outage ends it claims again, at once, the rows this relay had handed on before the outage
and that no worker started since — their tasks may have gone with the broker (a worker hands its
reserved tasks back to a broker that is away) — instead of leaving them to their lease.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from celery import Celery

from broker.clock import now
from broker.dispatch.base import Dispatcher
from broker.dispatch.leadership import Leadership
from broker.outbox import Outbox

log = logging.getLogger(__name__)

TASK_NAME = "chipla.deliver_claim"
QUEUE = "chipla"
BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")
# a publish to a broker that is away gives up within about a second; the relay tries again later
IDLE_CLAIM_SECONDS = 2.0  # unwoken, a relay still looks this often (the supervisor wakes it sooner)
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.3, "interval_max": 0.5}


def client_app(broker_url: str, name: str = "chipla-relay") -> Celery:
    """A Celery app that only publishes: no result backend, no task code in the hub."""
    scheme = urlsplit(broker_url).scheme
    if scheme not in BROKER_SCHEMES:
        allowed = ", ".join(f"{s}://" for s in BROKER_SCHEMES)
        raise ValueError(f"the Celery broker URL must start with one of {allowed}, not {scheme!r}: "
                         "database and filesystem transports poll and lose messages when a worker dies")
    app = Celery(name, broker=broker_url, set_as_current=False)
    app.conf.update(task_default_queue=QUEUE, task_ignore_result=True,
                    broker_connection_retry_on_startup=True, broker_connection_timeout=2.0,
                    task_publish_retry_policy=PUBLISH_RETRY)
    if scheme.startswith("redis"):
        app.conf.broker_transport_options = {"socket_connect_timeout": 2.0}
    return app


class _DestinationRelay:
    """Claims one destination's due rows, within its in-flight cap, and publishes them."""

    def __init__(self, destination: str, relay: CeleryRelay) -> None:
        self.destination = destination
        self.relay = relay
        self.event = threading.Event()
        self.leadership = Leadership(relay.outbox.store, destination)
        self.thread = threading.Thread(target=self.run, name=f"chipla-relay-{destination}", daemon=True)

    def run(self) -> None:
        r = self.relay
        try:
            while not r.stopping.is_set():
                self.pass_once()
        finally:
            self.leadership.release()

    def pass_once(self) -> None:
        """Claim when woken: by the accept writer's commit, or by the supervisor, which finds due
        retries and rows accepted by other hub processes every half second. After a wake, wait
        ``gather_seconds`` so one claim (one task, two worker transactions) carries the rows of
        several accept groups instead of one each. Only the relay holding the destination's lock
        claims (``broker.dispatch.leadership``)."""
        r = self.relay
        if not self.leadership.holds():  # another hub process relays this destination
            self.event.wait(self.leadership.check_seconds)
            self.event.clear()
            return
        published = 0
        try:
            published = self.relay_once(r.batch_size)
        except BrokerAway:  # claim nothing more until the broker answers again
            while not r.stopping.wait(r.broker_retry_seconds) and not r.broker_reachable():
                pass
            return
        except Exception:
            log.exception("relay pass failed for %s", self.destination)
        if published >= r.batch_size:
            return  # a full claim: more may be due at once
        self.event.wait(IDLE_CLAIM_SECONDS)
        self.event.clear()
        r.stopping.wait(r.gather_seconds)

    def relay_once(self, limit: int) -> int:
        """Claim under a fresh owner token, so a task left over from an earlier claim finds no work."""
        r = self.relay
        owner = r.next_owner()
        claimed = r.outbox.claim_ids(self.destination, owner, limit, max_in_flight=r.max_in_flight)
        if not claimed:
            return 0
        try:
            r.publish(claimed, owner)
        except Exception as exc:
            released = r.outbox.release(claimed, owner)
            log.warning("broker unreachable, %d claims of %s released: %s", released, self.destination,
                        f"{type(exc).__name__}: {exc}")
            raise BrokerAway from exc
        return len(claimed)


class BrokerAway(Exception):
    """A publish failed after its retries: the relay waits a little and tries again."""


class CeleryRelay(Dispatcher):
    def __init__(self, outbox: Outbox, broker_url: str, *, poll_seconds: float = 0.2,
                 batch_size: int = 20, max_in_flight: int = 50, app: Celery | None = None,
                 broker_retry_seconds: float = 1.0, gather_seconds: float = 0.05) -> None:
        if max_in_flight < 1 or batch_size < 1:
            raise ValueError("max_in_flight and batch_size must be at least 1")
        self.outbox = outbox
        self.app = app or client_app(broker_url)
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size  # rows per task: a destination's cap is shared by a few tasks
        self.gather_seconds = gather_seconds
        self.max_in_flight = max_in_flight
        self.broker_retry_seconds = broker_retry_seconds
        self.owner = f"celery-{uuid.uuid4().hex[:16]}"
        self._claims = itertools.count(1)
        self._broker_down_since: datetime | None = None
        self.stopping = threading.Event()
        self._relays: dict[str, _DestinationRelay] = {}
        self._lock = threading.Lock()
        self._supervisor = threading.Thread(target=self._supervise, name="chipla-relay", daemon=True)

    def start(self) -> None:
        self.stopping.clear()
        self._supervisor.start()

    def stop(self) -> None:
        self.stopping.set()
        for r in list(self._relays.values()):
            r.event.set()
        for r in list(self._relays.values()):
            r.thread.join(timeout=15)
        if self._supervisor.is_alive():
            self._supervisor.join(timeout=5)
        self.app.close()

    def wake(self, destinations: list[str]) -> None:
        for dest in destinations:
            self._relay(dest).event.set()

    def next_owner(self) -> str:
        with self._lock:
            return f"{self.owner}:{next(self._claims)}"

    def publish(self, delivery_ids: list[int], owner: str) -> None:
        self.app.send_task(TASK_NAME, args=[delivery_ids, owner], queue=QUEUE)

    def broker_reachable(self) -> bool:
        """One quick connection attempt, made while the broker is away instead of claiming rows."""
        try:
            with self.app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            return True
        except Exception:
            return False

    def _relay(self, destination: str) -> _DestinationRelay:
        with self._lock:
            r = self._relays.get(destination)
            if r is None:
                r = self._relays[destination] = _DestinationRelay(destination, self)
                if not self.stopping.is_set():
                    r.thread.start()
            return r

    def _watch_broker(self) -> None:
        """Notice a broker outage even when no publish is due; when it ends, claim again what this
        relay had handed on before it (tasks reserved by workers may have been lost with it)."""
        if self.broker_reachable():
            if self._broker_down_since is not None:
                before = self._broker_down_since + self.outbox.lease
                reclaimed = self.outbox.reclaim(f"{self.owner}:", before)
                log.warning("broker reachable again; %d deliveries handed on before the outage claimed again",
                            reclaimed)
                self._broker_down_since = None
                self.wake(list(self._relays))
        elif self._broker_down_since is None:
            self._broker_down_since = now()
            log.warning("broker unreachable: nothing is published until it answers again")

    def _supervise(self) -> None:
        """Expire the leases of vanished workers; wake relays for retries and work from before a restart."""
        while not self.stopping.is_set():
            try:
                self._watch_broker()
                expired = self.outbox.expire_leases()
                if expired:
                    log.warning("leases passed, deliveries to be claimed again: %d", expired)
                for dest in self.outbox.due_destinations():
                    self._relay(dest).event.set()
            except Exception:
                log.exception("relay supervisor pass failed")
            self.stopping.wait(max(self.poll_seconds, 0.5))
