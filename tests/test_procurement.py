"""The procurement registry and KPIs, over REST (admin only) and from the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import api_specs
from chipla import cli
from conformance.signing import sign
from procurement import register
from procurement.register import KNOWN_GYOMU
from simulators.sandbox import RunningHub, sqlite_url, start_hub

KOSEKI = {"gyomu": "戸籍", "vendor": "ベンダーD", "product": "戸籍システム", "version": "1.0",
          "specRequiresStandard": True, "conformance": {"result": "準拠", "checkedAt": "2026-11-01"}}


@pytest.fixture
def town(tmp_path: Path) -> Path:
    path = tmp_path / "town.yaml"
    shutil.copy(register.DEFAULT_PATH, path)
    return path


@pytest.fixture
def hub_with_registry(tmp_path: Path, town: Path) -> Iterator[RunningHub]:
    running = start_hub(sqlite_url(tmp_path), procurement_registry=str(town))
    yield running
    running.stop()


def api(hub: RunningHub, method: str, path: str, key: str | None = None, **kw: Any) -> httpx.Response:
    headers = {"X-API-Key": key if key is not None else hub.admin_key}
    return httpx.request(method, f"{hub.url}/api/v1/procurement/{path}", headers=headers, timeout=10, **kw)


def test_admin_lists_the_town_registry(hub_with_registry: RunningHub) -> None:
    body = api(hub_with_registry, "GET", "systems").json()
    assert body["lgCode"] == "243035" and body["writable"] is True
    assert {s["gyomu"] for s in body["systems"]} == {"住民基本台帳", "個人住民税", "国民健康保険", "介護保険"}
    only = api(hub_with_registry, "GET", "systems", params={"gyomu": "介護保険"}).json()["systems"]
    assert [s["product"] for s in only] == ["介護保険システム（記入例）"]


def test_only_admins_see_the_registry(hub_with_registry: RunningHub) -> None:
    assert api(hub_with_registry, "GET", "systems", key=hub_with_registry.juki_key).status_code == 403
    assert api(hub_with_registry, "GET", "kpi", key="not-a-key-at-all").status_code == 401
    refused = api(hub_with_registry, "POST", "systems", key=hub_with_registry.juki_key, json=KOSEKI)
    assert refused.status_code == 403 and refused.json()["code"] == "2005"


def test_adding_a_system_is_persisted_and_moves_the_kpis(hub_with_registry: RunningHub, town: Path) -> None:
    before = api(hub_with_registry, "GET", "kpi", params={"standard": "act2021"}).json()
    assert set(before) == {"lgCode", "municipality", "act2021"}
    created = api(hub_with_registry, "POST", "systems", json=KOSEKI)
    assert created.status_code == 201, created.text
    assert created.json()["conformance"]["result"] == "準拠"
    assert register.show(register.load(town), "戸籍").product == "戸籍システム"
    after = api(hub_with_registry, "GET", "kpi").json()
    spec, adopted = "仕様書への記載率", "準拠製品の導入率"
    assert after["act2021"][spec]["count"] == before["act2021"][spec]["count"] + 1
    assert after["act2021"][adopted] == {"count": before["act2021"][adopted]["count"] + 1, "rate": 0.05}
    # 戸籍 is not an APPLIC 業務: the APPLIC list does not move.
    assert after["applic"][adopted]["count"] == 0 and after["applic"]["denominator"] == 26
    again = api(hub_with_registry, "POST", "systems", json=KOSEKI)
    assert again.status_code == 409 and again.json()["code"] == "1009"


@pytest.mark.parametrize("body", [
    {**KOSEKI, "gyomu": "宇宙開発"},
    {**KOSEKI, "extra": 1},
    {**KOSEKI, "conformance": {"result": "たぶん準拠"}},
    {k: v for k, v in KOSEKI.items() if k != "version"},
])
def test_bad_entries_are_refused_and_not_written(hub_with_registry: RunningHub, town: Path,
                                                 body: dict[str, Any]) -> None:
    before = town.read_bytes()
    reply = api(hub_with_registry, "POST", "systems", json=body)
    assert reply.status_code == 400 and reply.headers["content-type"].startswith("application/problem+json")
    assert town.read_bytes() == before


def test_the_kits_example_registry_is_served_read_only(tmp_path: Path) -> None:
    before = register.DEFAULT_PATH.read_bytes()
    hub = start_hub(sqlite_url(tmp_path))
    try:
        assert api(hub, "GET", "systems").json()["writable"] is False
        refused = api(hub, "POST", "systems", json=KOSEKI)
        assert refused.status_code == 403 and "CHIPLA_PROCUREMENT_REGISTRY" in refused.json()["detail"]
    finally:
        hub.stop()
    assert register.DEFAULT_PATH.read_bytes() == before


def test_a_broken_registry_file_stops_the_hub_at_start(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("lgCode: '243036'\nmunicipality: x\nsystems: []\n", encoding="utf-8")
    with pytest.raises(register.RegisterError):
        start_hub(sqlite_url(tmp_path), procurement_registry=str(bad))


def test_the_contract_lists_exactly_the_pinned_gyomu() -> None:
    spec = yaml.safe_load(api_specs.path("openapi.yaml").read_text(encoding="utf-8"))
    assert set(spec["components"]["schemas"]["Gyomu"]["enum"]) == KNOWN_GYOMU


def test_kpi_cli_prints_both_rates_for_both_lists(town: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert cli.main(["conformance", "kpi", "--registry", str(town)]) == 0
    out = capsys.readouterr().out
    assert out.count("仕様書への記載率") == 2 and out.count("準拠製品の導入率") == 2
    # a copy of the example: its 記入例 rows never count
    assert "0 / 26 = 0.0%" in out and "0 / 20 = 0.0%" in out and "1 / 20" not in out
    assert cli.main(["conformance", "kpi", "--registry", str(town), "--standard", "act2021", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"lgCode", "municipality", "act2021"}


def signed_report(folder: Path, key: Path, verdict: str) -> Path:
    folder.mkdir(parents=True)
    key.write_text("ab" * 32 + "\n", encoding="ascii")
    doc = sign({"verdict": verdict, "finishedAt": "2026-11-20T10:00:00+09:00", "files": {}},
               bytes.fromhex("ab" * 32))
    (folder / "summary.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return folder


def test_registry_cli_records_a_signed_report(town: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "k.key"
    report = signed_report(tmp_path / "reports" / "koseki", key, "準拠")
    add = ["conformance", "registry", "--registry", str(town), "add", "--gyomu", "戸籍", "--vendor", "v",
           "--product", "戸籍システム", "--version", "2", "--spec-requires-standard"]
    assert cli.main([*add, "--report", str(report), "--key", str(key)]) == 0
    recorded = register.show(register.load(town), "戸籍").conformance
    assert (recorded.result, recorded.checkedAt) == ("準拠", "2026-11-20T10:00:00+09:00")
    # A signed 不準拠 report given to kpi overrides the recorded 準拠.
    (report / "summary.json").write_text(json.dumps(sign(
        {"verdict": "不準拠", "files": {}}, bytes.fromhex("ab" * 32))), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["conformance", "kpi", "--registry", str(town), "--standard", "act2021", "--json",
                     "--reports", str(report), "--key", str(key)]) == 0
    assert json.loads(capsys.readouterr().out)["act2021"]["準拠製品の導入率"]["count"] == 0


def test_registry_cli_refuses_altered_reports_and_the_example_file(town: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "k.key"
    report = signed_report(tmp_path / "r", key, "不準拠")
    summary = report / "summary.json"
    summary.write_text(summary.read_text(encoding="utf-8").replace("不準拠", "準拠"), encoding="utf-8")
    add = ["add", "--gyomu", "戸籍", "--vendor", "v", "--product", "p", "--version", "1",
           "--no-spec-requires-standard"]
    before = town.read_bytes()
    assert cli.main(["conformance", "registry", "--registry", str(town), *add, "--report", str(report),
                     "--key", str(key)]) == 1
    assert town.read_bytes() == before
    monkeypatch.delenv("CHIPLA_PROCUREMENT_REGISTRY", raising=False)
    monkeypatch.delenv("CHIPLA_CONFIG", raising=False)
    example = register.DEFAULT_PATH.read_bytes()
    assert cli.main(["conformance", "registry", *add]) == 2
    assert register.DEFAULT_PATH.read_bytes() == example
    assert cli.main(["conformance", "registry", "show", "戸籍"]) == 1


def test_the_documented_add_replaces_the_example_row_and_then_its_own(
        town: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """docs/conformance.md: the first add for a 業務 takes the 記入例 row's place; --replace a later one."""
    monkeypatch.setenv("CHIPLA_PROCUREMENT_REGISTRY", str(town))
    monkeypatch.chdir(tmp_path)
    signed_report(tmp_path / "reports" / "receiver", tmp_path / "office.key", "準拠")
    add = ["conformance", "registry", "add", "--gyomu", "介護保険", "--vendor", "ベンダーC",
           "--product", "介護保険システム", "--no-spec-requires-standard",
           "--report", "reports/receiver", "--key", "office.key"]
    assert cli.main([*add, "--version", "2.1"]) == 0
    kaigo = register.systems(register.load(town), "介護保険")
    assert [(s.product, s.version, s.example) for s in kaigo] == [("介護保険システム", "2.1", False)]
    assert cli.main([*add, "--version", "2.2"]) == 2  # the same product again needs --replace
    assert cli.main([*add, "--version", "2.2", "--replace"]) == 0
    kaigo = register.systems(register.load(town), "介護保険")
    assert [(s.version, s.conformance.result) for s in kaigo] == [("2.2", "準拠")]
    capsys.readouterr()
    assert cli.main(["conformance", "kpi", "--standard", "act2021", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["act2021"]["準拠製品の導入率"]["count"] == 1


def test_a_missing_key_is_not_an_altered_report(town: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    report = signed_report(tmp_path / "r", tmp_path / "k.key", "準拠")
    assert cli.main(["conformance", "verify", str(report), "--key", str(tmp_path / "k.key")]) == 0
    capsys.readouterr()
    assert cli.main(["conformance", "verify", str(report), "--key", "doesnotexist.key"]) == 2
    out = capsys.readouterr().out
    assert "署名鍵ファイルがありません" in out and "doesnotexist.key" in out and "改ざん" not in out
    (report / "summary.json").write_text("{}", encoding="utf-8")
    assert cli.main(["conformance", "verify", str(report), "--key", str(tmp_path / "k.key")]) == 1
    assert "改ざん" in capsys.readouterr().out
    add = ["conformance", "registry", "--registry", str(town), "add", "--gyomu", "戸籍", "--vendor", "v",
           "--product", "p", "--version", "1", "--no-spec-requires-standard"]
    assert cli.main([*add, "--report", str(report), "--key", "doesnotexist.key"]) == 2
    assert cli.main(["conformance", "kpi", "--registry", str(town), "--reports", str(report),
                     "--key", "doesnotexist.key"]) == 2
