"""Systems can be changed over REST, and removing one never drops its subscriptions silently."""

from __future__ import annotations

import httpx

from tests.support import RunningHub


def _client(hub: RunningHub) -> httpx.Client:
    return httpx.Client(base_url=f"{hub.url}/api/v1", headers={"X-API-Key": hub.admin_key}, timeout=30)


NEW = {"id": "fukushi", "name": "福祉システム", "lgCode": "243035", "allow": ["jumin/JuminShokai"]}


def test_post_of_an_existing_id_is_1015_and_put_patch_change_it(hub: RunningHub) -> None:
    with _client(hub) as api:
        assert api.post("/systems", json=NEW).status_code == 201
        again = api.post("/systems", json=NEW)
        assert again.status_code == 409 and again.json()["code"] == "1015"
        assert again.json()["title"] == "登録済み（同じIDの登録がある）"
        put = api.put("/systems/fukushi", json={**NEW, "name": "福祉総合システム", "bangoRiyo": True})
        assert put.status_code == 200 and put.json()["name"] == "福祉総合システム" and put.json()["bangoRiyo"]
        patch = api.patch("/systems/fukushi", json={"allow": ["jumin/JuminShokai", "jumin/SetaiShokai"]})
        assert patch.status_code == 200
        assert patch.json()["allow"] == ["jumin/JuminShokai", "jumin/SetaiShokai"]
        assert patch.json()["name"] == "福祉総合システム" and patch.json()["bangoRiyo"] is True
        assert api.put("/systems/nobody", json={**NEW, "id": "nobody"}).status_code == 404
        assert api.put("/systems/fukushi", json={**NEW, "id": "other"}).json()["code"] == "1012"


def test_delete_keeps_or_removes_subscriptions_only_when_told(hub: RunningHub) -> None:
    with _client(hub) as api:
        refused = api.delete("/systems/kaigo")
        assert refused.status_code == 400 and "subscriptions=remove" in refused.json()["detail"]
        assert any(s["systemId"] == "kaigo" for s in api.get("/subscriptions").json())
        assert api.delete("/systems/kaigo", params={"subscriptions": "remove"}).status_code == 204
        assert not any(s["systemId"] == "kaigo" for s in api.get("/subscriptions").json())
        assert api.get("/systems/kaigo").status_code == 404
