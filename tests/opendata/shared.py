"""Real data of other municipalities, read from ``../shared/data`` beside the project (never copied
into it): missing data fails the run when ``CI`` is set and skips the test otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"shared data {path} is missing (it lives beside the project, in ../shared/data)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
