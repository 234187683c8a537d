"""The signed JSON summary: the one file that carries the verdict, and proves the others unaltered.

The summary lists the SHA-256 of the JUnit XML, the cucumber JSON and the HTML report, and the
Ed25519 signature covers the summary, so altering any report file or any verdict breaks ``verify``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.options import KitOptions
from conformance.results import (
    FAILED,
    PASSED,
    RequirementVerdict,
    ScenarioOutcome,
    counts,
    requirement_verdicts,
    service_verdict,
)
from conformance.signing import file_digest, load_key, load_public_key, sign, signature_valid_public

SUMMARY = "summary.json"
JUNIT = "junit.xml"
CUCUMBER = "cucumber.json"
HTML = "report.html"


def build(options: KitOptions, outcomes: list[ScenarioOutcome], started: datetime,
          finished: datetime) -> tuple[dict[str, Any], list[RequirementVerdict]]:
    verdicts = requirement_verdicts(options.role, options.service, outcomes)
    verdict = service_verdict(verdicts)
    doc: dict[str, Any] = {
        "kit": {"name": "chipla conformance kit", "version": __version__},
        "target": {"baseUrl": options.base_url, "role": options.role, "service": options.service,
                   "lgCode": options.lg_code, "product": dict(options.product),
                   "triggerUrl": options.trigger_url},
        "startedAt": started.isoformat(timespec="seconds"),
        "finishedAt": finished.isoformat(timespec="seconds"),
        "durationSeconds": round((finished - started).total_seconds(), 2),
        "verdict": verdict,
        "services": {options.service: {"verdict": verdict, "counts": counts(verdicts)}},
        "scenarios": {"total": len(outcomes), "passed": sum(o.outcome == PASSED for o in outcomes),
                      "failed": sum(o.outcome == FAILED for o in outcomes)},
        "requirements": [v.to_dict() for v in verdicts],
    }
    return doc, verdicts


def write(report_dir: Path, doc: dict[str, Any], key_file: Path | None) -> Path:
    """Hash the sibling report files into the summary, sign it and write it."""
    files = {name: file_digest(report_dir / name) for name in (JUNIT, CUCUMBER, HTML)
             if (report_dir / name).is_file()}
    signed = sign({**doc, "files": files}, load_key(key_file))
    path = report_dir / SUMMARY
    path.write_text(json.dumps(signed, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def verify(report_path: str | Path, key_file: Path | None = None) -> bool:
    """True when the summary's signature holds and every file it lists is unchanged."""
    path = Path(report_path)
    if path.is_dir():
        path = path / SUMMARY
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        public = load_public_key(key_file)
    except (OSError, ValueError):
        return False
    if not isinstance(doc, dict) or not signature_valid_public(doc, public):
        return False
    for name, digest in (doc.get("files") or {}).items():
        sibling = path.parent / name
        if "/" in name or not sibling.is_file() or file_digest(sibling) != digest:
            return False
    return True
