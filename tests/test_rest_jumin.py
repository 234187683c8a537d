"""The REST twin through httpx: the same pipeline, problem+json with the 結果コード."""

from __future__ import annotations

import uuid

import httpx
import pytest

from simulators.samples import SampleTown, header
from tests.support import RunningHub
from tests.wait import until


@pytest.fixture
def client(hub: RunningHub) -> httpx.Client:
    return httpx.Client(base_url=f"{hub.url}/api/v1", headers={"X-API-Key": hub.juki_key}, timeout=30)


def test_post_ido_accepts_and_delivers(hub: RunningHub, client: httpx.Client) -> None:
    body = {"meta": header("juki"), "ido": SampleTown().next_ido()}
    resp = client.post("/jumin/ido", json=body)
    assert resp.status_code == 202, resp.text
    receipt = resp.json()
    assert receipt["result"]["code"] == "0000" and receipt["duplicate"] is False
    again = client.post("/jumin/ido", json=body)
    assert again.status_code == 200 and again.json()["receiptId"] == receipt["receiptId"]
    assert again.json()["result"]["code"] == "0001"
    until(lambda: len(hub.receivers["kaigo"].inbox.items) == 1)
    assert hub.receivers["kaigo"].inbox.items[0]["hasImi"] is True


def test_schema_violation_is_problem_json_with_code(hub: RunningHub, client: httpx.Client) -> None:
    body = {"meta": header("juki"), "ido": SampleTown().next_ido()}
    body["ido"]["jumin"]["zokusei"]["seibetsu"] = "男"
    resp = client.post("/jumin/ido", json=body)
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "1012"


def test_unknown_code_is_1004(client: httpx.Client) -> None:
    body = {"meta": header("juki"), "ido": SampleTown().next_ido() | {"idoJiyu": "98"}}
    resp = client.post("/jumin/ido", json=body)
    assert resp.status_code == 422 and resp.json()["code"] == "1004"


def test_bad_lg_code_check_digit_is_1005(client: httpx.Client) -> None:
    body = {"meta": header("juki", lg_code="243030"), "ido": SampleTown().next_ido()}
    resp = client.post("/jumin/ido", json=body)
    assert resp.status_code == 422 and resp.json()["code"] == "1005"


def test_missing_and_wrong_api_key(hub: RunningHub) -> None:
    body = {"meta": header("juki"), "ido": SampleTown().next_ido()}
    none = httpx.post(f"{hub.url}/api/v1/jumin/ido", json=body)
    assert none.status_code == 401 and none.json()["code"] == "2001"
    wrong = httpx.post(f"{hub.url}/api/v1/jumin/ido", json=body, headers={"X-API-Key": "x" * 20})
    assert wrong.status_code == 401 and wrong.json()["code"] == "2002"


def test_queries_over_rest(hub: RunningHub, client: httpx.Client) -> None:
    town = SampleTown()
    idos = [town.next_ido() for _ in range(3)]
    for ido in idos:
        assert client.post("/jumin/ido", json={"meta": header("juki"), "ido": ido}).status_code == 202
    atena = idos[0]["jumin"]["shikibetsu"]["atenaNo"]
    one = client.get(f"/jumin/residents/{atena}")
    assert one.status_code == 200 and one.json()["jumin"]["shikibetsu"]["atenaNo"] == atena
    assert "kojinBango" not in one.json()["jumin"]["shikibetsu"]
    bango = client.get(f"/jumin/residents/{atena}", headers={"X-Chipla-Purpose": "bango_riyo"})
    assert "kojinBango" in bango.json()["jumin"]["shikibetsu"]
    assert client.get("/jumin/residents/99999").json()["code"] == "3001"
    page = client.get("/jumin/ido", params={"since": "2000-01-01T00:00:00+09:00", "pageSize": 2}).json()
    assert len(page["entry"]) == 2 and page["hasMore"] is True
    rest = client.get("/jumin/ido", params={"cursor": page["nextCursor"]}).json()
    assert len(rest["entry"]) == 1 and rest["hasMore"] is False
    setai = idos[0]["jumin"]["shikibetsu"]["setaiNo"]
    assert client.get(f"/jumin/setai/{setai}").json()["setaiNo"] == setai
    assert client.get("/jumin/ido", params={"cursor": "bm90LW91cnM"}).json()["code"] == "1012"


def test_management_needs_admin(hub: RunningHub, client: httpx.Client) -> None:
    assert client.get("/systems").status_code == 403
    admin = httpx.Client(base_url=f"{hub.url}/api/v1", headers={"X-API-Key": hub.admin_key})
    systems = admin.get("/systems").json()
    assert {s["id"] for s in systems} >= {"admin", "juki", "zei", "kokuho", "kaigo"}
    assert all("apiKey" not in s and "wssPassword" not in s for s in systems)
    new = admin.post("/systems", json={"id": "kouki", "name": "後期高齢者医療", "lgCode": "243035",
                                       "deliveryKind": "webhook", "endpointUrl": "http://127.0.0.1:9/x",
                                       "allow": ["jumin/JuminShokai"]})
    assert new.status_code == 201
    bad = admin.post("/systems", json={"id": "x1", "lgCode": "243036"})
    assert bad.status_code == 422 and bad.json()["code"] == "1005"
    sub = admin.post("/subscriptions", json={"systemId": "kouki", "service": "jumin", "operation": "IdoTsuchi",
                                             "idoCategories": ["減"]})
    assert sub.status_code == 201
    assert admin.delete(f"/subscriptions/{sub.json()['id']}").status_code == 204
    assert admin.delete("/systems/kouki").status_code == 204
    assert admin.get("/systems/kouki").json()["code"] == "3004"
    assert admin.get(f"/messages/{uuid.uuid4()}").json()["code"] == "3003"


def test_metrics_count_accepted_refused_and_delivered(hub: RunningHub, client: httpx.Client) -> None:
    client.post("/jumin/ido", json={"meta": header("juki"), "ido": SampleTown().tennyu()})
    client.post("/jumin/ido", json={"meta": header("juki", lg_code="243030"), "ido": SampleTown().tennyu()})
    until(lambda: len(hub.receivers["zei"].inbox.items) == 1)
    text = httpx.get(f"{hub.url}/metrics").text
    assert 'chipla_messages_accepted_total{operation="IdoTsuchi",service="jumin"}' in text
    assert 'chipla_messages_refused_total{channel="rest",code="1005"}' in text
    until(lambda: 'chipla_delivery_attempts_total{destination="zei",outcome="delivered"}'
          in httpx.get(f"{hub.url}/metrics").text)
