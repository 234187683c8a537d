"""Receiver steps: 住民異動通知 delivery, idempotent re-send, per-resident ordering, code lists."""

from __future__ import annotations

from lxml import etree
from pytest_bdd import given, parsers, then, when

from conformance.client import KitClient
from conformance.contract import NS_JUMIN
from conformance.fixtures import ScenarioState
from conformance.samples import Resident, days_ago, fresh_resident, ido_tsuchi
from conformance.steps.common import assert_fault, assert_success, send

J = f"{{{NS_JUMIN}}}"
JIYU = {"転入": "10", "転居": "30"}


@given("新しい住民の異動通知")
def new_notice(scene: ScenarioState, kit_client: KitClient) -> None:
    res = fresh_resident(kit_client.options.lg_code)
    scene.data["resident"] = res
    scene.operation, scene.body = "IdoTsuchi", ido_tsuchi(res)
    scene.header = kit_client.header("IdoTsuchi", subject_key=res.atena_no)


@given("新しい住民")
def new_resident(scene: ScenarioState, kit_client: KitClient) -> None:
    scene.data["resident"] = fresh_resident(kit_client.options.lg_code)


@given(parsers.parse('異動事由を "{code}" にする'))
def ido_jiyu(scene: ScenarioState, code: str) -> None:
    assert scene.body is not None
    for el in scene.body.iter(J + "idoJiyu"):
        el.text = code


@when("同じ messageId と内容で新しいトークンを付けて再送する")
def resend_same(scene: ScenarioState, kit_client: KitClient) -> None:
    scene.token = kit_client.token()
    send(scene, kit_client, label="同じ messageId の再送")


@when("同じ messageId で内容を変えて再送する")
def resend_changed(scene: ScenarioState, kit_client: KitClient) -> None:
    res: Resident = scene.data["resident"]
    changed = Resident(res.atena_no, res.setai_no, res.lg_code, banchi="999")
    scene.body = ido_tsuchi(changed)
    scene.token = kit_client.token()
    send(scene, kit_client, label="同じ messageId・異なる内容の再送")


@when(parsers.parse("異動日が {days:d} 日前の{kind}を通知する"))
def notify_dated(scene: ScenarioState, kit_client: KitClient, days: int, kind: str) -> None:
    res: Resident = scene.data["resident"]
    scene.operation = "IdoTsuchi"
    scene.body = ido_tsuchi(res, JIYU[kind], days_ago(days))
    scene.header = kit_client.header("IdoTsuchi", subject_key=res.atena_no)
    scene.token = kit_client.token()
    send(scene, kit_client, label=f"{days} 日前の{kind}")


def _receipt(reply_body: etree._Element | None) -> tuple[str | None, str | None, str | None]:
    if reply_body is None:
        return None, None, None
    ns = f"{{{etree.QName(reply_body).namespace}}}"  # the receipt has one shape in every service
    return (reply_body.findtext(f"{ns}result/{{urn:chipla:ns:common:1}}code"),
            (reply_body.findtext(ns + "duplicate") or "").strip(), reply_body.findtext(ns + "receiptId"))


@then(parsers.parse('最初の応答は結果コード "{code}" で duplicate は false'))
def first_receipt(scene: ScenarioState, code: str) -> None:
    first = scene.replies[0]
    assert_success(first)
    got_code, duplicate, _ = _receipt(first.body)
    assert got_code == code and duplicate == "false", \
        f"最初の受領は結果コード {code}・duplicate=false のはずが {got_code}・{duplicate}"


@then(parsers.parse('再送の応答は HTTP 200、結果コード "{code}"、duplicate は true で最初と同じ receiptId'))
def duplicate_receipt(scene: ScenarioState, code: str) -> None:
    again = scene.replies[-1]
    assert again.status == 200 and again.fault is None and again.body is not None, \
        f"再送には最初の受領（HTTP 200）を返すはずが、{again.describe()}"
    got_code, duplicate, receipt = _receipt(again.body)
    _, _, first_receipt_id = _receipt(scene.replies[0].body)
    assert got_code == code, f"再送の結果コードは {code} のはずが {got_code}"
    assert duplicate == "true", f"再送の duplicate は true のはずが {duplicate!r}"
    assert receipt == first_receipt_id, f"再送の receiptId {receipt} が最初の {first_receipt_id} と異なります"


@then(parsers.parse('最初の2件は正常に受け付けられ3件目は結果コード "{code}" の Fault が返る'))
def stale_refused(scene: ScenarioState, code: str) -> None:
    assert len(scene.replies) == 3
    for reply in scene.replies[:2]:
        assert_success(reply)
    assert_fault(scene.replies[2], code)
