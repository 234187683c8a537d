"""Steps for hostile and broken input: each probe bends one thing, then the target must still serve."""

from __future__ import annotations

from collections.abc import Callable

from pytest_bdd import given, parsers, then

from conformance import probes
from conformance.client import KitClient
from conformance.fixtures import RoleProbe, ScenarioState
from conformance.steps.common import assert_success


def _prepare(scene: ScenarioState, probe: RoleProbe, client: KitClient,
             bend: Callable[[bytes], bytes]) -> None:
    scene.operation, body, subject = probe.standard()
    valid = client.envelope_bytes(scene.operation, body, header=client.header(scene.operation, subject))
    scene.raw = bend(valid)


@given("整形式でない電文を用意する")
def malformed(scene: ScenarioState, probe: RoleProbe, kit_client: KitClient) -> None:
    _prepare(scene, probe, kit_client, probes.malformed)


@given("外部実体を参照する DTD 付きの電文を用意する")
def xxe(scene: ScenarioState, probe: RoleProbe, kit_client: KitClient) -> None:
    _prepare(scene, probe, kit_client, probes.xxe)


@given("実体を指数的に展開する DTD 付きの電文を用意する")
def billion_laughs(scene: ScenarioState, probe: RoleProbe, kit_client: KitClient) -> None:
    _prepare(scene, probe, kit_client, probes.billion_laughs)


@given("1 MiB を超える電文を用意する")
def oversized(scene: ScenarioState, probe: RoleProbe, kit_client: KitClient) -> None:
    _prepare(scene, probe, kit_client, probes.oversized)


@given("本文要素の名前空間を契約と異なるものにした電文を用意する")
def wrong_body_ns(scene: ScenarioState, probe: RoleProbe, kit_client: KitClient) -> None:
    _prepare(scene, probe, kit_client, probes.wrong_body_namespace)


@given("SOAP 封筒の名前空間を変えた電文を用意する")
def wrong_envelope_ns(scene: ScenarioState, probe: RoleProbe, kit_client: KitClient) -> None:
    _prepare(scene, probe, kit_client, probes.wrong_envelope_namespace)


@given("Shift_JIS と宣言した電文を用意する")
def shift_jis(scene: ScenarioState, probe: RoleProbe, kit_client: KitClient) -> None:
    _prepare(scene, probe, kit_client, probes.shift_jis)


@then(parsers.parse("応答は {seconds:d} 秒以内に返る"))
def answered_quickly(scene: ScenarioState, seconds: int) -> None:
    took = scene.elapsed[-1]
    assert took <= seconds, f"応答に {took:.1f} 秒かかりました（{seconds} 秒以内であること）"


@then("対象はまだ標準的な要求に正常に応答する")
def still_serving(probe: RoleProbe, kit_client: KitClient) -> None:
    operation, body, subject = probe.standard()
    reply = kit_client.soap(operation, body, header=kit_client.header(operation, subject),
                            label="不正な電文の後の通常の要求")
    assert_success(reply)
