"""From scenario outcomes to verdicts: per requirement and per service.

A requirement is 準拠 when at least one of its scenarios ran and all of them passed, 不準拠 when any
failed, and 未確認 when none ran. The service is 準拠 only when every 必須 requirement of the role is
準拠: a requirement the kit could not check is not treated as met.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from conformance.catalogue import Requirement, for_role

CONFORMANT = "準拠"
NON_CONFORMANT = "不準拠"
UNCHECKED = "未確認"
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclass
class ScenarioOutcome:
    """One scenario run (one example row of an outline)."""

    nodeid: str
    feature: str
    scenario: str
    requirement_ids: list[str]
    outcome: str
    duration_s: float
    failed_step: str | None = None
    message: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RequirementVerdict:
    requirement: Requirement
    verdict: str
    scenarios: list[ScenarioOutcome]

    def to_dict(self) -> dict[str, Any]:
        r = self.requirement
        return {
            "id": r.id, "level": r.level, "title": r.title, "roles": list(r.roles),
            "clause": asdict(r.clause), "verdict": self.verdict,
            "scenarios": [s.to_dict() for s in self.scenarios],
        }


def requirement_verdicts(role: str, service: str,
                         outcomes: list[ScenarioOutcome]) -> list[RequirementVerdict]:
    out = []
    for req in for_role(role, service):
        ran = [o for o in outcomes if req.id in o.requirement_ids and o.outcome != SKIPPED]
        if not ran:
            verdict = UNCHECKED
        elif any(o.outcome == FAILED for o in ran):
            verdict = NON_CONFORMANT
        else:
            verdict = CONFORMANT
        out.append(RequirementVerdict(req, verdict, ran))
    return out


def service_verdict(verdicts: list[RequirementVerdict]) -> str:
    mandatory = [v for v in verdicts if v.requirement.mandatory]
    return CONFORMANT if mandatory and all(v.verdict == CONFORMANT for v in mandatory) else NON_CONFORMANT


def counts(verdicts: list[RequirementVerdict]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for v in verdicts:
        row = table.setdefault(v.requirement.level, {CONFORMANT: 0, NON_CONFORMANT: 0, UNCHECKED: 0})
        row[v.verdict] += 1
    return table
