from pathlib import Path

import pytest

from vocab.address import OazaList


def test_town_list_matches_shared_data() -> None:
    oaza = OazaList.load()
    assert len(oaza) == 22
    shared = Path(__file__).parents[2] / "vocab" / "data" / "kisosaki_oaza.csv"
    assert shared.read_text(encoding="utf-8").startswith("postcode,oaza,oaza_kana\n")
    entry = oaza.find("西対海地")
    assert entry is not None
    assert (entry.postcode, entry.kana, entry.machiaza_id) == ("4980807", "ニシタイガンジ", None)


def test_every_postcode_is_seven_digits_in_498_08xx() -> None:
    for entry in OazaList.load():
        assert entry.postcode is not None
        assert entry.postcode.startswith("49808") and len(entry.postcode) == 7


def test_find_tolerates_prefix_and_variants() -> None:
    oaza = OazaList.load()
    found = oaza.find("大字雁ヶ地")
    assert found is not None and found.name == "雁ケ地"
    assert oaza.find("東西南") is None


def test_longest_name_wins_at_the_start() -> None:
    oaza = OazaList.load()
    match = oaza.match_start("見入流作251")
    assert match is not None
    assert match[0].name == "見入流作" and match[1] == 4
    match = oaza.match_start("見入251")
    assert match is not None and match[0].name == "見入"


def test_machiaza_id_column_is_read_when_present(tmp_path: Path) -> None:
    path = tmp_path / "oaza.csv"
    path.write_text(
        "postcode,oaza,oaza_kana,machiaza_id\n4980807,西対海地,ニシタイガンジ,0001000\n", encoding="utf-8"
    )
    entry = OazaList.load(path).find("西対海地")
    assert entry is not None and entry.machiaza_id == "0001000"


def test_bad_postcode_fails_at_load(tmp_path: Path) -> None:
    path = tmp_path / "oaza.csv"
    path.write_text("postcode,oaza,oaza_kana\n498-0807,西対海地,ニシタイガンジ\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not 7 digits"):
        OazaList.load(path)
