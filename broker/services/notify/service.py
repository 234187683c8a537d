"""The notification service: rules fed by readings and the clock, subscribers, and what the mail
adapter asks at sending time.

One lock orders rule evaluation, so a rule's state is read and written by one event at a time; state
is written only when it changed, so most readings cost no write at all. A rule's new state, the
notices and their outbox rows commit in one transaction.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from broker.clock import now as clock_now
from broker.errors import NotFound
from broker.services.notify import kpi, subscribers
from broker.services.notify.definitions import TownRules
from broker.services.notify.events import Intent, Reading
from broker.services.notify.gomi_calendar import GomiCalendar
from broker.services.notify.models import NotifyKey, NotifyNotice, NotifyRuleState, NotifySubscriber
from broker.services.notify.notices import TRANSACTIONAL, NoticeWriter
from broker.services.notify.rules.base import Rule
from broker.services.notify.rules.bus import BusDelayRule
from broker.services.notify.rules.farm import FarmRule
from broker.services.notify.rules.gomi import GomiReminderRule
from broker.services.notify.rules.mimamori import MimamoriRule
from broker.services.notify.rules.water import WaterLevelRule
from broker.services.notify.subscribers import CONFIRM_HOURS
from broker.services.notify.timetable import Timetable
from broker.services.notify.tokens import Tokens
from broker.store import Store

Wake = Callable[[list[str]], None]


def build_rules(town: TownRules, timetable: Timetable | None, calendar: GomiCalendar | None) -> list[Rule]:
    out: list[Rule] = []
    for d in town.rules:
        if d.kind == "water_level":
            out.append(WaterLevelRule(town.lg_code, d))
        elif d.kind == "bus_delay":
            out.append(BusDelayRule(town.lg_code, d, timetable))
        elif d.kind == "gomi":
            out.append(GomiReminderRule(town.lg_code, d, calendar))
        elif d.kind == "mimamori":
            out.append(MimamoriRule(town.lg_code, d))
        elif d.kind == "farm":
            out.append(FarmRule(town.lg_code, d))
    return out


def subscribable(rules: list[Rule]) -> dict[str, dict[str, frozenset[str]]]:
    """団体コード → topic kind → the keys some rule of that town can mail."""
    out: dict[str, dict[str, frozenset[str]]] = {}
    for rule in rules:
        town = out.setdefault(rule.lg_code, {})
        for kind, keys in rule.topics().items():
            town[kind] = town.get(kind, frozenset()) | keys
    return out


class NotifyService:
    def __init__(self, store: Store, towns: dict[str, TownRules], *, timetable: Timetable | None = None,
                 calendar: GomiCalendar | None = None, public_url: str = "http://127.0.0.1:8000",
                 wake: Wake | None = None) -> None:
        self.store = store
        self.towns = towns
        self.public_url = public_url.rstrip("/")
        self.wake: Wake = wake or (lambda _d: None)
        secret = self._secret()
        self.key = secret.encode("utf-8")
        self.tokens = Tokens(secret)
        self.writer = NoticeWriter(towns)
        self.rules = [r for town in towns.values() for r in build_rules(town, timetable, calendar)]
        self.topics = subscribable(self.rules)
        self._lock = threading.RLock()
        self._states: dict[str, dict[str, dict[str, Any]]] = {r.id: {} for r in self.rules}
        self._memos: dict[str, dict[str, dict[str, Any]]] = {r.id: {} for r in self.rules}
        with store.read() as s:
            for row in s.execute(select(NotifyRuleState)).scalars():
                if row.rule_id in self._states:
                    self._states[row.rule_id][row.subject] = dict(row.state)
        self._ensure_operators()

    # -- set-up ----------------------------------------------------------------------------------
    def _secret(self) -> str:
        with self.store.write() as s:
            row = s.get(NotifyKey, 1)
            if row is None:
                row = NotifyKey(id=1, secret=secrets.token_urlsafe(48))
                s.add(row)
            return row.secret

    def _ensure_operators(self) -> None:
        """The town's operator addresses come from its rules file: active without opt-in."""
        at = clock_now()
        with self.store.write() as s:
            for town in self.towns.values():
                for address in town.operators:
                    sub, _new = subscribers.create_or_reopen(s, self.key, town.lg_code, address, at, role="operator")
                    sub.role, sub.status = "operator", "active"

    # -- events ----------------------------------------------------------------------------------
    def observe(self, reading: Reading) -> int:
        return self.observe_many([reading])

    def observe_many(self, readings: Iterable[Reading], now: datetime | None = None) -> int:
        """Run readings through the rules; returns how many intents they produced."""
        with self._lock:
            intents, changed = self._evaluate(readings)
            self._commit(intents, changed, now)
            return len(intents)

    def observe_in(self, s: Session, readings: Iterable[Reading]) -> int:
        """Run readings through the rules inside the caller's transaction (the sensor feed's batch), so
        the readings, the rules' new state and the notices commit together. If that transaction rolls
        back, the rules' state is read back from the store: nothing is remembered that was not kept."""
        with self._lock:
            intents, changed = self._evaluate(readings)
            if not intents and not changed:
                return 0
            touched = self._apply(s, intents, changed, clock_now())
        keys = list(changed)
        event.listen(s, "after_commit", lambda _s: self.wake(sorted(touched)) if touched else None, once=True)
        event.listen(s, "after_rollback", lambda _s: self._reload(keys), once=True)
        return len(intents)

    def _evaluate(self, readings: Iterable[Reading]) -> tuple[list[Intent], dict[tuple[str, str], dict[str, Any]]]:
        intents: list[Intent] = []
        changed: dict[tuple[str, str], dict[str, Any]] = {}
        for reading in readings:
            for rule in self.rules:
                if rule.lg_code != reading.lg_code or reading.family not in rule.families:
                    continue
                devices = rule.devices()
                if devices is not None and reading.device_id not in devices:
                    continue
                subject = rule.subjects(reading)
                state = self._states[rule.id].setdefault(subject, {})
                before = json.dumps(state, sort_keys=True)
                intents += rule.on_reading(reading, state, self._memos[rule.id].setdefault(subject, {}))
                if json.dumps(state, sort_keys=True) != before:
                    changed[(rule.id, subject)] = state
        return intents, changed

    def _reload(self, keys: list[tuple[str, str]]) -> None:
        with self._lock, self.store.read() as s:
            for rule_id, subject in keys:
                row = s.get(NotifyRuleState, (rule_id, subject))
                self._states[rule_id][subject] = dict(row.state) if row is not None else {}

    def tick(self, now: datetime | None = None) -> int:
        """Clock-driven rules (stale gauges, evening reminders) and digests; called every half minute."""
        at = now or clock_now()
        with self._lock:
            intents: list[Intent] = []
            changed: dict[tuple[str, str], dict[str, Any]] = {}
            for rule in self.rules:
                states = self._states[rule.id]
                before = {k: json.dumps(v, sort_keys=True) for k, v in states.items()}
                for subject, produced in rule.on_tick(at, states, self._memos[rule.id]):
                    intents += produced
                    if json.dumps(states.get(subject, {}), sort_keys=True) != before.get(subject):
                        changed[(rule.id, subject)] = states[subject]
            touched = self._commit(intents, changed, at, digest=True)
        return len(intents) + len(touched)

    def _commit(self, intents: list[Intent], changed: dict[tuple[str, str], dict[str, Any]],
                now: datetime | None, digest: bool = False) -> set[str]:
        if not intents and not changed and not digest:
            return set()
        with self.store.write() as s:
            touched = self._apply(s, intents, changed, now or clock_now(), digest)
        if touched:
            self.wake(sorted(touched))
        return touched

    def _apply(self, s: Session, intents: list[Intent], changed: dict[tuple[str, str], dict[str, Any]],
               at: datetime, digest: bool = False) -> set[str]:
        for (rule_id, subject), state in changed.items():
            row = s.get(NotifyRuleState, (rule_id, subject))
            if row is None:
                s.add(NotifyRuleState(rule_id=rule_id, subject=subject, state=dict(state), updated_at=at))
            else:
                row.state, row.updated_at = dict(state), at
        touched = self.writer.write(s, intents, at)
        if digest:
            touched |= self.writer.digest(s, at)
        return touched

    # -- the person ------------------------------------------------------------------------------
    def subscribe(self, lg_code: str, address: str, topics: list[dict[str, Any]]) -> None:
        """Same answer whether the address is new or known: a new or re-opened one gets a
        confirmation mail with its topics stored; a known active one gets a manage link."""
        self._town(lg_code)
        wanted = subscribers.check_topics(topics, self.topics.get(lg_code, {}))
        at = clock_now()
        with self.store.write() as s:
            sub, new = subscribers.create_or_reopen(s, self.key, lg_code, address, at)
            if new or sub.status == "pending":
                subscribers.replace_topics(s, sub, wanted)
                link = f"{self.public_url}/api/v1/notify/confirm?token={self.tokens.make('confirm', sub.id)}"
                dest = self.writer.direct(s, sub, "confirm", "confirm", {"link": link, "hours": CONFIRM_HOURS}, at)
            else:
                dest = self.writer.direct(s, sub, "manage", "manage", {"link": self.manage_url(sub.id)}, at)
        self.wake([dest])

    def request_manage_link(self, lg_code: str, address: str) -> None:
        self._town(lg_code)
        at = clock_now()
        with self.store.write() as s:
            sub = subscribers.find(s, self.key, lg_code, subscribers.addresses.normalise(address))
            if sub is None or sub.status == "unsubscribed":
                return
            dest = self.writer.direct(s, sub, "manage", "manage", {"link": self.manage_url(sub.id)}, at)
        self.wake([dest])

    def confirm(self, token: str) -> dict[str, Any]:
        sid = self.tokens.read("confirm", token)
        with self.store.write() as s:
            sub = subscribers.confirm(s, sid, clock_now())
            return {"status": sub.status}

    def unsubscribe(self, token: str) -> None:
        sid = self.tokens.read("unsubscribe", token)
        with self.store.write() as s:
            subscribers.unsubscribe(s, sid, clock_now())

    def export(self, token: str) -> dict[str, Any]:
        sid = self.tokens.read("manage", token)
        with self.store.read() as s:
            return subscribers.export(s, sid)

    def set_topics(self, token: str, topics: list[dict[str, Any]]) -> dict[str, Any]:
        sid = self.tokens.read("manage", token)
        with self.store.write() as s:
            sub = s.get(NotifySubscriber, sid)
            if sub is None:
                raise NotFound("登録が見つかりません（削除済みの可能性があります）")
            subscribers.replace_topics(s, sub, subscribers.check_topics(topics, self.topics.get(sub.lg_code, {})))
        with self.store.read() as s:
            return subscribers.export(s, sid)

    def erase(self, token: str) -> None:
        sid = self.tokens.read("manage", token)
        with self.store.write() as s:
            subscribers.erase(s, sid)

    def manage_url(self, subscriber_id: int) -> str:
        return f"{self.public_url}/api/v1/notify/me?token={self.tokens.make('manage', subscriber_id)}"

    def unsubscribe_url(self, subscriber_id: int) -> str:
        return f"{self.public_url}/api/v1/notify/unsubscribe?token={self.tokens.make('unsubscribe', subscriber_id)}"

    # -- operators -------------------------------------------------------------------------------
    def link_guardian(self, lg_code: str, address: str, tag_id: str, operator: str) -> dict[str, Any]:
        self._town(lg_code)
        at = clock_now()
        dest = None
        with self.store.write() as s:
            link, sub, new = subscribers.link_guardian(s, self.key, lg_code, address, tag_id, operator, at)
            if new:
                token = self.tokens.make("confirm", sub.id)
                link_url = f"{self.public_url}/api/v1/notify/confirm?token={token}"
                dest = self.writer.direct(s, sub, "confirm", "confirm", {"link": link_url, "hours": CONFIRM_HOURS}, at)
            out = {"id": link.id, "subscriberId": sub.id, "subscriberStatus": sub.status,
                   "createdBy": link.created_by, "createdAt": link.created_at.isoformat()}
        if dest:
            self.wake([dest])
        return out

    def unlink_guardian(self, link_id: int, operator: str) -> None:
        with self.store.write() as s:
            subscribers.unlink_guardian(s, link_id, operator)

    def listing(self, lg_code: str | None, limit: int, offset: int) -> dict[str, Any]:
        with self.store.read() as s:
            return subscribers.listing(s, lg_code, limit, offset)

    def notices(self, kind: str | None, limit: int, offset: int) -> dict[str, Any]:
        with self.store.read() as s:
            return kpi.notice_log(s, kind, limit, offset)

    def kpi(self, lg_code: str | None) -> dict[str, Any]:
        with self.store.read() as s:
            return kpi.compute(s, lg_code)

    def rules_json(self) -> list[dict[str, Any]]:
        return [t.as_json() for t in self.towns.values()]

    def _town(self, lg_code: str) -> TownRules:
        town = self.towns.get(lg_code)
        if town is None:
            raise NotFound(f"団体 {lg_code} はお知らせメールを提供していません")
        return town

    # -- what the mail adapter asks ---------------------------------------------------------------
    def wanted(self, notice: dict[str, Any]) -> bool:
        with self.store.read() as s:
            sub = s.get(NotifySubscriber, int(notice["subscriberId"]))
        if sub is None:
            return False
        if notice.get("kind") in TRANSACTIONAL:
            return sub.status != "unsubscribed"
        return sub.status == "active"

    def links(self, notice: dict[str, Any]) -> tuple[str, str]:
        sid = int(notice["subscriberId"])
        return self.unsubscribe_url(sid), self.manage_url(sid)

    def sender_name(self, lg_code: str) -> str:
        town = self.towns.get(lg_code)
        return town.sender_name if town else "お知らせメール"

    def sent(self, notice_id: int, status: str) -> None:
        with self.store.write() as s:
            notice = s.get(NotifyNotice, notice_id)
            if notice is not None and notice.status in ("queued", "sent"):
                notice.status = status
                if status == "sent":
                    notice.sent_at = clock_now()
