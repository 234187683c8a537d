"""The console over HTTP as a browser or an attacker would send it: sign-in, cookie flags, CSRF,
roles, masking in the page, audited unmask, exact subject search, reprocess, hostile forms."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from sqlalchemy import insert, select

from broker.clock import now
from broker.models import AuditEntry, DeriveFailure
from broker.operators import OperatorStore
from broker.services.sensors.devices import DeviceRegistry
from procurement import kpi, register
from simulators import demo_zei
from tests.console import gauges
from tests.console.helpers import People, Traffic, add_people, csrf_of, dead_letter_and_quarantine, sign_in
from tests.notify.support import subscribe
from tests.support import RunningHub, sqlite_url, start_hub
from tests.test_derive import _store_underived


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningHub, People, Traffic]]:
    hub = start_hub(sqlite_url(tmp_path_factory.mktemp("console-http")))
    people = add_people(hub)
    traffic = dead_letter_and_quarantine(hub)
    gauges.backfill(hub.parts.store)
    yield hub, people, traffic
    hub.stop()


def personal_values(traffic: Traffic) -> list[str]:
    r = traffic.resident
    return [r["shimei"]["shimei"], r["shimei"]["shimeiKana"], r["shikibetsu"]["kojinBango"],
            r["shikibetsu"]["atenaNo"]]


def test_signed_out_goes_to_sign_in_and_cookie_is_strict(running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, _ = running
    anonymous = httpx.Client(base_url=hub.url, timeout=30)
    for path in ("/console/", "/console/messages", "/console/kpi", "/console/users"):
        answer = anonymous.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
    token = csrf_of(anonymous.get("/console/login").text)
    wrong = anonymous.post("/console/login", data={"csrf": token, "username": people.viewer[0], "password": "x" * 20})
    assert wrong.status_code == 401 and "ユーザー名またはパスワードが違います" in wrong.text
    right = anonymous.post("/console/login", data={"csrf": token, "username": people.viewer[0],
                                                   "password": people.viewer[1]}, follow_redirects=False)
    cookie = right.headers["set-cookie"].lower()
    assert right.status_code == 303 and "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie  # plain HTTP on loopback; over TLS the cookie is Secure
    assert "content-security-policy" in anonymous.get("/console/").headers


def test_csrf_token_is_required_on_every_form(running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, traffic = running
    anonymous = httpx.Client(base_url=hub.url, timeout=30)
    anonymous.get("/console/login")
    refused = anonymous.post("/console/login", data={"csrf": "forged", "username": people.admin[0],
                                                     "password": people.admin[1]})
    assert refused.status_code == 403 and "CSRF" in refused.text and "set-cookie" not in refused.headers
    operator = sign_in(hub, *people.operator)
    dead = re.search(r'/console/deliveries/(\d+)/retry', operator.get(f"/console/messages/{traffic.receipt_id}").text)
    assert dead
    for data in ({"receipt_id": traffic.receipt_id}, {"csrf": "", "receipt_id": traffic.receipt_id},
                 {"csrf": csrf_of(sign_in(hub, *people.viewer).get("/console/").text)}):
        answer = operator.post(f"/console/deliveries/{dead.group(1)}/retry", data=data)
        assert answer.status_code == 403 and "CSRF" in answer.text


def test_viewer_never_sees_personal_values_and_cannot_act(running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, traffic = running
    viewer = sign_in(hub, *people.viewer)
    pages = [viewer.get(p).text for p in (
        "/console/", "/console/messages", f"/console/messages/{traffic.receipt_id}",
        f"/console/quarantine/{traffic.quarantine_id}", "/console/messages?kind=quarantine")]
    for page_html in pages:
        for value in personal_values(traffic):
            assert value not in page_html
    detail = pages[2]
    assert "＊＊＊" in detail and "/unmask" not in detail and "/retry" not in detail
    token = csrf_of(detail)
    assert viewer.post(f"/console/messages/{traffic.receipt_id}/unmask",
                       data={"csrf": token, "reason": "見たいから"}).status_code == 403
    assert viewer.get("/console/users").status_code == 403


def test_operator_unmasks_with_a_reason_and_it_is_audited(running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, traffic = running
    operator = sign_in(hub, *people.operator)
    url = f"/console/messages/{traffic.receipt_id}"
    token = csrf_of(operator.get(url).text)
    no_reason = operator.post(f"{url}/unmask", data={"csrf": token, "reason": " "})
    assert "理由" in no_reason.text and traffic.resident["shimei"]["shimei"] not in no_reason.text
    shown = operator.post(f"{url}/unmask", data={"csrf": token, "reason": "住民からの問い合わせ 12-345"})
    assert shown.status_code == 200 and traffic.resident["shimei"]["shimei"] in shown.text
    with hub.parts.store.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "console.unmasked")).scalars().one()
    assert (entry.actor, entry.subject, entry.detail["reason"]) == (
        people.operator[0], traffic.receipt_id, "住民からの問い合わせ 12-345")
    assert traffic.resident["shimei"]["shimei"] not in operator.get(url).text  # only that one answer


def test_subject_key_search_is_exact_and_never_from_the_url(running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, traffic = running
    viewer = sign_in(hub, *people.viewer)
    token = csrf_of(viewer.get("/console/messages").text)
    atena = traffic.resident["shikibetsu"]["atenaNo"]

    def found(subject: str) -> list[str]:
        html = viewer.post("/console/messages", data={"csrf": token, "subject_key": subject}).text
        return re.findall(r'href="/console/messages/([0-9a-f-]{36})"', html)

    assert found(atena) == [traffic.receipt_id]
    assert found(atena[:-1]) == [] and found(atena[:3] + "%") == []
    by_url = viewer.get("/console/messages", params={"subject_key": "no-such-key"}).text
    assert traffic.receipt_id in by_url  # the URL parameter is ignored, not searched
    dead = viewer.get("/console/messages", params={"kind": "dead", "destination": "kaigo"}).text
    assert traffic.receipt_id in dead and "デッドレター 1 件" in dead


def test_reprocess_after_correction(running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, traffic = running
    operator = sign_in(hub, *people.operator)
    url = f"/console/quarantine/{traffic.quarantine_id}"
    token = csrf_of(operator.get(url).text)
    opened = operator.post(f"{url}/unmask", data={"csrf": token, "reason": "修正のため"}).text
    original = re.search(r'<textarea id="corrected"[^>]*>(.*?)</textarea>', opened, re.S)
    assert original
    text = html.unescape(original.group(1))
    still_bad = operator.post(f"{url}/reprocess", data={"csrf": token, "reason": "修正のため", "corrected": text})
    assert still_bad.status_code == 200 and "再処理できません" in still_bad.text
    corrected = re.sub(r"(seibetsu>)7(<)", r"\g<1>1\g<2>", text)
    done = operator.post(f"{url}/reprocess", data={"csrf": token, "reason": "修正のため", "corrected": corrected})
    assert done.status_code == 303
    receipt = done.headers["location"].rsplit("/", 1)[1]
    assert "配信" in operator.get(done.headers["location"]).text
    assert receipt in operator.get(url).text  # the quarantine entry links to what it became


def test_replay_through_a_candidate_mapping_shows_the_field_diff(running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, traffic = running
    operator = sign_in(hub, *people.operator)
    url = f"/console/messages/{traffic.receipt_id}"
    token = csrf_of(operator.get(url).text)
    answer = operator.post(f"{url}/replay", data={"csrf": token, "mapping_id": "jumin-imi", "version": "2"})
    assert answer.status_code == 200
    caption = re.search(r"<caption>jumin-imi: (.*?) の差分 \((\d+) 項目\)</caption>", answer.text)
    assert caption and caption.group(1) == "v1 → v2" and int(caption.group(2)) > 0
    assert traffic.resident["shimei"]["shimei"] not in answer.text  # values stay masked in the diff
    unknown = operator.post(f"{url}/replay", data={"csrf": token, "mapping_id": "jumin-imi", "version": "9"})
    assert "再生できません" in unknown.text
    viewer = sign_in(hub, *people.viewer)
    assert viewer.post(f"{url}/replay", data={"csrf": csrf_of(viewer.get(url).text), "mapping_id": "jumin-imi",
                                              "version": "2"}).status_code == 403


def test_workbench_sends_a_valid_sample_with_the_systems_credentials(
        running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, _ = running
    operator = sign_in(hub, *people.operator)
    page = operator.get("/console/workbench", params={"op": "jumin/IdoTsuchi"}).text
    area = re.search(r'<textarea id="request"[^>]*>(.*?)</textarea>', page, re.S)
    assert area
    sample = html.unescape(area.group(1))
    assert "IdoTsuchiRequest" in sample and "Security" not in sample and hub.juki_password not in page
    sent = operator.post("/console/workbench/send", data={"csrf": csrf_of(page), "op": "jumin/IdoTsuchi",
                                                          "sender": "juki", "request": sample}).text
    assert "HTTP 200" in sent and "結果コード <strong>0000</strong>" in sent
    wrong_town = re.sub(r"(lgCode>)243035(<)", r"\g<1>x\g<2>", sample, count=1)
    broken = operator.post("/console/workbench/send", data={"csrf": csrf_of(page), "op": "jumin/IdoTsuchi",
                                                            "sender": "juki", "request": wrong_town}).text
    assert "HTTP 500" in broken and re.search(r"結果コード <strong>1\d\d\d</strong>", broken)
    viewer = sign_in(hub, *people.viewer)
    token = csrf_of(viewer.get("/console/workbench").text)
    assert viewer.post("/console/workbench/send", data={"csrf": token, "op": "jumin/IdoTsuchi", "sender": "juki",
                                                        "request": sample}).status_code == 403


def test_sensor_page_draws_each_gauge_with_its_four_thresholds(viewer: httpx.Client) -> None:
    page = viewer.get("/console/sensors").text
    for gauge in ("源緑輪中 排水路 水位計", "加路戸 排水路 水位計"):
        assert '<h3 id="g-' in page and gauge in page
    assert page.count('<polyline points="') == 2
    for level in ("水防団待機水位 0.8 m", "氾濫注意水位 1.1 m", "避難判断水位 1.4 m", "氾濫危険水位 1.7 m"):
        assert level in page
    assert page.count('class="level level-') == 8
    assert "未受信" in page and "正常" in page  # other families never sent; the gauges did


def test_kpi_table_computes_what_exists_and_says_what_does_not(viewer: httpx.Client) -> None:
    page = viewer.get("/console/kpi").text
    rows = dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', page))
    installed = len(DeviceRegistry.load(None).devices)
    assert rows["センサー設置数"] == str(installed) and rows["稼働中の IoT サービス数"] == "1"  # water level only
    expected = kpi.compute(register.load(register.DEFAULT_PATH))["applic"]
    for name in (kpi.SPEC_RATE, kpi.ADOPTION_RATE):
        assert rows[name] == f"{expected[name]['rate'] * 100:.1f} % ({expected[name]['count']} / 26)"
    assert rows["電子申請件数"] == "<em>まだ計算できません</em>"
    published = viewer.get("/opendata/api/3/action/package_list").json()["result"]  # built on first request
    rows = dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', viewer.get("/console/kpi").text))
    assert rows["オープンデータ公開件数"] == str(len(published)) and len(published) >= 5


def test_removed_user_is_signed_out_at_once(running: tuple[RunningHub, People, Traffic]) -> None:
    hub, _, _ = running
    OperatorStore(hub.parts.store).add("ichiji", "temporary password 1", "viewer")
    client = sign_in(hub, "ichiji", "temporary password 1")
    assert client.get("/console/").status_code == 200
    OperatorStore(hub.parts.store).remove("ichiji")
    assert client.get("/console/").status_code == 303
    forged = httpx.Client(base_url=hub.url, cookies={"chipla_console": client.cookies["chipla_console"] + "x"})
    assert forged.get("/console/", follow_redirects=False).status_code == 303


@pytest.fixture(scope="module")
def viewer(running: tuple[RunningHub, People, Traffic]) -> httpx.Client:
    return sign_in(running[0], *running[1].viewer)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["kind", "receipt_id", "sender", "status", "subject_key", "since", "until",
                                        "before", "destination"]),
                       st.text(max_size=120), max_size=6))
def test_any_search_form_gets_a_page_not_a_fault(viewer: httpx.Client, form: dict[str, str]) -> None:
    token = csrf_of(viewer.get("/console/messages").text)
    answer = viewer.post("/console/messages", data={**form, "csrf": token})
    assert answer.status_code == 200 and "<h1>電文の検索</h1>" in answer.text


def test_oversized_and_garbage_forms_are_refused(running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, _ = running
    viewer = sign_in(hub, *people.viewer)
    big = viewer.post("/console/messages", content=b"a=" + b"x" * (3 * 1024 * 1024),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert big.status_code in (403, 413)
    junk = viewer.post("/console/messages", content=b"\xff\xfe\x00garbage",
                       headers={"Content-Type": "multipart/form-data; boundary=zz"})
    assert junk.status_code in (400, 403)


def test_kpi_table_counts_zei_notices_and_gomi_subscribers_of_this_nendo(
        running: tuple[RunningHub, People, Traffic], viewer: httpx.Client) -> None:
    hub, _, _ = running

    def rows() -> dict[str, str]:
        return dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', viewer.get("/console/kpi").text))

    assert rows()["特別徴収税額通知 電子化率"] == "<em>まだ計算できません</em>"
    before = int(rows()["ごみ分別・収集日メール 登録者数"])
    demo_zei.run(Console(file=io.StringIO()), hub)  # this 年度: one pushed, one downloaded, one on paper
    subscribe(hub, "gomi-kpi@example.jp", [{"kind": "gomi_area", "key": "加路戸"}])
    subscribe(hub, "bus-kpi@example.jp", [{"kind": "bus_route", "key": "kita"}])  # no ごみ topic
    after = rows()
    assert after["特別徴収税額通知 電子化率"] == "66.7 % (2 / 3)"
    assert int(after["ごみ分別・収集日メール 登録者数"]) == before + 1


def test_the_detail_page_catches_up_and_shows_why_a_mapping_failed(running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, _ = running
    store = hub.parts.store
    # stored by a writer with no derive stage (another process that died after its commit)
    derived, failed = _store_underived(store, 2, seed=1616, first_atena=700000001)
    with store.write() as s:
        s.execute(insert(DeriveFailure).values(message_seq=failed.seq, attempts=3, error="KeyError: 'shimei'",
                                               failed_at=now(), next_attempt_at=now() + timedelta(minutes=10)))
    viewer = sign_in(hub, *people.viewer)
    page = viewer.get(f"/console/messages/{derived.receipt_id}").text
    assert "ido-imi 版 1" in page and "変換結果はありません" not in page
    shown = viewer.get(f"/console/messages/{failed.receipt_id}").text
    assert "変換に失敗しました (3 回目" in shown and "KeyError (詳細は伏せています)" in shown
    assert "'shimei'" not in shown
