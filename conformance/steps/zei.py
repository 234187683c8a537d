"""Steps of the 個人住民税 service (zei): notices with consistent or contradicting amounts, and an
employer's view (its own notice list, its signed 正本)."""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree
from pytest_bdd import given, parsers, then, when

from conformance import seihon_check
from conformance.client import KitClient
from conformance.contract import NS_WSDL_JUMIN, NS_ZEI, schema_errors
from conformance.fixtures import RoleProbe, ScenarioState
from conformance.samples_zei import (
    Notice,
    fresh_notice,
    schema_invalid_tsuchi,
    seihon_shutoku,
    tsuchi_ichiran,
    with_months,
    with_other_annual,
    zeigaku_tsuchi,
)
from conformance.steps.common import assert_success, send

Z = f"{{{NS_ZEI}}}"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
NS_WSDL_ZEI = NS_WSDL_JUMIN.replace(":jumin:", ":zei:")
MISSING_RECEIPT = "00000000-0000-4000-8000-00000000dead"


def _prepare(scene: ScenarioState, kit_client: KitClient, notice: Notice) -> None:
    scene.data["notice"] = notice
    scene.operation, scene.body = "ZeigakuTsuchi", zeigaku_tsuchi(notice)
    scene.header = kit_client.header("ZeigakuTsuchi", subject_key=notice.shitei_no)


@given(parsers.parse("新しい特別徴収義務者の{kind}通知"))
def new_notice(scene: ScenarioState, kit_client: KitClient, kind: str) -> None:
    kubun = {"決定": "1", "変更": "2"}[kind]
    _prepare(scene, kit_client, fresh_notice(kit_client.options.lg_code, kubun=kubun))


@given(parsers.parse("1人目の7月分を {yen:d} 円増やす"))
def raise_july(scene: ScenarioState, kit_client: KitClient, yen: int) -> None:
    notice: Notice = scene.data["notice"]
    months = list(notice.employees[0].months)
    months[1] += yen
    scene.body = zeigaku_tsuchi(with_months(notice, months))


@given("1人目の端数を6月ではなく翌年5月に寄せる")
def remainder_in_may(scene: ScenarioState) -> None:
    notice: Notice = scene.data["notice"]
    months = list(notice.employees[0].months)
    months[0], months[-1] = months[-1], months[0]
    assert months[0] != months[-1], "キットの通知に端数がありません（キットの不具合）"
    scene.body = zeigaku_tsuchi(with_months(notice, months))


@given(parsers.parse("合計を {yen:d} 円増やす"))
def raise_total(scene: ScenarioState, yen: int) -> None:
    assert scene.body is not None
    total = scene.body.find(f"{Z}tsuchi/{Z}gokeiGaku")
    assert total is not None
    total.text = str(int(total.text or "0") + yen)


@given("本文を zei.xsd に違反させる")
def invalid_body(scene: ScenarioState, kit_client: KitClient) -> None:
    if scene.operation == "ZeigakuTsuchi":
        scene.body = schema_invalid_tsuchi(fresh_notice(kit_client.options.lg_code))
    else:
        body = tsuchi_ichiran()
        etree.SubElement(body, Z + "nendo").text = "令和八年"  # NendoType is a 西暦 int
        scene.body = body
    scene.check = False


@when("同じ messageId で年税額を変えて再送する")
def resend_changed(scene: ScenarioState, kit_client: KitClient) -> None:
    notice: Notice = scene.data["notice"]
    scene.body = zeigaku_tsuchi(with_other_annual(notice))
    scene.token = kit_client.token()
    send(scene, kit_client, label="同じ messageId・異なる年税額の再送")


@then("要求と応答の本文は zei.xsd に適合する")
def bodies_valid(scene: ScenarioState) -> None:
    root = etree.fromstring(scene.sent[-1])
    request = next(c for c in root.find(f"{{{etree.QName(root).namespace}}}Body") if isinstance(c.tag, str))
    errors = schema_errors(request)
    assert not errors, f"キットの要求が zei.xsd に適合しません（キットの不具合）: {errors}"
    response_valid(scene)


@then("応答の本文は zei.xsd に適合する")
def response_valid(scene: ScenarioState) -> None:
    body = scene.reply.body
    assert body is not None, f"応答の本文がありません: {scene.reply.describe()}"
    errors = schema_errors(body)
    assert not errors, f"応答 {etree.QName(body).localname} が zei.xsd に適合しません: {errors}"


# -- the employer's view (provider) --------------------------------------------------------------------
def _ichiran(scene: ScenarioState, kit_client: KitClient) -> None:
    scene.operation, scene.body = "TsuchiIchiranShokai", tsuchi_ichiran()
    scene.header = kit_client.header("TsuchiIchiranShokai", subject_key=kit_client.options.shitei_no)
    scene.token = kit_client.token()
    send(scene, kit_client, label="通知一覧照会")


def _entries(scene: ScenarioState) -> list[dict[str, str]]:
    body = scene.reply.body
    assert body is not None, f"通知一覧の応答がありません: {scene.reply.describe()}"
    return [{etree.QName(c).localname: (c.text or "") for c in entry} for entry in body.findall(Z + "entry")]


def _shutoku(scene: ScenarioState, kit_client: KitClient, receipt_id: str) -> None:
    scene.operation, scene.body = "SeihonShutoku", seihon_shutoku(receipt_id)
    scene.header = kit_client.header("SeihonShutoku", subject_key=kit_client.options.shitei_no)
    scene.token = kit_client.token()
    send(scene, kit_client, label=f"正本取得 {receipt_id}")


@when("通知一覧を照会する")
def list_notices(scene: ScenarioState, kit_client: KitClient) -> None:
    _ichiran(scene, kit_client)


@when("通知一覧の最初の通知の正本を取得する")
def fetch_first(scene: ScenarioState, kit_client: KitClient) -> None:
    _ichiran(scene, kit_client)
    assert_success(scene.reply)
    entries = _entries(scene)
    assert entries, f"指定番号 {kit_client.options.shitei_no} の通知が一覧にありません（前提: 1件以上の通知）"
    scene.data["receipt"] = entries[0]["receiptId"]
    _shutoku(scene, kit_client, entries[0]["receiptId"])


@when("存在しない受領IDの正本を取得する")
def fetch_missing(scene: ScenarioState, kit_client: KitClient) -> None:
    _shutoku(scene, kit_client, MISSING_RECEIPT)


@then("一覧に1件以上の通知があり、どれも自分の指定番号のもの")
def only_own(scene: ScenarioState, kit_client: KitClient) -> None:
    assert_success(scene.reply)
    entries = _entries(scene)
    own = kit_client.options.shitei_no
    assert entries, f"指定番号 {own} の通知が一覧にありません（前提: 1件以上の通知）"
    others = sorted({e.get("shiteiNo", "") for e in entries} - {own})
    assert not others, f"他の特別徴収義務者の通知が一覧に含まれています: 指定番号 {others}"


def _document(scene: ScenarioState) -> bytes:
    body = scene.reply.body
    assert body is not None, f"正本取得の応答がありません: {scene.reply.describe()}"
    text = body.findtext(Z + "seihon") or ""
    try:
        return base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AssertionError(f"seihon が base64 ではありません: {exc}") from exc


def _town_cert(kit_client: KitClient) -> bytes:
    path = kit_client.options.town_cert
    assert path is not None, "--town-cert がありません"
    return path.read_bytes()


@then("正本の署名は町の証明書で検証でき、署名方式は RSA-SHA256・排他的正規化・文書全体")
def signature_valid(scene: ScenarioState, kit_client: KitClient) -> None:
    found = seihon_check.problems(_document(scene), _town_cert(kit_client))
    assert not found, "; ".join(found)


@then("正本は Seihon に適合し、受領IDと自分の指定番号を持つ")
def seihon_content(scene: ScenarioState, kit_client: KitClient) -> None:
    root = etree.fromstring(_document(scene), etree.XMLParser(resolve_entities=False, no_network=True))
    errors = schema_errors(root)
    assert not errors, f"正本が zei.xsd の Seihon に適合しません: {errors}"
    assert root.findtext(Z + "receiptId") == scene.data["receipt"], \
        f"正本の receiptId {root.findtext(Z + 'receiptId')} が取得した {scene.data['receipt']} と異なります"
    shitei = root.findtext(f"{Z}tsuchi/{Z}tokuchoGimusha/{Z}shiteiNo")
    assert shitei == kit_client.options.shitei_no, \
        f"正本の指定番号 {shitei} は呼び出した特別徴収義務者のものではありません"


@then("正本の月割額を1つ書き換えると署名の検証に失敗する")
def tamper_detected(scene: ScenarioState, kit_client: KitClient) -> None:
    assert_success(scene.reply)
    document = _document(scene)
    tampered = re.sub(rb"<([A-Za-z0-9_]+:)?gaku>(\d+)<", lambda m: m.group(0).replace(
        m.group(2), str(int(m.group(2)) + 1).encode()), document, count=1)
    assert tampered != document, "正本に gaku 要素がありません"
    assert seihon_check.problems(tampered, _town_cert(kit_client)), "書き換えた正本の署名が検証に通ってしまいました"


@then("その通知の受領状況は downloaded か delivered")
def status_after_download(scene: ScenarioState) -> None:
    assert_success(scene.reply)
    status = {e["receiptId"]: e.get("status") for e in _entries(scene)}.get(scene.data["receipt"])
    assert status in ("downloaded", "delivered"), f"受領状況は downloaded か delivered のはずが {status}"


@then("WSDL は ZeiPortType に役割の操作を定義している")
def wsdl_operations(scene: ScenarioState, probe: RoleProbe) -> None:
    status, content = scene.data["wsdl"]
    assert status == 200, f"?wsdl が HTTP {status} を返しました"
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise AssertionError(f"WSDL が XML として解析できません: {exc}") from exc
    assert root.get("targetNamespace") == NS_WSDL_ZEI, f"targetNamespace {NS_WSDL_ZEI} の WSDL ではありません"
    port = root.find(f"{{{WSDL_NS}}}portType[@name='ZeiPortType']")
    assert port is not None, "ZeiPortType がありません"
    names = {op.get("name") for op in port.findall(f"{{{WSDL_NS}}}operation")}
    missing = [op for op in probe.operations if op not in names]
    assert not missing, f"WSDL に操作がありません: {missing}"
