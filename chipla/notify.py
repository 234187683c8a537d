"""Wire the notification service: rules, timetable, calendar, the town's mail destination, the SMTP
adapter (or the embedded sink) and the clock that drives reminders, stale-gauge checks and digests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from adapters.outbound.mail.sink import MailSink
from adapters.outbound.mail.smtp import MailAdapter, SmtpTarget
from adapters.outbound.opendata.build import default_town_folder
from adapters.outbound.opendata.gtfs import gtfs_files, load_bus
from broker.hub import Hub
from broker.registry import SystemRegistry
from broker.services.notify import definitions
from broker.services.notify.events import Reading
from broker.services.notify.gomi_calendar import read_calendar
from broker.services.notify.notices import mail_destination
from broker.services.notify.service import NotifyService
from broker.services.notify.timetable import GtfsTimetable
from broker.services.sensors.store import StoredReading
from broker.store import Store
from chipla.config import Settings
from mappings.gtfs.feed import feed_of_files

log = logging.getLogger(__name__)

HUB_ATTRIBUTE = "notify"
SERVICE_ATTRIBUTE = "notify_service"  # read by the REST handlers (adapters.inbound.rest.notify)


@dataclass
class NotifyRuntime:
    service: NotifyService
    adapter: MailAdapter
    sink: MailSink | None
    tick_seconds: float
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        if self.tick_seconds > 0 and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="chipla-notify-clock", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.tick_seconds):
            try:
                self.service.tick()
            except Exception:  # the next tick tries again; nothing is lost by waiting
                log.exception("notification clock failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.sink is not None:
            self.sink.stop()


def runtime_of(hub: Hub) -> NotifyRuntime | None:
    runtime = getattr(hub, HUB_ATTRIBUTE, None)
    return runtime if isinstance(runtime, NotifyRuntime) else None


def mail_folder(settings: Settings) -> Path:
    if settings.mail_folder:
        return Path(settings.mail_folder)
    if settings.db_url.startswith("sqlite:///"):
        return Path(settings.db_url.split("///", 1)[1]).parent / "mail"
    return Path("var/mail")


def published_bus_timetable() -> GtfsTimetable:
    """The GTFS-JP feed the town publishes as open data, built from the same ``towndata`` file, so delay
    mails and the published timetable never disagree."""
    folder = default_town_folder() / "bus"
    return GtfsTimetable.of_feed(feed_of_files(gtfs_files(load_bus(folder))), str(folder))


def load_service(settings: Settings, store: Store, wake: Callable[[list[str]], None] | None = None) -> NotifyService:
    """The service from the configured rules, timetable and calendar; bad files fail here, at start."""
    town = definitions.load(Path(settings.notify_rules) if settings.notify_rules else definitions.DEFAULT_RULES)
    timetable = GtfsTimetable.read(Path(settings.notify_gtfs)) if settings.notify_gtfs else published_bus_timetable()
    calendar = read_calendar(Path(settings.notify_gomi) if settings.notify_gomi else default_town_folder() / "gomi")
    public = settings.public_url or f"http://{settings.host}:{settings.port}"
    return NotifyService(store, {town.lg_code: town}, timetable=timetable, calendar=calendar,
                         public_url=public, wake=wake)


def attach(settings: Settings, store: Store, registry: SystemRegistry, hub: Hub) -> dict[str, MailAdapter]:
    """Build the service and its mail adapter, register each town's mail destination, and hang the
    runtime on the hub for the REST handlers."""
    service = load_service(settings, store, hub.wake)
    for town in service.towns.values():
        destination = mail_destination(town.lg_code)
        known = registry.snapshot().systems.get(destination)
        if known is None or not known.active:  # a registry file that does not list it leaves it inactive
            registry.upsert_system({"id": destination, "name": f"{town.town_name} お知らせメール",
                                    "lgCode": town.lg_code, "deliveryKind": "mail", "roles": [], "allow": []})
    sink = MailSink(mail_folder(settings)).start() if settings.smtp_url == "embedded" else None
    target = SmtpTarget.parse(sink.url if sink else settings.smtp_url)
    adapter = MailAdapter(target, service, sender=settings.mail_from, timeout=settings.delivery_timeout)
    runtime = NotifyRuntime(service, adapter, sink, settings.notify_tick_seconds)
    setattr(hub, HUB_ATTRIBUTE, runtime)
    setattr(hub, SERVICE_ATTRIBUTE, service)
    adapter.on_close = runtime.stop
    return {"mail": adapter}


def worker_adapters(settings: Settings, store: Store) -> dict[str, MailAdapter]:
    """The mail adapter of a Celery worker. The embedded sink lives in the serving hub only, so a
    worker sends to ``CHIPLA_SMTP_URL``; with ``embedded`` it has no mail adapter, and mail
    deliveries it meets go to the dead letter channel naming the missing adapter."""
    if settings.smtp_url == "embedded":
        log.warning("CHIPLA_SMTP_URL=embedded: this worker delivers no mail; set an SMTP server for workers")
        return {}
    service = load_service(settings, store)
    return {"mail": MailAdapter(SmtpTarget.parse(settings.smtp_url), service, sender=settings.mail_from,
                                timeout=settings.delivery_timeout)}


def sensor_tap(hub: Hub) -> Callable[[Session, list[StoredReading]], None] | None:
    """The sensor feed's tap: each stored batch runs through the notification rules in the same
    transaction (a reading is stored with its notices, or neither is)."""
    service = getattr(hub, SERVICE_ATTRIBUTE, None)
    if not isinstance(service, NotifyService):
        return None

    def tap(s: Session, stored: list[StoredReading]) -> None:
        service.observe_in(s, [Reading(r.reading.device.lg_code, r.reading.device.id, r.reading.device.family,
                                       datetime.fromisoformat(r.reading.phenomenon_time), r.reading.values,
                                       r.reading.facts) for r in stored])

    return tap
