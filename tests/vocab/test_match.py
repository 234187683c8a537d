import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vocab.moji.match import fold_table, match_key, match_prefix, matches


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("木曾岬町", "木曽岬町"),
        ("髙橋", "高橋"),
        ("山﨑", "山崎"),
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),
        ("渡邊", "渡邉"),
        ("齋藤", "斎藤"),
        ("齊藤", "斎藤"),
        ("齋藤", "齊藤"),
        ("澤田", "沢田"),
        ("濱田", "浜田"),
        ("國井", "国井"),
        ("𠮷田", "吉田"),
        ("嶋田", "島田"),
        ("廣田", "広田"),
        ("ｷｿｻｷﾁｮｳ", "キソサキチョウ"),
        ("ＡＢＣ１２３", "abc123"),
        ("山田　太郎", "山田 太郎"),
        ("雁ヶ地", "雁ケ地"),
        ("葛\U000e0100城", "葛城"),
    ],
)
def test_variants_match(a: str, b: str) -> None:
    assert matches(a, b)
    assert matches(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("木曽岬町", "桑名市"),
        ("高橋", "高島"),
        ("斎藤", "佐藤"),
        ("浜田", "沢田"),
        ("玉田", "王田"),
        ("キソサキ", "きそさき"),
        ("加路戸", "新加路戸"),
    ],
)
def test_different_names_do_not_match(a: str, b: str) -> None:
    assert not matches(a, b)


def test_match_key_is_a_new_string_and_registered_name_is_kept() -> None:
    registered = "木曾岬町"
    key = match_key(registered)
    assert key == match_key("木曽岬町")
    assert registered == "木曾岬町"


def test_fold_table_bases_are_not_folded_again() -> None:
    table = fold_table()
    assert table["齊"] == "斎"
    assert all(base not in table for base in table.values())


def test_match_prefix_cuts_the_original_text() -> None:
    text = "木曾岬町大字西対海地251"
    length = match_prefix(text, "木曽岬町")
    assert length == 4
    assert text[length:] == "大字西対海地251"
    assert match_prefix("ｷｿｻｷﾁｮｳ役場", "キソサキチョウ") == 7
    assert match_prefix("大字西対海地", "木曽岬町") is None
    assert match_prefix("木曽", "木曽岬町") is None


JIS_KANJI = st.sampled_from(
    [chr(code) for code in range(0x4E00, 0x9FA0) if chr(code).encode("euc_jp", errors="ignore")]
)


@settings(deadline=None)  # the first call loads the 異体字 tables; on a busy machine that alone passes 200 ms
@given(st.text(alphabet=JIS_KANJI, min_size=1, max_size=6))
def test_match_key_is_idempotent(text: str) -> None:
    key = match_key(text)
    assert match_key(key) == key
    assert matches(text, key)
