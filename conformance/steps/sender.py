"""Sender steps: judge the 住民異動通知 a sender under test delivered to the kit's loopback hub."""

from __future__ import annotations

from collections import Counter, defaultdict

from pytest_bdd import given, parsers, then

from conformance.contract import (
    NS_JUMIN,
    REQUIRED_HEADER_FIELDS,
    SOAP11,
    SOAP12,
    SOAP_ACTION_PREFIX,
    common_schema,
    schema_errors,
)
from conformance.evidence import Exchange, Recorder
from conformance.kit_hub import Delivery
from conformance.lgcode import is_valid
from conformance.options import KitOptions
from conformance.wsse import token_problems

J = f"{{{NS_JUMIN}}}"


def _show(recorder: Recorder, bad: list[Delivery]) -> None:
    """Put the offending deliveries into the evidence of the failing step."""
    for d in bad[:3]:
        recorder.add(Exchange.of("送信側から届いた電文", "POST", "(kit)/soap/jumin", d.headers, d.raw,
                                 None, {}, b"", 0))


def _fail(recorder: Recorder, bad: list[tuple[Delivery, str]], what: str) -> None:
    if bad:
        _show(recorder, [d for d, _ in bad])
        raise AssertionError(f"{what}: " + "; ".join(reason for _, reason in bad[:5]))


@given("送信側から届いた住民異動通知", target_fixture="received")
def received(deliveries: list[Delivery]) -> list[Delivery]:
    return deliveries


@then("依頼した件数の通知が届いている")
def arrived(received: list[Delivery], kit_options: KitOptions) -> None:
    want = kit_options.expect_count if kit_options.trigger_url else 1
    assert len(received) >= want, \
        f"{kit_options.wait_seconds:g} 秒の間に届いた通知は {len(received)} 件（{want} 件を期待）"


@then("どの電文も SOAP 1.1 か 1.2 の封筒で Content-Type と action が IdoTsuchi に合う")
def envelopes(received: list[Delivery], recorder: Recorder) -> None:
    action = SOAP_ACTION_PREFIX + "IdoTsuchi"
    bad = []
    for d in received:
        ctype = d.headers.get("content-type", "")
        if d.version == SOAP11:
            ok = ctype.startswith("text/xml") and d.headers.get("soapaction", "").strip('"') == action
        elif d.version == SOAP12:
            ok = ctype.startswith("application/soap+xml") and (f'action="{action}"' in ctype
                                                                or f"action={action}" in ctype)
        else:
            ok = False
        if not ok or d.body is None:
            bad.append((d, f"封筒 {d.version or d.problem}, Content-Type {ctype!r}, "
                           f"SOAPAction {d.headers.get('soapaction')!r}"))
    assert received, "判定する通知が届いていません"
    _fail(recorder, bad, "SOAP 封筒または HTTP ヘッダが契約に合いません")


@then("どの電文の本文も jumin.xsd の IdoTsuchiRequest に適合する")
def bodies(received: list[Delivery], recorder: Recorder) -> None:
    bad = []
    for d in received:
        if d.body is None or d.body.tag != J + "IdoTsuchiRequest":
            what = d.problem or getattr(d.body, "tag", None)
            bad.append((d, f"本文が IdoTsuchiRequest ではありません（{what}）"))
            continue
        errors = schema_errors(d.body)
        if errors:
            bad.append((d, f"messageId {d.header_value('messageId')}: {errors[:2]}"))
    assert received, "判定する通知が届いていません"
    _fail(recorder, bad, "本文が jumin.xsd に適合しません")


@then(parsers.parse('どの電文の共通ヘッダも common.xsd に適合し必須項目があり service は "{service}" '
                    'operation は "{operation}"'))
def headers(received: list[Delivery], recorder: Recorder, service: str, operation: str) -> None:
    bad = []
    for d in received:
        if d.pf_header is None:
            bad.append((d, "共通ヘッダ (PfHeader) がありません"))
            continue
        missing = [f for f in REQUIRED_HEADER_FIELDS if not d.header_value(f)]
        if missing:
            bad.append((d, f"必須項目がありません: {missing}"))
        elif not common_schema().validate(d.pf_header):
            bad.append((d, f"common.xsd に適合しません: {common_schema().error_log.last_error}"))
        elif (d.header_value("service"), d.header_value("operation")) != (service, operation):
            bad.append((d, f"service/operation が {d.header_value('service')}/{d.header_value('operation')}"))
    assert received, "判定する通知が届いていません"
    _fail(recorder, bad, "共通ヘッダが契約に合いません")


@then("どの電文の団体コードも検査数字が正しい")
def lg_codes(received: list[Delivery], recorder: Recorder) -> None:
    bad = [(d, f"団体コード {d.header_value('lgCode')!r}") for d in received
           if not is_valid(d.header_value("lgCode") or "")]
    assert received, "判定する通知が届いていません"
    _fail(recorder, bad, "検査数字の誤った団体コード")


@then("同じ messageId の電文は内容も同じ")
def unique_ids(received: list[Delivery], recorder: Recorder) -> None:
    bodies: dict[str, set[bytes]] = defaultdict(set)
    first: dict[str, Delivery] = {}
    for d in received:
        mid = d.header_value("messageId") or ""
        bodies[mid].add(d.body_bytes())
        first.setdefault(mid, d)
    bad = [(first[m], f"messageId {m} が異なる {len(b)} 件の内容に使われています")
           for m, b in bodies.items() if len(b) > 1]
    assert received, "判定する通知が届いていません"
    _fail(recorder, bad, "内容の異なる通知に同じ messageId")


@then("どの電文の UsernameToken も PasswordDigest が正しく作成日時が新しい")
def tokens(received: list[Delivery], recorder: Recorder, kit_options: KitOptions) -> None:
    bad = []
    for d in received:
        problems = token_problems(d.token, kit_options.password, now=d.received_at)
        if kit_options.username and d.token is not None and d.token.username != kit_options.username:
            problems.append(f"Username {d.token.username!r}（{kit_options.username!r} を期待）")
        if problems:
            bad.append((d, f"messageId {d.header_value('messageId')}: {problems}"))
    assert received, "判定する通知が届いていません"
    _fail(recorder, bad, "UsernameToken が契約に合いません")


@then("どの Nonce も一度しか使われていない")
def nonces(received: list[Delivery], recorder: Recorder) -> None:
    counts = Counter(d.token.nonce_b64 for d in received if d.token is not None)
    bad = [(d, f"Nonce {d.token.nonce_b64} が {counts[d.token.nonce_b64]} 回使われています")
           for d in received if d.token is not None and counts[d.token.nonce_b64] > 1]
    _fail(recorder, bad, "Nonce の使い回し")


@then("同じ住民の異動は異動日が古い順に届いている")
def ordered(received: list[Delivery], recorder: Recorder) -> None:
    latest: dict[str, str] = {}
    bad = []
    for d in sorted(received, key=lambda x: x.received_at):
        if d.body is None:
            continue
        atena = d.body.findtext(f"{J}ido/{J}jumin/{J}shikibetsu/{J}atenaNo") or ""
        when = d.body.findtext(f"{J}ido/{J}idoDate") or ""
        if atena in latest and when < latest[atena]:
            bad.append((d, f"宛名番号 {atena}: 異動日 {when} が先に届いた {latest[atena]} より前"))
        latest[atena] = max(when, latest.get(atena, ""))
    assert received, "判定する通知が届いていません"
    _fail(recorder, bad, "同じ住民の異動が異動日順に届いていません")
