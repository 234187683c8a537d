"""With no faults the simulated products are 準拠 in every role, and the reports prove it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance import runner
from conformance.catalogue import for_role
from tests.conformance.conftest import KitRun


@pytest.mark.parametrize("role", ["provider", "receiver"])
def test_clean_vendor_conforms(run_vendor: Callable[..., KitRun], role: str) -> None:
    result = run_vendor(role)
    assert result.failing == set()
    assert result.status == 0
    assert result.summary["verdict"] == "準拠"
    assert {r["id"] for r in result.summary["requirements"]} == {r.id for r in for_role(role)}


def test_clean_sender_conforms(run_sender: Callable[..., KitRun]) -> None:
    result = run_sender()
    assert result.failing == set()
    assert result.status == 0


def test_reports_are_written_and_signed(run_vendor: Callable[..., KitRun], kit_key: Path) -> None:
    result = run_vendor("receiver")
    report = result.report
    junit = ET.parse(report / "junit.xml").getroot()
    suite = junit.find("testsuite")
    assert suite is not None
    scenario_count = suite.get("tests")
    assert scenario_count is not None
    assert int(scenario_count) == result.summary["scenarios"]["total"]
    cucumber = json.loads((report / "cucumber.json").read_text(encoding="utf-8"))
    tags = {tag["name"] for f in cucumber for el in f["elements"] for tag in el["tags"]}
    assert "JUMIN-IDEM-001" in tags
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "準拠確認報告書" in html and "総合判定" in html
    assert runner.verify(report, kit_key)
    assert runner.main(["verify", str(report), "--key", str(kit_key)]) == 0


def test_altered_report_fails_verification(run_vendor: Callable[..., KitRun], kit_key: Path) -> None:
    result = run_vendor("receiver")
    summary = result.report / "summary.json"
    doc = json.loads(summary.read_text(encoding="utf-8"))
    doc["requirements"][0]["verdict"] = "不準拠"
    summary.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert not runner.verify(result.report, kit_key)
    assert runner.main(["verify", str(result.report), "--key", str(kit_key)]) != 0


def test_altered_html_fails_verification(run_vendor: Callable[..., KitRun], kit_key: Path) -> None:
    result = run_vendor("receiver")
    html = result.report / "report.html"
    html.write_text(html.read_text(encoding="utf-8").replace("準拠", "不準拠", 1), encoding="utf-8")
    assert not runner.verify(result.report, kit_key)


def test_other_key_fails_verification(run_vendor: Callable[..., KitRun], tmp_path: Path) -> None:
    result = run_vendor("receiver")
    other = tmp_path / "other.key"
    other.write_text("00" * 32)
    assert not runner.verify(result.report, other)


def test_bad_options_are_a_usage_error(tmp_path: Path) -> None:
    assert runner.main(["run", "--role", "provider", "--report", str(tmp_path / "r")]) == 2
    assert runner.main(["run", "--role", "nobody", "--report", str(tmp_path / "r")]) == 2
