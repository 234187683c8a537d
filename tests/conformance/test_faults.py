"""Each deliberate fault of the simulated products is reported under its requirement and no other."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conformance.conftest import KitRun

VENDOR_FAULTS = [
    ("wrong_namespace", "provider", {"JUMIN-SAFE-004"}),
    ("wrong_namespace", "receiver", {"JUMIN-SAFE-004"}),
    ("missing_header_accepted", "receiver", {"JUMIN-HDR-001"}),
    ("missing_header_accepted", "provider", {"JUMIN-HDR-001"}),
    ("wrong_result_code", "provider", {"JUMIN-RC-001"}),
    ("replay_accepted", "receiver", {"JUMIN-SEC-003"}),
    ("replay_accepted", "provider", {"JUMIN-SEC-003"}),
    ("stale_token_accepted", "provider", {"JUMIN-SEC-004"}),
    ("duplicate_500", "receiver", {"JUMIN-IDEM-001"}),
    ("out_of_order", "provider", {"JUMIN-ORD-002"}),
    ("out_of_order", "receiver", {"JUMIN-ORD-001"}),
    ("schema_invalid_response", "provider", {"JUMIN-XSD-001"}),
    ("schema_invalid_response", "receiver", {"JUMIN-XSD-002"}),
    ("paging_gaps", "provider", {"JUMIN-PAGE-001"}),
    ("dtd_accepted", "receiver", {"JUMIN-SAFE-002"}),
    ("oversized_accepted", "provider", {"JUMIN-SAFE-003"}),
    ("naive_datetime", "receiver", {"JUMIN-DT-001"}),
    ("naive_datetime", "provider", {"JUMIN-DT-001"}),
]

SENDER_FAULTS = [
    ("sender_missing_header", {"JUMIN-HDR-004"}),
    ("sender_bad_lg_code", {"JUMIN-HDR-005"}),
    ("sender_stale_token", {"JUMIN-SEC-005"}),
    ("sender_reused_nonce", {"JUMIN-SEC-005"}),
    ("sender_schema_invalid", {"JUMIN-XSD-003"}),
    ("sender_out_of_order", {"JUMIN-ORD-003"}),
    ("sender_reused_message_id", {"JUMIN-HDR-006"}),
    ("sender_wrong_action", {"JUMIN-SOAP-003"}),
]


@pytest.mark.parametrize(("fault", "role", "expected"), VENDOR_FAULTS,
                         ids=[f"{f}-{r}" for f, r, _ in VENDOR_FAULTS])
def test_vendor_fault_is_detected_by_its_requirement(run_vendor: Callable[..., KitRun], fault: str, role: str,
                                                     expected: set[str]) -> None:
    result = run_vendor(role, {fault})
    assert result.failing == expected
    assert result.status == 1
    assert result.summary["verdict"] == "不準拠"


@pytest.mark.parametrize(("fault", "expected"), SENDER_FAULTS, ids=[f for f, _ in SENDER_FAULTS])
def test_sender_fault_is_detected_by_its_requirement(run_sender: Callable[..., KitRun], fault: str,
                                                     expected: set[str]) -> None:
    result = run_sender({fault})
    assert result.failing == expected
    assert result.status == 1


def test_failing_step_carries_request_and_response(run_vendor: Callable[..., KitRun]) -> None:
    result = run_vendor("receiver", {"replay_accepted"})
    req = next(r for r in result.summary["requirements"] if r["id"] == "JUMIN-SEC-003")
    failed = next(s for s in req["scenarios"] if s["outcome"] == "failed")
    assert "2003" in failed["message"]
    evidence = failed["evidence"]
    assert evidence and "UsernameToken" in evidence[0]["request_body"]
    assert "IdoTsuchiResponse" in evidence[0]["response_body"]
    html = (result.report / "report.html").read_text(encoding="utf-8")
    assert "不準拠" in html and "JUMIN-SEC-003" in html and "UsernameToken" in html
