import pytest

from vocab.moji.kana import invalid_kana_positions, is_kana_field, to_fullwidth_kana, to_halfwidth_ascii


@pytest.mark.parametrize(
    ("half", "full"),
    [
        ("ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ"),
        ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
        ("ｷｿｻｷﾁｮｳ", "キソサキチョウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
        ("ｺｰﾎﾟ･ｷｿｻｷ", "コーポ・キソサキ"),
        ("山田ﾀﾛｳ123", "山田タロウ123"),
    ],
)
def test_halfwidth_kana_to_fullwidth(half: str, full: str) -> None:
    assert to_fullwidth_kana(half) == full


def test_unjoinable_sound_mark_becomes_spacing_mark() -> None:
    assert to_fullwidth_kana("aﾞ") == "a゛"
    assert to_fullwidth_kana("ﾟ") == "゜"
    assert "\u3099" not in to_fullwidth_kana("ｱﾞ")


def test_input_is_not_modified() -> None:
    original = "ｶﾞｯｺｳ"
    to_fullwidth_kana(original)
    assert original == "ｶﾞｯｺｳ"


def test_halfwidth_ascii() -> None:
    assert to_halfwidth_ascii("１２３ＡＢＣ－　ｘ") == "123ABC- x"
    assert to_halfwidth_ascii("木曽岬") == "木曽岬"


@pytest.mark.parametrize(
    "text", ["ヤマダ タロウ", "ヤマダ　タロウ", "ヴァン", "ケンニュウリュウサク", "ー", ""]
)
def test_valid_kana_fields(text: str) -> None:
    assert is_kana_field(text)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("ﾔﾏﾀﾞ", [(0, "ﾔ"), (1, "ﾏ"), (2, "ﾀ"), (3, "ﾞ")]),
        ("やまだ", [(0, "や"), (1, "ま"), (2, "だ")]),
        ("ヤマダ1", [(3, "1")]),
        ("山田", [(0, "山"), (1, "田")]),
        ("ヤマダ・タロウ", [(3, "・")]),
    ],
)
def test_invalid_kana_fields_report_positions(text: str, bad: list[tuple[int, str]]) -> None:
    assert not is_kana_field(text)
    assert invalid_kana_positions(text) == bad
