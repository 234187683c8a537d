import pytest

from vocab.kansuji import kansuji_to_int, replace_kansuji


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("三十一", 31),
        ("二百五十一", 251),
        ("千九百八十九", 1989),
        ("二千二十", 2020),
        ("二五一", 251),
        ("二〇二〇", 2020),
        ("百", 100),
        ("壱", 1),
        ("拾", 10),
        ("参拾", 30),
    ],
)
def test_values(text: str, value: int) -> None:
    assert kansuji_to_int(text) == value


@pytest.mark.parametrize("text", ["", "十十", "二三十", "百十百", "万", "五a"])
def test_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        kansuji_to_int(text)


def test_replace_in_text() -> None:
    assert replace_kansuji("令和二年十二月三十一日") == "令和2年12月31日"
    assert replace_kansuji("三重県") == "3重県"  # callers decide where numbers may stand
