"""Double opt-in, one-click unsubscribe, export, change and erase — through the REST door."""

from __future__ import annotations

import httpx

from broker.services.notify.events import Reading
from simulators.sandbox import LG, RunningHub
from tests.notify.support import (
    GAUGE,
    admin,
    at,
    link_in,
    service,
    sink,
    subscribe,
    token_of,
    wait_mail,
    water,
)


def test_pending_address_gets_only_the_confirmation(notify_hub: RunningHub) -> None:
    address = "pending@example.jp"
    r = httpx.post(f"{notify_hub.url}/api/v1/notify/subscriptions",
                   json={"lgCode": LG, "email": address, "topics": [{"kind": "water_gauge", "key": GAUGE}]})
    assert r.status_code == 202
    assert len(wait_mail(notify_hub, address, 1)) == 1
    service(notify_hub).observe(water(1.05, at(14, 0)))
    subscribe(notify_hub, "active@example.jp", [{"kind": "water_gauge", "key": GAUGE}])
    service(notify_hub).observe(water(1.35, at(14, 10)))
    assert len(wait_mail(notify_hub, "active@example.jp", 2)) == 2  # confirmation + 避難判断水位
    assert [str(m["subject"]) for m in sink(notify_hub).to(address)] == ["【木曽岬町】メール配信の登録確認"]


def test_confirmation_link_page_changes_nothing_and_a_forged_token_is_refused(notify_hub: RunningHub) -> None:
    address = "scanner@example.jp"
    httpx.post(f"{notify_hub.url}/api/v1/notify/subscriptions",
               json={"lgCode": LG, "email": address, "topics": [{"kind": "gomi_area", "key": "加路戸"}]})
    link = link_in(wait_mail(notify_hub, address, 1)[0], "/api/v1/notify/confirm")
    page = httpx.get(link)
    assert page.status_code == 200 and "登録を確定する" in page.text
    listing = httpx.get(f"{notify_hub.url}/api/v1/notify/subscribers", headers=admin(notify_hub)).json()
    residents = [s for s in listing["subscribers"] if s["role"] == "resident"]
    assert [(s["status"], s["email"]) for s in residents] == [("pending", "sc***@example.jp")]
    forged = token_of(link)[:-3] + "abc"
    r = httpx.post(f"{notify_hub.url}/api/v1/notify/confirm", params={"token": forged})
    assert r.status_code == 401 and r.json()["code"] == "2002"
    unsub_token = service(notify_hub).tokens.make("unsubscribe", 1)
    r = httpx.post(f"{notify_hub.url}/api/v1/notify/confirm", params={"token": unsub_token})
    assert r.status_code == 401, "a token of another purpose must not confirm"


def test_one_click_unsubscribe_stops_all_later_mail(notify_hub: RunningHub) -> None:
    address = "leaver@example.jp"
    subscribe(notify_hub, address, [{"kind": "water_gauge", "key": GAUGE}])
    svc = service(notify_hub)
    svc.observe(water(1.05, at(14, 0)))
    mails = wait_mail(notify_hub, address, 2)
    warning = mails[-1]
    assert warning["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(warning["List-Unsubscribe"]).strip("<>")
    # what a mail program does for RFC 8058: POST the form field to the URL, nothing else
    r = httpx.post(url, data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and r.json() == {"status": "unsubscribed"}
    assert httpx.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # same answer again
    svc.observe(water(1.35, at(14, 10)))
    svc.observe(water(1.65, at(14, 20)))
    other = "stayer@example.jp"
    subscribe(notify_hub, other, [{"kind": "water_gauge", "key": GAUGE}])
    svc.observe(water(0.2, at(16, 0)))
    svc.observe(water(1.05, at(17, 0)))
    assert len(wait_mail(notify_hub, other, 2)) == 2  # the stayer's warning arrived …
    assert len(sink(notify_hub).to(address)) == 2  # … and the leaver got nothing after unsubscribing


def test_person_exports_changes_and_erases(notify_hub: RunningHub) -> None:
    address = "owner@example.jp"
    subscribe(notify_hub, address, [{"kind": "gomi_area", "key": "和泉"}])
    r = httpx.post(f"{notify_hub.url}/api/v1/notify/manage-link", json={"lgCode": LG, "email": address})
    assert r.status_code == 202
    link = link_in(wait_mail(notify_hub, address, 2)[-1], "/api/v1/notify/me")
    token = token_of(link)
    me = httpx.get(f"{notify_hub.url}/api/v1/notify/me", params={"token": token}).json()
    assert me["email"] == address and me["status"] == "active"
    assert me["topics"] == [{"kind": "gomi_area", "key": "和泉"}]
    assert {n["kind"] for n in me["notices"]} == {"confirm", "manage"}
    r = httpx.put(f"{notify_hub.url}/api/v1/notify/me/topics", params={"token": token},
                  json={"topics": [{"kind": "bus_stop", "key": "5_01"}, {"kind": "gomi_area", "key": "見入"}]})
    assert r.status_code == 200
    assert r.json()["topics"] == [{"kind": "bus_stop", "key": "5_01"}, {"kind": "gomi_area", "key": "見入"}]
    assert httpx.delete(f"{notify_hub.url}/api/v1/notify/me", params={"token": token}).status_code == 204
    assert httpx.get(f"{notify_hub.url}/api/v1/notify/me", params={"token": token}).status_code == 404
    listing = httpx.get(f"{notify_hub.url}/api/v1/notify/subscribers", headers=admin(notify_hub)).json()
    assert [s["role"] for s in listing["subscribers"]] == ["operator"]


def test_known_address_is_not_revealed_and_bad_input_is_refused(notify_hub: RunningHub) -> None:
    address = "twice@example.jp"
    subscribe(notify_hub, address, [{"kind": "gomi_area", "key": "和泉"}])
    r = httpx.post(f"{notify_hub.url}/api/v1/notify/subscriptions",
                   json={"lgCode": LG, "email": address, "topics": [{"kind": "gomi_area", "key": "栄"}]})
    fresh = httpx.post(f"{notify_hub.url}/api/v1/notify/subscriptions",
                       json={"lgCode": LG, "email": "new@example.jp", "topics": [{"kind": "gomi_area", "key": "栄"}]})
    assert (r.status_code, r.json()) == (fresh.status_code, fresh.json())
    for bad in ("not-an-address", "a@b", "x@example.jp\r\nBcc: victim@example.jp"):
        r = httpx.post(f"{notify_hub.url}/api/v1/notify/subscriptions",
                       json={"lgCode": LG, "email": bad, "topics": [{"kind": "gomi_area", "key": "栄"}]})
        assert r.status_code in (400, 422), (bad, r.text)
    r = httpx.post(f"{notify_hub.url}/api/v1/notify/subscriptions",
                   json={"lgCode": LG, "email": "g@example.jp", "topics": [{"kind": "gate_tag", "key": "ab" * 8}]})
    assert r.status_code == 400, "a guardian cannot link a gate tag by themselves"
    r = httpx.post(f"{notify_hub.url}/api/v1/notify/subscriptions",
                   json={"lgCode": "131016", "email": "g@example.jp", "topics": [{"kind": "gomi_area", "key": "栄"}]})
    assert r.status_code == 404


def test_a_topic_no_rule_of_the_town_can_mail_is_refused_with_what_there_is(notify_hub: RunningHub) -> None:
    """A misspelt 大字 or a stop the town's bus does not serve would be a subscription that never hears."""
    for kind, key, listed in (("gomi_area", "加路渡", "加路戸"), ("bus_stop", "99_01", "10_01"),
                              ("bus_route", "nishi", "minami"), ("water_gauge", "wl-nowhere", "wl-karoto-01"),
                              ("farm_site", "gh-x", "gh-kenniyu-01")):
        r = httpx.post(f"{notify_hub.url}/api/v1/notify/subscriptions",
                       json={"lgCode": LG, "email": "typo@example.jp", "topics": [{"kind": kind, "key": key}]})
        assert r.status_code == 400 and key in r.text and listed in r.text, (kind, r.text)
    assert sink(notify_hub).to("typo@example.jp") == [], "nothing stored, nothing mailed"
    address = "mover@example.jp"
    subscribe(notify_hub, address, [{"kind": "gomi_area", "key": "和泉"}])
    r = httpx.post(f"{notify_hub.url}/api/v1/notify/manage-link", json={"lgCode": LG, "email": address})
    token = token_of(link_in(wait_mail(notify_hub, address, 2)[-1], "/api/v1/notify/me"))
    r = httpx.put(f"{notify_hub.url}/api/v1/notify/me/topics", params={"token": token},
                  json={"topics": [{"kind": "gomi_area", "key": "見入"}, {"kind": "bus_stop", "key": "0_00"}]})
    assert r.status_code == 400 and "0_00" in r.text
    me = httpx.get(f"{notify_hub.url}/api/v1/notify/me", params={"token": token}).json()
    assert me["topics"] == [{"kind": "gomi_area", "key": "和泉"}], "a refused change changes nothing"


def test_unused_reading_kinds_are_ignored(notify_hub: RunningHub) -> None:
    assert service(notify_hub).observe(Reading(LG, "ap-shelter-01", "wifi_ap", at(9), {"clients": 3})) == 0
