import pytest

from vocab import lgcode
from vocab.address import known_municipalities, normalize, prefectures
from vocab.address.banchi import find_banchi_start, split_banchi
from vocab.address.regions import split_municipality

TOWN = {
    "prefecture": "三重県",
    "county": "桑名郡",
    "city": "木曽岬町",
    "oaza": "西対海地",
    "banchi": "251",
    "katagaki": None,
    "postcode": "4980807",
    "lg_code": "243035",
    "machiaza_id": None,
    "match_level": "machiaza",
}


@pytest.mark.parametrize(
    "text",
    [
        "三重県桑名郡木曽岬町大字西対海地251",
        "木曾岬町大字西対海地２５１",
        "桑名郡木曽岬町西対海地二百五十一番地",
        "三重県桑名郡木曽岬町大字西対海地251番地",
        "三重県　桑名郡木曽岬町　大字西対海地　２５１",
        "木曽岬町大字西対海地二五一",
    ],
)
def test_the_town_office_address_in_every_spelling(text: str) -> None:
    assert normalize(text) == TOWN


def test_katagaki_after_banchi() -> None:
    result = normalize("木曽岬町大字西対海地251 役場庁舎2階")
    assert (result["banchi"], result["katagaki"]) == ("251", "役場庁舎2階")
    result = normalize("三重県桑名郡木曽岬町見入流作251-3 コーポ木曽岬101号")
    assert result["oaza"] == "見入流作"
    assert result["postcode"] == "4980822"
    assert (result["banchi"], result["katagaki"]) == ("251-3", "コーポ木曽岬101号")


@pytest.mark.parametrize(
    ("text", "oaza", "banchi", "postcode"),
    [
        ("木曽岬町大字和泉１２３番地の４", "和泉", "123-4", "4980803"),
        ("木曽岬町小和泉5", "小和泉", "5", "4980804"),
        ("木曽岬町中和泉5-2", "中和泉", "5-2", "4980812"),
        ("木曽岬町見入10", "見入", "10", "4980802"),
        ("木曽岬町新加路戸1", "新加路戸", "1", "4980821"),
        ("木曽岬町加路戸1", "加路戸", "1", "4980801"),
        ("木曽岬町大字雁ヶ地10", "雁ケ地", "10", "4980818"),
        ("木曽岬町三崎三番地", "三崎", "3", "4980814"),
        ("木曽岬町外平喜1番地2", "外平喜", "1-2", "4980806"),
    ],
)
def test_oaza_of_the_town(text: str, oaza: str, banchi: str, postcode: str) -> None:
    result = normalize(text)
    assert (result["oaza"], result["banchi"], result["postcode"]) == (oaza, banchi, postcode)
    assert result["match_level"] == "machiaza"
    assert result["machiaza_id"] is None


def test_unknown_oaza_is_kept_as_text_without_postcode() -> None:
    result = normalize("三重県桑名郡木曽岬町大字東西南12")
    assert result["oaza"] == "東西南"
    assert result["banchi"] == "12"
    assert result["postcode"] is None
    assert result["lg_code"] == "243035"
    assert result["machiaza_id"] is None
    assert result["match_level"] == "city"


def test_written_postcode_is_used_only_when_the_list_has_none() -> None:
    assert normalize("〒498-8503 三重県桑名郡木曽岬町大字西対海地251")["postcode"] == "4980807"
    assert normalize("〒498-0000 木曽岬町大字東西南12")["postcode"] == "4980000"


@pytest.mark.parametrize(
    ("text", "prefecture", "county", "city", "oaza", "banchi", "lg_code"),
    [
        ("三重県桑名市長島町1-2", "三重県", None, "桑名市", "長島町", "1-2", None),
        ("東京都千代田区霞が関2-1-10", "東京都", None, "千代田区", "霞が関", "2-1-10", "131016"),
        ("東京都千代田区霞が関二丁目1番10号", "東京都", None, "千代田区", "霞が関", "2-1-10", "131016"),
        ("北海道札幌市中央区北1条西2丁目", "北海道", None, "札幌市中央区", "北1条西", "2", "011002"),
        ("東京都東村山市本町1-2-3", "東京都", None, "東村山市", "本町", "1-2-3", None),
        ("長野県大町市大町1", "長野県", None, "大町市", "大町", "1", None),
        ("三重県四日市市諏訪町1-5", "三重県", None, "四日市市", "諏訪町", "1-5", None),
        ("大阪府大阪市北区梅田1", "大阪府", None, "大阪市北区", "梅田", "1", None),
        ("愛知県海部郡蟹江町大字蟹江本町1", "愛知県", "海部郡", "蟹江町", "蟹江本町", "1", None),
    ],
)
def test_other_municipalities_are_split_generically(
    text: str,
    prefecture: str,
    county: str | None,
    city: str,
    oaza: str,
    banchi: str,
    lg_code: str | None,
) -> None:
    result = normalize(text)
    assert (result["prefecture"], result["county"], result["city"]) == (prefecture, county, city)
    assert (result["oaza"], result["banchi"], result["lg_code"]) == (oaza, banchi, lg_code)
    assert result["postcode"] is None and result["machiaza_id"] is None
    assert result["match_level"] == "city"


def test_prefecture_only_and_nothing() -> None:
    assert normalize("三重県")["match_level"] == "prefecture"
    result = normalize("どこか")
    assert result["match_level"] == "unknown"
    assert result["lg_code"] is None


def test_prefectures_are_all_47_with_valid_codes() -> None:
    table = prefectures()
    assert len(table) == 47
    assert [p.code for p in table] == [f"{n:02d}" for n in range(1, 48)]
    for prefecture in table:
        assert lgcode.is_valid(prefecture.lg_code)
        assert prefecture.lg_code.startswith(prefecture.code + "000")
    assert {p.name for p in table} >= {"北海道", "東京都", "京都府", "大阪府", "三重県", "沖縄県"}


def test_known_municipalities_have_valid_codes() -> None:
    for municipality in known_municipalities():
        assert lgcode.is_valid(municipality.lg_code)
    assert any(m.lg_code == "243035" and m.city == "木曽岬町" for m in known_municipalities())


@pytest.mark.parametrize(
    ("text", "banchi", "katagaki"),
    [
        ("251", "251", None),
        ("二百五十一番地", "251", None),
        ("１２３番地の４", "123-4", None),
        ("123番地の4", "123-4", None),
        ("5番3号", "5-3", None),
        ("251ー3", "251-3", None),
        ("251番地三重ビル", "251", "三重ビル"),
        ("一番地の五 二階", "1-5", "二階"),
        ("コーポ101", None, "コーポ101"),
    ],
)
def test_split_banchi(text: str, banchi: str | None, katagaki: str | None) -> None:
    assert split_banchi(text) == (banchi, katagaki)


def test_find_banchi_start_skips_numerals_in_names() -> None:
    assert find_banchi_start("三崎二百番地") == 2
    assert find_banchi_start("五十鈴川12") == 4
    assert find_banchi_start("東西") is None


def test_split_municipality_irregular_names() -> None:
    assert split_municipality("東村山市本町")[1] == "東村山市"
    assert split_municipality("羽村市緑ヶ丘")[1] == "羽村市"
    assert split_municipality("余市郡余市町大川町")[:2] == ("余市郡", "余市町")
