"""自治体標準オープンデータセット: 焼津市's real files read against the templates by position (its
U+2015 look-alike header repaired and reported), and the town's own files written with headers
exactly as the templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.outbound.opendata.build import default_town_folder
from adapters.outbound.opendata.definitions import load_definitions, load_town
from adapters.outbound.opendata.tabular import table_resource
from mappings.opendata.rows import map_rows
from mappings.opendata.standard_csv import read_standard
from mappings.opendata.templates import header_key, template
from tests.opendata.shared import shared_data
from vocab.located_yaml import DataFileError, load_located

YAIZU = [("222127_public_facility-59773.csv", "公共施設一覧", 230),
         ("222127_evacuation_space.csv", "指定緊急避難場所一覧", 31),
         ("222127_public_wireless_lan.csv", "公衆無線LANアクセスポイント一覧", 17),
         ("222127_preschool.csv", "子育て施設一覧", 60)]


@pytest.mark.parametrize("file, name, rows", YAIZU)
def test_yaizu_files_read_against_the_template(file: str, name: str, rows: int) -> None:
    data = shared_data("opendata-standard", "yaizu-222127", file).read_bytes()
    table = read_standard(data, template(name), file)
    assert table.errors == [] and len(table.rows) == rows
    assert all(r[template(name).columns[0]] for r in table.rows)  # first column found, even in 子育て施設一覧
    if file == "222127_preschool.csv":
        assert table.repairs == [f"{file}:1: 列 1: '都道府県コ―ド又は市区町村コ―ド' を "
                                 "'都道府県コード又は市区町村コード' として読みました (似た文字)"]
    else:
        assert table.repairs == []


def test_yaizu_hazard_flags() -> None:
    data = shared_data("opendata-standard", "yaizu-222127", "222127_evacuation_space.csv").read_bytes()
    first = read_standard(data, template("指定緊急避難場所一覧")).rows[0]
    assert first["災害種別_地震"] == "○" and first["災害種別_洪水"] == ""


def test_a_city_own_format_is_not_taken_for_a_template() -> None:
    data = shared_data("opendata-standard", "yaizu-222127", "222127_hinannjo.csv").read_bytes()
    table = read_standard(data, template("指定緊急避難場所一覧"), "hinannjo")
    assert any("列数" in e for e in table.errors)


def test_lookalike_normalisation() -> None:
    assert header_key("\ufeff都道府県コ\u2015ド") == header_key("都道府県コード")
    assert header_key("名称_カナ") != header_key("名称_英語")


def _town_rows() -> dict[str, list[list[str]]]:
    folder = default_town_folder()
    cfg = load_town(folder)
    return {d.template: map_rows(d.node["rows"], template(d.template), cfg.town)
            for d in load_definitions(folder) if d.kind == "rows" and d.template}


def test_town_files_have_the_template_header_and_read_back_clean() -> None:
    rows = _town_rows()
    assert set(rows) == {"公共施設一覧", "指定緊急避難場所一覧", "指定避難所一覧", "公衆無線LANアクセスポイント一覧",
                         "子育て施設一覧", "イベント一覧"}
    for name, body in rows.items():
        tpl = template(name)
        for bom in (False, True):
            resource = table_resource(tpl, "243035", body, bom=bom)
            assert resource.path == f"243035_{tpl.file}.csv"
            assert resource.data.startswith(b"\xef\xbb\xbf") == bom
            header = resource.data.decode("utf-8-sig").split("\r\n")[0].split(",")
            assert header == list(tpl.columns)
            table = read_standard(resource.data, tpl, resource.path)
            assert table.errors == [] and table.repairs == [] and len(table.rows) == len(body)


def test_wireless_lan_covers_shelters_event_and_buses() -> None:
    rows = _town_rows()
    shelters = rows["指定避難所一覧"]
    wifi = "公衆無線LANアクセスポイント一覧"
    names = [r[template(wifi).columns.index("名称")] for r in rows[wifi]]
    assert len(shelters) == 9
    assert sum(n.endswith("公衆無線LAN") and "バス" not in n for n in names) == 9
    assert "イベント用移動アクセスポイント" in names
    assert sum("バス" in n for n in names) == 2


def test_hazard_list_becomes_flags() -> None:
    tpl = template("指定緊急避難場所一覧")
    first = dict(zip(tpl.columns, _town_rows()["指定緊急避難場所一覧"][0], strict=True))
    assert first["災害種別_津波"] == "○" and first["災害種別_火山現象"] == "" and first["市区町村コード"] == "243035"


@pytest.mark.parametrize("row, message", [
    ("  - 名称: 町民プール\n    住所: 大字栄1\n", "必須項目 名称_カナ がありません"),
    ("  - 名称: 町民プール\n    名称_カナ: チョウミンプール\n    住所: 大字栄1\n    開始時間: 9時\n",
     "開始時間 '9時' は hh:mm"),
    ("  - 名称: 町民プール\n    名称_カナ: チョウミンプール\n    住所: 大字栄1\n    館長: 木曽太郎\n", "列 '館長' は"),
    ("  - 名称: 町民プール\n    名称_カナ: チョウミンプール\n    住所: 大字栄1\n    NO: '1'\n    市区町村名: 桑名市\n",
     "市区町村名 は町の設定から入ります"),
])
def test_row_mistakes_name_the_line(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("rows:\n" + row, encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as caught:
        map_rows(load_located(path)["rows"], template("公共施設一覧"), load_town(default_town_folder()).town)
    assert caught.value.line >= 2
