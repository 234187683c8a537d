"""Water level: two mails for a rain event crossing 氾濫注意 then 避難判断, none on the way down, one
again after a full reset; the highest level is named; a silent gauge alerts operators only."""

from __future__ import annotations

from datetime import timedelta

from simulators.sandbox import RunningHub
from tests.notify.support import GAUGE, at, body_text, service, sink, subscribe, wait_mail, water
from tests.wait import until

OPERATOR = "bousai@town.kisosaki.example"

# 加路戸 排水路: 水防団待機 0.70, 氾濫注意 1.00, 避難判断 1.30, 氾濫危険 1.60 m; margin 0.10 m
RISE = [0.30, 0.45, 0.60, 0.72, 0.85, 0.97, 1.04, 1.12, 1.22, 1.31, 1.27, 1.33, 1.29]
FALL = [1.18, 1.05, 0.96, 0.88, 0.74, 0.62, 0.50, 0.40]


def test_rain_event_two_mails_none_down_one_after_reset(notify_hub: RunningHub) -> None:
    people = ["a@example.jp", "b@example.jp"]
    for p in people:
        subscribe(notify_hub, p, [{"kind": "water_gauge", "key": GAUGE}])
    svc = service(notify_hub)
    t = at(13, 0)
    for level in RISE + FALL:
        svc.observe(water(level, t))
        t += timedelta(minutes=10)
    for p in people:
        mails = wait_mail(notify_hub, p, 3)
        subjects = [str(m["subject"]) for m in mails[1:]]
        assert subjects == ["【木曽岬町】加路戸 排水路 氾濫注意水位を超えました",
                            "【木曽岬町】加路戸 排水路 避難判断水位を超えました"], subjects
        text = body_text(mails[2])
        assert "観測水位: 1.31m" in text
        assert text.index("氾濫危険水位: 1.60m") < text.index("水防団待機水位: 0.70m")  # listed high → low
    # full reset (below 0.70 − 0.10), then the water rises again: one mail again
    for level in (0.55, 0.90, 1.02):
        svc.observe(water(level, t))
        t += timedelta(minutes=10)
    for p in people:
        mails = wait_mail(notify_hub, p, 4)
        assert len(mails) == 4
        assert "氾濫注意水位を超えました" in str(mails[3]["subject"])

    def operator_level_1() -> int:  # the operator's mails go out on their own; they may land after the residents'
        return sum("水防団待機水位" in str(m["subject"]) for m in sink(notify_hub).to(OPERATOR))

    until(lambda: operator_level_1() >= 2, what="the operator's second level-1 mail")
    assert operator_level_1() == 2  # operators hear level 1, residents never
    assert not any("水防団待機水位を超えました" in str(m["subject"]) for p in people for m in sink(notify_hub).to(p))


def test_jump_to_the_top_names_the_highest_level_only(notify_hub: RunningHub) -> None:
    subscribe(notify_hub, "c@example.jp", [{"kind": "water_gauge", "key": GAUGE}])
    service(notify_hub).observe(water(1.65, at(3, 0)))  # at night: flood warnings are urgent
    mails = wait_mail(notify_hub, "c@example.jp", 2)
    assert [str(m["subject"]) for m in mails[1:]] == ["【木曽岬町】加路戸 排水路 氾濫危険水位を超えました"]
    assert "避難指示（警戒レベル4相当）" in body_text(mails[1])


def test_silent_gauge_alerts_operators_only(notify_hub: RunningHub) -> None:
    subscribe(notify_hub, "d@example.jp", [{"kind": "water_gauge", "key": GAUGE}])
    svc = service(notify_hub)
    svc.observe(water(0.40, at(10, 0)))
    svc.tick(at(10, 20))
    svc.tick(at(10, 45))  # 45 minutes without a reading from either gauge
    svc.tick(at(11, 30))  # still silent: no second alert
    stale = wait_mail(notify_hub, OPERATOR, 2)
    subjects = [str(m["subject"]) for m in stale]
    assert sum("加路戸 排水路 から" in s for s in subjects) == 1, subjects
    assert len(sink(notify_hub).to("d@example.jp")) == 1  # the confirmation only
