"""Provider steps: 照会 of known and missing records, paging and ordering of 異動一覧照会."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from pytest_bdd import parsers, then, when

from conformance import paging
from conformance.client import KitClient
from conformance.contract import NS_JUMIN
from conformance.fixtures import ScenarioState
from conformance.known import KnownData
from conformance.samples import ido_ichiran, jumin_shokai, setai_shokai
from conformance.steps.common import send

J = f"{{{NS_JUMIN}}}"


def _request(scene: ScenarioState, client: KitClient, operation: str, body, subject: str | None = None,  # type: ignore[no-untyped-def]
             label: str = "") -> None:
    scene.operation, scene.body = operation, body
    scene.header = client.header(operation, subject_key=subject)
    send(scene, client, label=label or operation)


@when("既知の宛名番号で住民基本情報照会を送る")
def shokai_known(scene: ScenarioState, kit_client: KitClient, known: KnownData) -> None:
    scene.data["atena_no"] = known.atena_no
    _request(scene, kit_client, "JuminShokai", jumin_shokai(known.atena_no), known.atena_no)


@when("存在しない宛名番号で住民基本情報照会を送る")
def shokai_missing(scene: ScenarioState, kit_client: KitClient, known: KnownData) -> None:
    _request(scene, kit_client, "JuminShokai", jumin_shokai(known.missing_atena_no))


@when("既知の世帯番号で世帯照会を送る")
def setai_known(scene: ScenarioState, kit_client: KitClient, known: KnownData) -> None:
    _request(scene, kit_client, "SetaiShokai", setai_shokai(known.setai_no))


@when("存在しない世帯番号で世帯照会を送る")
def setai_missing(scene: ScenarioState, kit_client: KitClient, known: KnownData) -> None:
    _request(scene, kit_client, "SetaiShokai", setai_shokai(known.missing_setai_no))


@when("異動一覧照会を送る")
def ido_list(scene: ScenarioState, kit_client: KitClient, known: KnownData) -> None:
    _request(scene, kit_client, "IdoIchiranShokai", ido_ichiran(since=known.since, page_size=paging.BIG_PAGE))


@then("応答の住民の宛名番号は照会したものと同じ")
def same_resident(scene: ScenarioState) -> None:
    body = scene.reply.body
    assert body is not None
    got = body.findtext(f"{J}jumin/{J}shikibetsu/{J}atenaNo")
    asked = scene.data["atena_no"]
    assert got == asked, f"宛名番号 {asked} を照会したのに {got} が返りました"


# -- paging -------------------------------------------------------------------------------------------
@when(parsers.parse("異動一覧照会を {size:d} 件ずつ最後のページまでたどる"))
def walk_soap(scene: ScenarioState, kit_client: KitClient, known: KnownData, size: int) -> None:
    fetch = partial(paging.soap_page, kit_client)
    scene.data["reference"] = fetch(since=known.since, page_size=paging.BIG_PAGE,
                                    label="異動一覧を一度に取得")
    scene.data["walk"] = paging.walk(fetch, known.since, size)
    scene.data["size"] = size


@when(parsers.parse("REST の異動一覧を {size:d} 件ずつ最後のページまでたどる"))
def walk_rest(scene: ScenarioState, kit_client: KitClient, known: KnownData, size: int) -> None:
    fetch = partial(paging.rest_page, kit_client)
    scene.data["reference"] = fetch(since=known.since, page_size=paging.BIG_PAGE,
                                    label="REST 異動一覧を一度に取得")
    scene.data["walk"] = paging.walk(fetch, known.since, size)
    scene.data["size"] = size


@then("たどった異動は一度に取得した異動と同じ集合で欠落も重複もない")
def no_gaps(scene: ScenarioState, known: KnownData) -> None:
    walked: paging.Walk = scene.data["walk"]
    problems = paging.compare(scene.data["reference"], walked, scene.data["size"])
    missing_seeded = [r for r in known.receipts if r not in set(walked.receipts)]
    if missing_seeded:
        problems.append(f"登録した異動がたどった一覧にありません: {missing_seeded}")
    assert not problems, "; ".join(problems)


@then("どのページも要求した件数以下で最後のページだけ hasMore が false")
def has_more_right(scene: ScenarioState) -> None:
    problems = paging.has_more_flags(scene.data["walk"])
    assert not problems, "; ".join(problems)


@when("最後のページの nextCursor で異動一覧照会を送る")
def after_last(scene: ScenarioState, kit_client: KitClient) -> None:
    walked: paging.Walk = scene.data["walk"]
    cursor = walked.pages[-1].next_cursor
    assert cursor, "最後のページに nextCursor がありません"
    _request(scene, kit_client, "IdoIchiranShokai", ido_ichiran(cursor=cursor, page_size=10),
             label="最後の nextCursor で照会")


@then("異動は0件で hasMore は false")
def empty_page(scene: ScenarioState) -> None:
    body = scene.reply.body
    assert body is not None
    entries = body.findall(J + "entry")
    assert not entries, f"最後のページの後に {len(entries)} 件の異動が返りました"
    assert (body.findtext(J + "hasMore") or "").strip() == "false", "hasMore が false ではありません"


@when("発行されていない cursor で異動一覧照会を送る")
def bogus_cursor(scene: ScenarioState, kit_client: KitClient) -> None:
    _request(scene, kit_client, "IdoIchiranShokai", ido_ichiran(cursor="chipla-conformance-bogus-cursor"))


# -- ordering -----------------------------------------------------------------------------------------
@then("異動一覧は受付日時の順に並ぶ")
def accept_order(scene: ScenarioState) -> None:
    body = scene.reply.body
    assert body is not None, scene.reply.describe()
    stamps = [e.findtext(J + "acceptedAt") or "" for e in body.findall(J + "entry")]
    try:
        times = [datetime.fromisoformat(s) for s in stamps]
    except ValueError as exc:
        raise AssertionError(f"acceptedAt を解釈できません: {exc}") from exc
    backwards = [(stamps[i], stamps[i + 1]) for i in range(len(times) - 1) if times[i + 1] < times[i]]
    assert not backwards, f"受付日時が逆順の箇所があります: {backwards[:3]}"


@then("同じ住民について送った異動は送った順に並ぶ")
def subject_order(scene: ScenarioState, known: KnownData) -> None:
    if not known.seeded:
        return  # nothing the kit sent itself; the accept-order check above stands alone
    body = scene.reply.body
    assert body is not None
    receipts = [e.findtext(J + "receiptId") for e in body.findall(J + "entry")]
    positions = [receipts.index(r) if r in receipts else -1 for r in known.same_subject]
    assert -1 not in positions, f"登録した異動が一覧にありません: {known.same_subject}"
    assert positions == sorted(positions), \
        f"同じ住民の異動（転入→転居）が送った順に並んでいません: 位置 {positions}"
