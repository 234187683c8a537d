"""REST twin steps: the same 照会 as SOAP over /api/v1/jumin, errors as problem+json with a code."""

from __future__ import annotations

from pytest_bdd import parsers, then, when

from conformance.client import KitClient, RestReply
from conformance.contract import NS_JUMIN, json_errors, json_errors_inline, result_codes
from conformance.fixtures import ScenarioState
from conformance.known import KnownData
from conformance.samples import jumin_shokai

J = f"{{{NS_JUMIN}}}"


def _keep(scene: ScenarioState, reply: RestReply, path: str) -> None:
    scene.data["rest"] = reply
    scene.data["rest_path"] = path


@when("REST で既知の宛名番号の住民を取得する")
def resident(scene: ScenarioState, kit_client: KitClient, known: KnownData) -> None:
    _keep(scene, kit_client.rest_get(f"/residents/{known.atena_no}"), "/jumin/residents/{atenaNo}")
    scene.data["atena_no"] = known.atena_no


@when("REST で既知の世帯番号の世帯を取得する")
def setai(scene: ScenarioState, kit_client: KitClient, known: KnownData) -> None:
    _keep(scene, kit_client.rest_get(f"/setai/{known.setai_no}"), "/jumin/setai/{setaiNo}")


@when("REST で存在しない宛名番号の住民を取得する")
def missing_resident(scene: ScenarioState, kit_client: KitClient, known: KnownData) -> None:
    _keep(scene, kit_client.rest_get(f"/residents/{known.missing_atena_no}"), "/jumin/residents/{atenaNo}")


@when("REST で API キーを付けずに既知の宛名番号の住民を取得する")
def no_key(scene: ScenarioState, kit_client: KitClient, known: KnownData) -> None:
    _keep(scene, kit_client.rest_get(f"/residents/{known.atena_no}", api_key=None, label="API キーなし"),
          "/jumin/residents/{atenaNo}")


@then(parsers.parse("HTTP {status:d} で応答は OpenAPI の定義に適合する"))
def ok_and_valid(scene: ScenarioState, status: int) -> None:
    reply: RestReply = scene.data["rest"]
    assert reply.status == status, f"HTTP {status} を期待しましたが、{reply.describe()}"
    assert reply.content_type.split(";")[0].strip() == "application/json", \
        f"application/json を期待しましたが、{reply.content_type!r}"
    errors = json_errors_inline(scene.data["rest_path"], reply.data)
    assert not errors, f"応答が OpenAPI の定義に適合しません: {errors[:5]}"
    code = (reply.data.get("result") or {}).get("code")
    assert code == "0000", f"result.code 0000 を期待しましたが {code!r}"


@then("REST の住民は SOAP の住民基本情報照会の住民と同じ")
def same_as_soap(scene: ScenarioState, kit_client: KitClient) -> None:
    atena_no = scene.data["atena_no"]
    reply = kit_client.soap("JuminShokai", jumin_shokai(atena_no),
                            header=kit_client.header("JuminShokai", atena_no), label="比較用の SOAP 照会")
    assert reply.body is not None, f"SOAP の照会に失敗しました: {reply.describe()}"
    soap = {
        "atenaNo": reply.body.findtext(f"{J}jumin/{J}shikibetsu/{J}atenaNo"),
        "setaiNo": reply.body.findtext(f"{J}jumin/{J}shikibetsu/{J}setaiNo"),
        "shimei": reply.body.findtext(f"{J}jumin/{J}shimei/{J}shimei"),
        "birthDate": reply.body.findtext(f"{J}jumin/{J}zokusei/{J}birthDate"),
    }
    jumin = scene.data["rest"].data["jumin"]
    rest = {"atenaNo": jumin["shikibetsu"]["atenaNo"], "setaiNo": jumin["shikibetsu"]["setaiNo"],
            "shimei": jumin["shimei"]["shimei"], "birthDate": jumin["zokusei"]["birthDate"]}
    diff = {k: (soap[k], rest[k]) for k in soap if soap[k] != rest[k]}
    assert not diff, f"SOAP と REST で住民が異なります（SOAP, REST）: {diff}"


@then(parsers.parse('HTTP {status:d} の problem+json で code は "{code}"'))
def problem(scene: ScenarioState, status: int, code: str) -> None:
    reply: RestReply = scene.data["rest"]
    assert reply.status == status, f"HTTP {status} を期待しましたが、{reply.describe()}"
    assert reply.content_type.split(";")[0].strip() == "application/problem+json", \
        f"application/problem+json を期待しましたが、{reply.content_type!r}"
    errors = json_errors("Problem", reply.data)
    assert not errors, f"problem+json が契約の Problem に適合しません: {errors}"
    assert reply.data["code"] == code, \
        f"code {code}（{result_codes()[code].ja}）を期待しましたが {reply.data['code']!r}"
    assert reply.data["status"] == status, f"status {status} を期待しましたが {reply.data['status']!r}"
