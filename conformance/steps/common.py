"""Steps shared by provider and receiver: build the role's request, bend it, send it, judge the reply."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

from lxml import etree
from pytest_bdd import given, parsers, then, when

from conformance.client import KitClient
from conformance.contract import (
    NS_WSDL_JUMIN,
    SOAP11,
    SOAP12,
    result_codes,
    schema_errors,
)
from conformance.evidence import Recorder
from conformance.fixtures import RoleProbe, ScenarioState
from conformance.lgcode import with_bad_check_digit
from conformance.samples import fresh_resident, ido_tsuchi, jumin_shokai, schema_invalid, setai_shokai
from conformance.soap import SoapReply
from conformance.wsse import TokenSpec

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"


def send(scene: ScenarioState, client: KitClient, label: str = "") -> SoapReply:
    """Send what the scene holds (raw probe bytes, or an envelope built from its parts)."""
    if scene.raw is None:
        assert scene.body is not None
        raw = client.envelope_bytes(scene.operation, scene.body, version=scene.version,
                                    header=scene.header, token=scene.token,
                                    wrong_password=scene.wrong_password, check=scene.check)
    else:
        raw = scene.raw
    started = time.monotonic()
    reply = client.post_soap(scene.operation, raw, version=scene.version, label=label or scene.operation)
    scene.elapsed.append(time.monotonic() - started)
    scene.sent.append(raw)
    scene.replies.append(reply)
    return reply


def assert_success(reply: SoapReply) -> None:
    assert reply.parse_error is None and reply.fault is None and reply.status == 200, \
        f"正常な応答（HTTP 200、結果コード 0000）を期待しましたが、{reply.describe()}"
    assert reply.result_code == "0000", f"結果コード 0000 を期待しましたが、{reply.describe()}"


def assert_fault(reply: SoapReply, code: str) -> None:
    assert reply.fault is not None, f"結果コード {code} の SOAP Fault を期待しましたが、{reply.describe()}"
    assert reply.result_code == code, \
        f"結果コード {code}（{result_codes()[code].ja}）を期待しましたが、{reply.describe()}"


# -- building the request -----------------------------------------------------------------------------
@given("役割の標準的な要求")
def standard_request(scene: ScenarioState, probe: RoleProbe, kit_client: KitClient) -> None:
    scene.operation, scene.body, subject = probe.standard()
    scene.header = kit_client.header(scene.operation, subject_key=subject)


@given(parsers.parse('共通ヘッダの "{name}" を欠落させる'))
def drop_header_field(scene: ScenarioState, name: str) -> None:
    scene.header[name] = None
    scene.check = False


@given("共通ヘッダを付けない")
def no_header(scene: ScenarioState) -> None:
    scene.header = None


@given("共通ヘッダの団体コードの検査数字を誤らせる")
def bad_lg_code(scene: ScenarioState) -> None:
    scene.header["lgCode"] = with_bad_check_digit(scene.header["lgCode"])


@given("共通ヘッダの operation を本文と異なる操作にする")
def wrong_operation(scene: ScenarioState) -> None:
    scene.header["operation"] = "SetaiShokai" if scene.operation != "SetaiShokai" else "JuminShokai"


@given("UsernameToken を付けない")
def no_token(scene: ScenarioState) -> None:
    scene.token = None


@given("誤ったパスワードでダイジェストを作る")
def wrong_password(scene: ScenarioState) -> None:
    scene.wrong_password = True


@given(parsers.parse("作成日時が {minutes:d} 分前の UsernameToken を付ける"))
def old_token(scene: ScenarioState, kit_client: KitClient, minutes: int) -> None:
    opts = kit_client.options
    scene.token = TokenSpec.fresh(opts.username or "", opts.password or "", age=timedelta(minutes=minutes))


@given("SOAP 1.2 で送る")
def soap12(scene: ScenarioState) -> None:
    scene.version = SOAP12


@given("本文をスキーマ違反にする")
def invalid_body(scene: ScenarioState, kit_client: KitClient) -> None:
    scene.body = schema_invalid(scene.operation, fresh_resident(kit_client.options.lg_code))
    scene.check = False


# -- sending ------------------------------------------------------------------------------------------
@when("要求を送信する")
def send_request(scene: ScenarioState, kit_client: KitClient) -> None:
    send(scene, kit_client)


@when("同じ電文をそのまま再送する")
def replay(scene: ScenarioState, kit_client: KitClient) -> None:
    scene.raw = scene.sent[-1]
    send(scene, kit_client, label="同じ電文の再送（リプレイ）")


# -- judging ------------------------------------------------------------------------------------------
@then("正常に応答する")
def succeeded(scene: ScenarioState) -> None:
    assert_success(scene.reply)


@then(parsers.parse('結果コード "{code}" の Fault が返る'))
def fault_with_code(scene: ScenarioState, code: str) -> None:
    assert_fault(scene.reply, code)


@then(parsers.parse('応答は SOAP {label} の封筒で Content-Type は "{media}"'))
def envelope_version(scene: ScenarioState, label: str, media: str) -> None:
    reply = scene.reply
    expected = SOAP11 if label == "1.1" else SOAP12
    got = reply.version or reply.parse_error
    assert reply.version == expected, f"SOAP {label} の封筒を期待しましたが、{got}"
    assert reply.content_type.split(";")[0].strip().lower() == media, \
        f"Content-Type {media} を期待しましたが、{reply.content_type!r}"


@then(parsers.parse("HTTP ステータスは {status:d}"))
def http_status(scene: ScenarioState, status: int) -> None:
    assert scene.reply.status == status, f"HTTP {status} を期待しましたが、HTTP {scene.reply.status}"


@then("HTTP ステータスは 400 または 500")
def http_status_400_or_500(scene: ScenarioState) -> None:
    assert scene.reply.status in (400, 500), f"HTTP 400 か 500 を期待しましたが、HTTP {scene.reply.status}"


@then(parsers.parse('faultcode は SOAP {label} 名前空間の "{local}" で faultstring がある'))
def faultcode(scene: ScenarioState, label: str, local: str) -> None:
    fault = scene.reply.fault
    assert fault is not None, f"SOAP Fault を期待しましたが、{scene.reply.describe()}"
    expected_ns = SOAP11 if label == "1.1" else SOAP12
    assert fault.code_local == local and fault.code_namespace == expected_ns, \
        f"faultcode {{{expected_ns}}}{local} を期待しましたが、{{{fault.code_namespace}}}{fault.code_local}"
    assert fault.reason.strip(), "faultstring（Reason）が空です"


@then("Fault の detail は common.xsd の ResultFault に適合する")
def fault_detail(scene: ScenarioState) -> None:
    fault = scene.reply.fault
    assert fault is not None and fault.detail is not None, "Fault の detail に c:ResultFault がありません"
    errors = schema_errors(fault.detail)
    assert not errors, f"ResultFault が common.xsd に適合しません: {errors}"
    assert fault.result_code in result_codes(), f"結果コード {fault.result_code} は結果コード表にありません"


@then("要求と応答の本文は jumin.xsd に適合する")
def bodies_valid(scene: ScenarioState) -> None:
    request_body = _request_body(scene.sent[-1])
    errors = schema_errors(request_body)
    assert not errors, f"キットの要求がスキーマに適合しません（キットの不具合）: {errors}"
    body = scene.reply.body
    assert body is not None, f"応答の本文がありません: {scene.reply.describe()}"
    errors = schema_errors(body)
    assert not errors, f"応答 {etree.QName(body).localname} が jumin.xsd に適合しません: {errors}"


def _request_body(raw: bytes) -> etree._Element:
    root = etree.fromstring(raw)
    body = root.find(f"{{{etree.QName(root).namespace}}}Body")
    assert body is not None
    return next(c for c in body if isinstance(c.tag, str))


# -- the result-code table (RC-002) --------------------------------------------------------------------
@when("役割の代表的な状況の要求を順に送る")
def typical_situations(scene: ScenarioState, probe: RoleProbe, kit_client: KitClient) -> None:
    lg = kit_client.options.lg_code
    operation, body, subject = probe.standard()
    cases: list[tuple[str, etree._Element, object, bool]] = [(operation, body, None, True)]
    if probe.options.role == "provider":
        known = probe.request.getfixturevalue("known")
        cases += [("JuminShokai", jumin_shokai(known.missing_atena_no), None, True),
                  ("SetaiShokai", setai_shokai(known.missing_setai_no), None, True)]
    else:
        cases += [("IdoTsuchi", ido_tsuchi(fresh_resident(lg)), None, True)]
    cases += [(operation, schema_invalid(operation, fresh_resident(lg)), None, False),
              (operation, body, "bad_lg", True)]
    for op, case_body, variant, check in cases:
        header = kit_client.header(op, subject_key=subject)
        if variant == "bad_lg":
            header["lgCode"] = with_bad_check_digit(header["lgCode"])
        raw = kit_client.envelope_bytes(op, case_body, header=header, check=check)
        scene.replies.append(kit_client.post_soap(op, raw, label=f"代表的な状況: {op}"))


@then("どの応答の結果コードも結果コード表にある")
def codes_in_table(scene: ScenarioState) -> None:
    table = result_codes()
    bad = [r.describe() for r in scene.replies if r.result_code not in table]
    assert not bad, f"結果コード表にない（または結果コードのない）応答があります: {bad}"


@then("どの Fault の faultcode も結果コード表の区分と一致する")
def faultcodes_match_table(scene: ScenarioState) -> None:
    table = result_codes()
    bad = []
    for r in scene.replies:
        if r.fault is None or r.result_code not in table:
            continue
        expected = table[r.result_code].faultcode
        got = "Client" if r.fault.is_client else "Server"
        if expected != got:
            bad.append(f"結果コード {r.result_code} は {expected} のはずが {r.fault.code_local}")
        if table[r.result_code].faultcode is None:
            bad.append(f"結果コード {r.result_code} は正常系なのに Fault で返されました")
    assert not bad, "; ".join(bad)


# -- WSDL ---------------------------------------------------------------------------------------------
@when("WSDL を取得する")
def fetch_wsdl(scene: ScenarioState, kit_client: KitClient) -> None:
    status, content = kit_client.get(kit_client.options.soap_url + "?wsdl", label="WSDL の取得")
    scene.data["wsdl"] = (status, content)


@then("WSDL は JuminPortType に役割の操作を定義している")
def wsdl_operations(scene: ScenarioState, probe: RoleProbe) -> None:
    status, content = scene.data["wsdl"]
    assert status == 200, f"?wsdl が HTTP {status} を返しました"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise AssertionError(f"WSDL が XML として解析できません: {exc}") from exc
    assert root.tag == f"{{{WSDL_NS}}}definitions" and root.get("targetNamespace") == NS_WSDL_JUMIN, \
        f"targetNamespace {NS_WSDL_JUMIN} の wsdl:definitions ではありません"
    port = root.find(f"{{{WSDL_NS}}}portType[@name='JuminPortType']")
    assert port is not None, "JuminPortType がありません"
    names = {op.get("name") for op in port.findall(f"{{{WSDL_NS}}}operation")}
    missing = [op for op in probe.operations if op not in names]
    assert not missing, f"WSDL に操作がありません: {missing}"



# -- date-times (JUMIN-DT-001, ZEI-DT-001) ----------------------------------------------------------
@then("この実行で受けた応答の日時はすべて時差付きである")
def every_date_time_has_an_offset(kit_client: KitClient, recorder: Recorder) -> None:
    naive = kit_client.datetimes.naive
    for shown in naive[:3]:  # the offending exchanges become the step's evidence in the report
        recorder.add(replace(shown.exchange))
    if naive:
        more = f" ほか {len(naive) - 3} 件" if len(naive) > 3 else ""
        raise AssertionError(f"応答の日時 {kit_client.datetimes.seen} 件のうち {len(naive)} 件に時差（+09:00 や Z）"
                             f"がありません: {'; '.join(n.describe() for n in naive[:3])}{more}")
