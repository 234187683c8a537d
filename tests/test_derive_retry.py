"""A message whose mapping failed is tried again by the running derive stage, with backoff, and the
failure is visible meanwhile (its row with the reason, a counter, a log line); readers of mapped
forms other than the message status — ``chipla replay`` — catch up first too."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from connexion.json_schema import Draft4ResponseValidator
from prometheus_client import REGISTRY
from sqlalchemy import insert, select

import api_specs
import mappings
from adapters.inbound.console import detail
from broker import messages
from broker.clock import now
from broker.derive import Deriver, retry_delay
from broker.models import DeriveFailure
from broker.services.jumin.replay import ReplayRefused, replay
from broker.store import Store
from chipla import cli
from tests.test_derive import SERVICES, _mapped_per_message, _store_underived


class BrokenMapping:
    """The jumin service with a mapping that raises while `broken` is set."""

    def __init__(self) -> None:
        self.inner = SERVICES["jumin"]
        self.id, self.mapping_ids = self.inner.id, self.inner.mapping_ids
        self.broken = True
        self.calls = 0

    def map(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        self.calls += 1
        if self.broken:
            raise RuntimeError(f"IMI mapping broke on {body['ido']['jumin']['shimei']['shimei']}")
        return self.inner.map(body)


class Catalog:
    def __init__(self, *services: Any) -> None:
        self.services = {s.id: s for s in services}

    def __iter__(self) -> Iterator[Any]:
        return iter(self.services.values())

    def get(self, service_id: str) -> Any:
        return self.services.get(service_id)


def _failures(store: Store) -> dict[int, DeriveFailure]:
    with store.read() as s:
        return {f.message_seq: f for f in s.execute(select(DeriveFailure)).scalars()}


def _failed_count() -> float:
    return REGISTRY.get_sample_value("chipla_derive_failures_total", {"service": "jumin"}) or 0.0


def test_the_delay_doubles_from_the_first_up_to_the_cap() -> None:
    assert [retry_delay(n) for n in range(1, 10)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert retry_delay(500, first=0.5, cap=2) == 2


class Lines(logging.Handler):
    """The derive stage's log lines, caught on its own logger (whatever filters the root's handlers hold)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def derive_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    logger = logging.getLogger("broker.derive")
    monkeypatch.setattr(logger, "disabled", False)
    monkeypatch.setattr(logger, "level", logging.INFO)
    lines = Lines()
    logger.addHandler(lines)
    yield lines.lines
    logger.removeHandler(lines)


def test_a_failed_mapping_is_retried_by_the_running_stage_until_it_succeeds(
        store: Store, derive_log: list[str]) -> None:
    receipts = _store_underived(store, 2, seed=31)
    flaky = BrokenMapping()
    deriver = Deriver(store, Catalog(flaky), sweep_seconds=0.05, retry_first_seconds=0.2,  # type: ignore[arg-type]
                      retry_cap_seconds=0.4)
    counted = _failed_count()
    deriver.start()
    try:
        waiting = threading.Event()
        for _ in range(300):  # the running stage tries again: no restart
            failures = _failures(store)
            if len(failures) == 2 and all(f.attempts >= 3 for f in failures.values()):
                break
            waiting.wait(0.02)
        failures = _failures(store)
        assert sorted(failures) == [r.seq for r in receipts]
        for failure in failures.values():
            assert failure.attempts >= 3 and failure.error.startswith("RuntimeError: IMI mapping broke on")
            gap = (failure.next_attempt_at - failure.failed_at).total_seconds()
            assert gap == pytest.approx(retry_delay(failure.attempts, 0.2, 0.4))
        assert _mapped_per_message(store) == {}
        assert _failed_count() - counted >= 6
        assert any(f"deriving message {receipts[0].seq} (jumin) failed, attempt 2" in line for line in derive_log)
        flaky.broken = False  # the mapping is fixed: the next attempt stores the mapped form
        for _ in range(300):
            if len(_mapped_per_message(store)) == 2:
                break
            waiting.wait(0.02)
    finally:
        deriver.stop()
    assert _mapped_per_message(store) == {r.seq: 1 for r in receipts}
    assert _failures(store) == {}
    assert any(line.startswith(f"message {receipts[0].seq} derived after ") for line in derive_log)


def test_failed_messages_wait_for_their_time_but_a_new_process_tries_them_at_once(store: Store) -> None:
    receipt = _store_underived(store, 1, seed=32)[0]
    flaky = BrokenMapping()
    first = Deriver(store, Catalog(flaky), retry_first_seconds=600)  # type: ignore[arg-type]
    first.retry_due()  # a process's first pass: nothing failed yet
    assert first.derive_batch() == 1 and flaky.calls == 1
    assert first.derive_batch() == 0 and first.retry_due() == 0 and flaky.calls == 1, "not due for 600 s"
    assert _failures(store)[receipt.seq].attempts == 1
    flaky.broken = False
    restarted = Deriver(store, Catalog(flaky), retry_first_seconds=600)  # type: ignore[arg-type]
    assert restarted.retry_due() == 1
    assert _mapped_per_message(store) == {receipt.seq: 1} and _failures(store) == {}


def test_the_console_detail_catches_up_and_shows_why_a_mapping_failed(store: Store) -> None:
    derived, failed = _store_underived(store, 2, seed=33)
    with store.write() as s:
        s.execute(insert(DeriveFailure).values(message_seq=failed.seq, attempts=2, error="KeyError: '山田 花子'",
                                               failed_at=now(), next_attempt_at=now() + timedelta(seconds=60)))
    deriver = Deriver(store, SERVICES)  # not started: only the reader's catch-up runs
    assert detail.message(store, derived.receipt_id, masked=True).mapped == []  # type: ignore[union-attr]
    view = detail.message(store, derived.receipt_id, masked=True, catch_up=deriver.catch_up)
    assert view is not None and [m["mapping_id"] for m in view.mapped] == ["ido-imi"]
    assert view.mapping_failure is None
    shown = detail.message(store, failed.receipt_id, masked=True, catch_up=deriver.catch_up)
    assert shown is not None and shown.mapped == []
    assert shown.mapping_failure is not None and shown.mapping_failure["attempts"] == 2
    assert shown.mapping_failure["error"] == "KeyError (詳細は伏せています)"
    unmasked = detail.message(store, failed.receipt_id, masked=False)
    assert unmasked is not None and unmasked.mapping_failure is not None
    assert unmasked.mapping_failure["error"] == "KeyError: '山田 花子'"
    status = messages.status(store, failed.receipt_id, deriver.catch_up)
    assert status["mapped"] == [] and status["mappingFailure"]["attempts"] == 2
    assert status["mappingFailure"]["error"] == "KeyError", "the API names the kind, never the quoted value"
    assert messages.status(store, derived.receipt_id)["mappingFailure"] is None
    described = Draft4ResponseValidator(api_specs.openapi_document()["components"]["schemas"]["MessageStatus"])
    assert not [e.message for e in described.iter_errors(status)], "the status is what the OpenAPI document says"


def test_replay_compares_with_the_stored_form_of_messages_not_derived_yet(store: Store) -> None:
    receipts = _store_underived(store, 3, seed=34)
    specs = mappings.registry()
    with pytest.raises(ReplayRefused):  # without catching up there is nothing to compare v1 with
        replay(store, specs, "ido-imi", "1")
    report = replay(store, specs, "ido-imi", "1", catch_up=Deriver(store, SERVICES).catch_up)
    assert (report.messages, report.changed) == (3, 0)
    assert _mapped_per_message(store) == {r.seq: 1 for r in receipts}


def test_the_replay_command_catches_up_first(store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _store_underived(store, 2, seed=35)
    monkeypatch.setenv("CHIPLA_DB_URL", db_url)
    assert cli.main(["replay", "--mapping", "ido-imi", "--to", "1"]) == 0
    assert "compared 2 (2 messages, 0 imported records), 0 would change" in capsys.readouterr().out
