"""The kit's own 団体コード check digit agrees with the published vectors."""

from __future__ import annotations

import pytest

from conformance.lgcode import check_digit, is_valid, with_bad_check_digit


@pytest.mark.parametrize("code", ["243035", "011002", "131016", "240001"])
def test_published_codes_are_valid(code: str) -> None:
    assert is_valid(code)


@pytest.mark.parametrize("code", ["243036", "24303", "24303a", "2430355", ""])
def test_wrong_codes_are_invalid(code: str) -> None:
    assert not is_valid(code)


def test_check_digit_rules() -> None:
    assert check_digit("24303") == 5  # S = 50, r = 6
    assert check_digit("24000") == 1  # r = 10 → 1
    assert with_bad_check_digit("243035") == "243036"
    with pytest.raises(ValueError):
        check_digit("2430")
