import pytest

from vocab import lgcode

VECTORS = [("01100", "011002"), ("13101", "131016"), ("24303", "243035"), ("24000", "240001")]


@pytest.mark.parametrize(("five", "six"), VECTORS)
def test_check_digit_vectors(five: str, six: str) -> None:
    assert lgcode.check_digit(five) == six[5]
    assert lgcode.to_six(five) == six
    assert lgcode.to_five(six) == five
    assert lgcode.is_valid(six)


def test_remainder_zero_gives_one_and_remainder_one_gives_zero() -> None:
    assert lgcode.check_digit("00000") == "1"  # S = 0, r = 0
    assert lgcode.check_digit("20000") == "0"  # S = 12, r = 1
    assert lgcode.check_digit("00011") == "6"  # S = 5, r = 5


@pytest.mark.parametrize(
    "bad",
    ["243036", "24303", "2430355", "24303a", "２４３０３５", "", " 243035", "2430-5"],
)
def test_is_valid_rejects(bad: str) -> None:
    assert not lgcode.is_valid(bad)


def test_to_five_rejects_bad_check_digit() -> None:
    with pytest.raises(ValueError, match="expected '5'"):
        lgcode.to_five("243030")


@pytest.mark.parametrize("bad", ["2430", "243031", "2430a", "２４３０３"])
def test_check_digit_needs_five_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        lgcode.check_digit(bad)
