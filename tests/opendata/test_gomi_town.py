"""The town's ごみ data: it loads, and each kind of mistake a person editing it could make is
refused with the file and line to fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adapters.outbound.opendata.build import default_town_folder
from vocab.address import OazaList
from vocab.gomi.town import load_gomi
from vocab.located_yaml import DataFileError

GOMI = default_town_folder() / "gomi"


def test_every_oaza_is_in_exactly_one_area() -> None:
    gomi = load_gomi(GOMI)
    names = [o for a in gomi.areas for o in a.oaza]
    assert sorted(names) == sorted(o.name for o in OazaList.load())
    assert len(gomi.items) >= 20 and {c.label for c in gomi.categories} >= {i.category for i in gomi.items
                                                                             if i.category != "収集しません"}


def _edit(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "gomi"
    shutil.copytree(GOMI, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _line(folder: Path, file: str, needle: str) -> int:
    return next(n for n, line in enumerate((folder / file).read_text(encoding="utf-8").splitlines(), start=1)
                if needle in line)


@pytest.mark.parametrize("file, old, new, needle, message", [
    ("calendar.yaml", "燃やすごみ: 月 木 *2", "燃やすごみ: 月 木曜 *2", "月 木曜", "収集日 '月 木曜 *2'"),
    ("calendar.yaml", "oaza: [加路戸,", "oaza: [加路戸, 桑名,", "桑名", "大字 '桑名' はこの町にありません"),
    ("calendar.yaml", "oaza: [富田子, 三崎,", "oaza: [富田子, 加路戸, 三崎,", "富田子, 加路戸",
     "大字 加路戸 は地区 hokubu と nambu の両方"),
    ("calendar.yaml", "      粗大ごみ: 20260610", "      粗大ごみ類: 20260610", "粗大ごみ類",
     "'粗大ごみ類' は categories にありません"),
    ("calendar.yaml", "粗大ごみ: 20260611 20261015 20270211 *1", "粗大ごみ: 20260611 *9", "*9",
     "*9 は remarks にありません"),
    ("calendar.yaml", 'color: "#b3261e"', 'color: "red"', "red", "#RRGGBB"),
    ("calendar.yaml", "    center: 木曽岬町清掃センター\n    oaza: [富田子",
     "    centre: 木曽岬町清掃センター\n    oaza: [富田子", "centre", "「centre」は使えません"),
    ("bunbetsu.csv", "たんす,粗大ごみ,事前申込制（有料）,たんす", "たんす,大型ごみ,事前申込制（有料）,たんす",
     "たんす,大型", "分別区分 '大型ごみ'"),
    ("bunbetsu.csv", "陶器,燃やさないごみ,,とうき", "陶器,燃やさないごみ,,トウキ", "トウキ", "ひらがな"),
])
def test_mistakes_name_the_file_and_line(tmp_path: Path, file: str, old: str, new: str, needle: str,
                                         message: str) -> None:
    folder = _edit(tmp_path, file, old, new)
    with pytest.raises(DataFileError) as caught:
        load_gomi(folder)
    assert caught.value.file == f"gomi/{file}"
    assert caught.value.line == _line(folder, file, needle)
    assert message in caught.value.message


def test_an_oaza_left_out_is_named(tmp_path: Path) -> None:
    folder = _edit(tmp_path, "calendar.yaml", "田代, 新輪]", "田代]")
    with pytest.raises(DataFileError, match="どの地区にも入っていない大字があります: 新輪"):
        load_gomi(folder)


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    folder = _edit(tmp_path, "calendar.yaml", "    name: 中部", "    name: [中部")
    with pytest.raises(DataFileError, match=r"gomi/calendar.yaml:\d+: YAML として読めません"):
        load_gomi(folder)


def test_alias_bomb_is_refused_before_any_walk(tmp_path: Path) -> None:
    folder = tmp_path / "gomi"
    shutil.copytree(GOMI, folder)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + k)}: &{chr(98 + k)} [{', '.join(['*' + chr(97 + k)] * 9)}]\n" for k in range(8))
    (folder / "calendar.yaml").write_text(bomb, encoding="utf-8")
    with pytest.raises(DataFileError, match="アンカーとエイリアス"):
        load_gomi(folder)


def test_not_utf8_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "gomi"
    shutil.copytree(GOMI, folder)
    (folder / "calendar.yaml").write_bytes((GOMI / "calendar.yaml").read_text(encoding="utf-8").encode("cp932"))
    with pytest.raises(DataFileError, match="gomi/calendar.yaml:1: UTF-8 ではありません"):
        load_gomi(folder)
