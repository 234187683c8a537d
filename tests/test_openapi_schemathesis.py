"""Schemathesis over the served OpenAPI document, against a running hub, must find no failure.

Every check runs except ``positive_data_acceptance``: the hub refuses some schema-valid requests
on purpose, by rules JSON Schema cannot express (団体コード check digit, code lists, an 異動日 older
than the record, a cursor the hub never issued). Those refusals are tested one by one elsewhere.
The fuzzer is refused thousands of times a minute on purpose, so its hub does not turn a client away
after many refusals (2007); that limit is tested in tests/security/test_refusal_limits.py.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import RunningHub, sqlite_url, start_hub


@pytest.fixture
def fuzzed_hub(tmp_path: Path) -> Iterator[RunningHub]:
    running = start_hub(sqlite_url(tmp_path), refusals_per_minute=1_000_000)
    yield running
    running.stop()


def test_schemathesis_finds_nothing(fuzzed_hub: RunningHub, tmp_path: Path) -> None:
    hub = fuzzed_hub
    exe = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [str(exe), "run", f"{hub.url}/api/v1/openapi.json", "--checks", "all",
         "--exclude-checks", "positive_data_acceptance", "-H", f"X-API-Key: {hub.admin_key}",
         "--max-examples", "25", "--no-color", "--seed", "243035"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
