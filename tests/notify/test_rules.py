"""Bus delay, みまもり, farm limits and ごみ reminders, each through a running hub to the SMTP sink."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from broker.services.notify.events import Reading
from broker.services.notify.service import NotifyService
from simulators.sandbox import LG, RunningHub
from tests.notify.support import admin, at, body_text, service, sink, subscribe, wait_mail

# The town's published bus (towndata/243035/bus/feed.yaml), 北回り trip kita_0930: 役場前 09:30,
# 和泉 09:34, 見入 09:37, 加路戸 09:41, 新加路戸 09:44, 栄 09:50, 役場前 09:55 (a loop)


def stop_pass(stop: str, hh: int, mm: int, trip: str = "kita_0930") -> Reading:
    return Reading(LG, "bus-01-door", "bus_stop_pass", at(hh, mm), {},
                   {"tripId": trip, "stopId": stop, "event": "departure"})


def drive(svc: NotifyService, *passes: Reading) -> None:
    """Each pass is handled at its own time, as the door reports it live: quiet hours and the rate
    limit then see the bus's hour, not the hour the tests happen to run (a bus delay is not urgent)."""
    for p in passes:
        svc.observe_many([p], now=p.at)


def test_delayed_bus_mails_each_subscriber_once_before_their_stop(notify_hub: RunningHub) -> None:
    route, ahead, passed, other = "route@example.jp", "sakae@example.jp", "izumi@example.jp", "late@example.jp"
    south = "wado@example.jp"
    subscribe(notify_hub, route, [{"kind": "bus_route", "key": "kita"}])
    subscribe(notify_hub, ahead, [{"kind": "bus_stop", "key": "6_01"}])
    subscribe(notify_hub, passed, [{"kind": "bus_stop", "key": "5_01"}])
    subscribe(notify_hub, other, [{"kind": "bus_stop", "key": "3_01"}])
    subscribe(notify_hub, south, [{"kind": "bus_stop", "key": "7_01"}])  # 和富: 南回り only
    svc = service(notify_hub)
    drive(svc, stop_pass("1_01", 9, 31),  # 1 minute late: below the rule's 5 minutes
          stop_pass("5_01", 9, 36),
          stop_pass("4_01", 9, 45),  # 8 minutes late at 見入
          stop_pass("2_01", 9, 49),  # later stops: the same trip mails nobody again
          stop_pass("3_01", 9, 52))
    for address in (route, ahead, other):
        mails = wait_mail(notify_hub, address, 2)
        assert len(mails) == 2, address
        assert str(mails[1]["subject"]) == "【木曽岬町】町内バス 北回り 09:30発の便が約8分遅れています"
    text = body_text(wait_mail(notify_hub, ahead, 2)[1])
    assert "栄  09:58ごろ（時刻表 09:50）" in text and "役場前  10:03ごろ（時刻表 09:55）" in text
    assert "和泉" not in text.split("到着見込み")[1]  # stops already passed are not listed
    assert len(sink(notify_hub).to(passed)) == 1, "the bus had passed 和泉: no mail for its subscriber"
    assert len(sink(notify_hub).to(south)) == 1, "a stop of another route hears nothing"
    kpi = httpx.get(f"{notify_hub.url}/api/v1/notify/kpi", headers=admin(notify_hub)).json()
    assert kpi["busDelayNotices"] == 3 and kpi["busSubscribers"] == 5


def test_a_loop_back_at_its_first_stop_is_the_last_call_not_a_late_start(notify_hub: RunningHub) -> None:
    subscribe(notify_hub, "loop@example.jp", [{"kind": "bus_route", "key": "kita"}])
    svc = service(notify_hub)
    drive(svc, stop_pass("1_01", 12, 30, trip="kita_1230"),
          stop_pass("6_01", 12, 51, trip="kita_1230"),
          stop_pass("1_01", 12, 58, trip="kita_1230"),  # 3 minutes late at the end, not 28 at the start
          stop_pass("1_01", 15, 31, trip="kita_1530"),  # and the next trip's start is its start
          stop_pass("5_01", 15, 41, trip="kita_1530"))  # 7 minutes late at 和泉: mailed
    mails = wait_mail(notify_hub, "loop@example.jp", 2)
    assert [str(m["subject"]) for m in mails[1:]] == ["【木曽岬町】町内バス 北回り 15:30発の便が約7分遅れています"]


def test_guardian_never_receives_another_childs_pass(notify_hub: RunningHub) -> None:
    tag_a, tag_b = "a1" * 8, "b2" * 8
    links = {"mother-a@example.jp": tag_a, "father-b@example.jp": tag_b}
    for address, tag in links.items():
        r = httpx.post(f"{notify_hub.url}/api/v1/notify/guardian-links", headers={**admin(notify_hub),
                       "X-Chipla-Operator": "kyoiku-01"}, json={"lgCode": LG, "email": address, "tagId": tag})
        assert r.status_code == 201, r.text
        assert r.json()["createdBy"] == "admin/kyoiku-01" and r.json()["subscriberStatus"] == "pending"
        mail = wait_mail(notify_hub, address, 1)[0]
        token = body_text(mail).split("token=")[1].split()[0]
        assert httpx.post(f"{notify_hub.url}/api/v1/notify/confirm", params={"token": token}).status_code == 200
    r = httpx.post(f"{notify_hub.url}/api/v1/notify/guardian-links",
                   json={"lgCode": LG, "email": "x@example.jp", "tagId": tag_a})
    assert r.status_code == 401, "only an operator links a guardian"
    svc = service(notify_hub)
    gate = "gate-school-01"
    for minute in (40, 41, 43):  # one child lingering at the gate: one pass
        svc.observe(Reading(LG, gate, "gate_pass", at(7, minute), {}, {"tagId": tag_a, "direction": "in"}))
    svc.observe(Reading(LG, gate, "gate_pass", at(7, 44), {}, {"tagId": tag_b, "direction": "in"}))
    svc.observe(Reading(LG, gate, "gate_pass", at(15, 10), {}, {"tagId": tag_a, "direction": "out"}))
    a = wait_mail(notify_hub, "mother-a@example.jp", 3)
    b = wait_mail(notify_hub, "father-b@example.jp", 2)
    expected = "【木曽岬町 みまもり】通学路ゲート 小学校前を通過しました（{}）"
    assert [str(m["subject"]) for m in a[1:]] == [expected.format(at(7, 40).strftime("%m月%d日 %H:%M")),
                                                   expected.format(at(15, 10).strftime("%m月%d日 %H:%M"))]
    assert len(b) == 2 and at(7, 44).strftime("%H:%M") in str(b[1]["subject"])
    for m in a + b:
        assert tag_a not in m.as_string() and tag_b not in m.as_string()  # no tag id in any mail


def test_quiet_hours_hold_gomi_but_not_a_flood_warning(notify_hub: RunningHub) -> None:
    address = "night@example.jp"
    subscribe(notify_hub, address, [{"kind": "gomi_area", "key": "加路戸"},
                                    {"kind": "water_gauge", "key": "wl-karoto-01"}])
    svc = service(notify_hub)
    night = at(22, 30, day=(7 - at(0).weekday()) % 7 - 1)  # the evening before a Monday (燃やすごみ in 加路戸)
    svc.tick(night)
    svc.observe_many([Reading(LG, "wl-karoto-01", "water_level", night, {"waterLevel": 1.05})], now=night)
    mails = wait_mail(notify_hub, address, 2)
    assert "氾濫注意水位を超えました" in str(mails[1]["subject"])
    log = httpx.get(f"{notify_hub.url}/api/v1/notify/notices", params={"kind": "gomi"}, headers=admin(notify_hub))
    held = [n for n in log.json()["notices"] if n["to"] == "ni***@example.jp"]
    assert len(held) == 1 and held[0]["status"] == "queued" and held[0]["sentAt"] is None
    assert held[0]["notBefore"].startswith((night + timedelta(days=1)).strftime("%Y-%m-%dT07:00:00"))
    assert held[0]["title"].startswith("【木曽岬町】明日") and "燃やすごみ" in held[0]["title"]
    assert not any("燃やすごみ" in str(m["subject"]) for m in sink(notify_hub).to(address))


def _sunday_before_a_plain_monday() -> datetime:
    """A Monday 燃やすごみ is collected in 北部 (加路戸) and nothing in 中部 (栄), whose 資源 is on the 1st
    and 3rd Monday; not in the centre's closure (12/31–1/3)."""
    for d in range(35):
        sunday = at(17, 0, day=d)
        monday = sunday + timedelta(days=1)
        if sunday.weekday() == 6 and (monday.day - 1) // 7 + 1 not in (1, 3) and (monday.month, monday.day) != (12, 31):
            return sunday
    raise AssertionError("no such Sunday in five weeks")


def test_gomi_reminder_in_the_evening_to_the_area_only(notify_hub: RunningHub) -> None:
    subscribe(notify_hub, "karoto@example.jp", [{"kind": "gomi_area", "key": "加路戸"}])
    subscribe(notify_hub, "sakae@example.jp", [{"kind": "gomi_area", "key": "栄"}])
    svc = service(notify_hub)
    sunday = _sunday_before_a_plain_monday()
    svc.tick(sunday)  # before 18:00: nothing yet
    svc.tick(sunday.replace(hour=18, minute=0))
    svc.tick(sunday.replace(hour=18, minute=30))  # a second tick the same evening adds nothing
    mails = wait_mail(notify_hub, "karoto@example.jp", 2)
    assert len(mails) == 2 and "燃やすごみ" in str(mails[1]["subject"])
    assert len(sink(notify_hub).to("sakae@example.jp")) == 1  # 栄 (中部) has no collection that Monday


def test_farm_limits_mail_the_producer_once_per_excursion_and_digest_a_burst(notify_hub: RunningHub) -> None:
    producer = "farmer@example.jp"
    subscribe(notify_hub, producer, [{"kind": "farm_site", "key": "gh-kenniyu-01"}])
    svc = service(notify_hub)
    t = at(11, 0)
    # 8 excursions within the hour: 6 are mailed (the town's ratePerHour), 2 wait for the digest
    for i in range(8):
        svc.observe_many([Reading(LG, "gh-kenniyu-01", "greenhouse", t, {"temperature": 36.0 + i % 2 * 0.5})], now=t)
        svc.observe_many([Reading(LG, "gh-kenniyu-01", "greenhouse", t + timedelta(minutes=2),
                                  {"temperature": 30.0})], now=t + timedelta(minutes=2))
        t += timedelta(minutes=5)
    svc.observe_many([Reading(LG, "gh-kenniyu-01", "greenhouse", t, {"temperature": 34.9})], now=t)  # inside
    mails = wait_mail(notify_hub, producer, 7)
    assert len(mails) == 7
    assert str(mails[1]["subject"]) == "【木曽岬町】見入 ハウス ハウス内温度が35℃を上回りました"
    svc.tick(t + timedelta(minutes=31))
    digest = wait_mail(notify_hub, producer, 8)[-1]
    assert str(digest["subject"]) == "【木曽岬町】お知らせ2件のまとめ"
    kpi = httpx.get(f"{notify_hub.url}/api/v1/notify/kpi", headers=admin(notify_hub)).json()
    assert kpi["farmProducers"] == 1 and kpi["noticesSentByKind"]["farm"] == 6
