import pytest

from vocab import codelists
from vocab.codelists import UnknownCodeError

ALL_LISTS = codelists.list_names()


def test_all_expected_lists_exist() -> None:
    assert set(ALL_LISTS) >= {
        "seibetsu",
        "zokugara",
        "ido_jiyu",
        "nengo_1digit",
        "nengo_2digit",
        "kaigo_shikaku_ido_jiyu",
        "yokaigo_jotai_kubun",
    }


@pytest.mark.parametrize("name", ALL_LISTS)
def test_every_list_round_trips_code_label_and_key(name: str) -> None:
    code_list = codelists.load(name)
    assert len(code_list) > 0
    for code in code_list.codes():
        label = code_list.label(code)
        assert code_list.code_for(label) == code
        key = code_list.key(code)
        if key is not None:
            assert code_list.code_for_key(key) == code


@pytest.mark.parametrize("name", ALL_LISTS)
def test_unknown_code_error_names_list_and_code(name: str) -> None:
    with pytest.raises(UnknownCodeError) as caught:
        codelists.load(name).label("ZZ9")
    assert name in str(caught.value)
    assert "ZZ9" in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert caught.value.list_name == name


def test_unknown_label_is_reported_too() -> None:
    with pytest.raises(UnknownCodeError, match="label '叔父' is not in code list 'zokugara'"):
        codelists.load("zokugara").code_for("叔父")


def test_seibetsu() -> None:
    seibetsu = codelists.load("seibetsu")
    assert seibetsu.label("1") == "男"
    assert seibetsu.label("2") == "女"
    assert seibetsu.codes() == ("0", "1", "2", "9")


def test_zokugara_has_main_values() -> None:
    zokugara = codelists.load("zokugara")
    labels = {zokugara.label(code) for code in zokugara.codes()}
    expected = (
        "世帯主 妻 夫 子 父 母 孫 兄 姉 弟 妹 祖父 祖母 "
        "妻の父 妻の母 夫の父 夫の母 縁故者 同居人 子の妻 子の夫"
    )
    assert set(expected.split()) <= labels
    assert zokugara.code_for("世帯主") == "01"


@pytest.mark.parametrize(
    ("key", "category"),
    [
        ("tennyu", "増"),
        ("shussei", "増"),
        ("shokken_kisai", "増"),
        ("kokuseki_shutoku", "増"),
        ("tenshutsu", "減"),
        ("shibou", "減"),
        ("shokken_shojo", "減"),
        ("kokuseki_soshitsu", "減"),
        ("tenkyo", "変更"),
        ("setai_henko", "変更"),
        ("shimei_henko", "変更"),
        ("zokugara_henko", "変更"),
        ("jusho_settei", "変更"),
        ("setainushi_henko", "変更"),
    ],
)
def test_ido_jiyu_categories(key: str, category: str) -> None:
    ido_jiyu = codelists.load("ido_jiyu")
    code = ido_jiyu.code_for_key(key)
    assert len(code) == 2 and code.isdigit()
    assert ido_jiyu.category(code) == category


def test_ido_jiyu_groups_are_disjoint_and_complete() -> None:
    ido_jiyu = codelists.load("ido_jiyu")
    groups = [set(ido_jiyu.in_category(name)) for name in ("増", "減", "変更")]
    assert sum(len(group) for group in groups) == len(ido_jiyu)


def test_nengo_both_widths_and_conversion() -> None:
    one, two = codelists.load("nengo_1digit"), codelists.load("nengo_2digit")
    assert [one.label(c) for c in one.codes()] == ["明治", "大正", "昭和", "平成", "令和"]
    assert two.codes() == ("01", "02", "03", "04", "05")
    for code in one.codes():
        assert codelists.nengo_to_1digit(codelists.nengo_to_2digit(code)) == code
    assert codelists.nengo_to_2digit("5") == "05"
    assert codelists.nengo_to_1digit("04") == "4"
    with pytest.raises(UnknownCodeError, match="nengo_1digit"):
        codelists.nengo_to_2digit("6")


def test_kaigo_shikaku_ido_jiyu_exactly_as_standards() -> None:
    kaigo = codelists.load("kaigo_shikaku_ido_jiyu")
    expected = "001 002 006 053 054 055 059 155 160 202 203 209 253 254 255"
    assert kaigo.codes() == tuple(expected.split())
    assert kaigo.label("002") == "年齢到達"
    assert kaigo.label("209") == "転出"
    for code in kaigo.codes():
        expected = {"0": "取得", "1": "変更", "2": "喪失"}[code[0]]
        assert kaigo.category(code) == expected


def test_yokaigo_jotai_kubun_exactly_as_standards() -> None:
    kubun = codelists.load("yokaigo_jotai_kubun")
    assert dict((entry.code, entry.label) for entry in kubun) == {
        "00": "自立",
        "11": "経過的要介護",
        "12": "要支援1",
        "13": "要支援2",
        "21": "要介護1",
        "22": "要介護2",
        "23": "要介護3",
        "24": "要介護4",
        "25": "要介護5",
        "31": "再調査",
        "88": "取消",
        "99": "なし",
    }


def test_codes_are_strings_not_numbers() -> None:
    assert "01" in codelists.load("zokugara")
    assert 1 not in codelists.load("seibetsu")
    with pytest.raises(UnknownCodeError):
        codelists.load("zokugara").label("1")


def test_unknown_list_name() -> None:
    with pytest.raises(KeyError, match="no code list named 'nope'"):
        codelists.load("nope")


def test_duplicate_labels_fail_at_construction() -> None:
    entries = (codelists.CodeEntry("1", "男"), codelists.CodeEntry("2", "男"))
    with pytest.raises(ValueError, match="repeats label"):
        codelists.CodeList("broken", "broken", entries)
