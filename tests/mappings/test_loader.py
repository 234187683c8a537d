"""Loading specs: every shipped spec loads, and a broken one names its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import mappings
from mappings.registry import SPEC_DIR

EXPECTED = {
    ("jumin-imi", 1),
    ("jumin-imi", 2),
    ("ido-imi", 1),
    ("chukan-jumin-csv-import", 1),
    ("chukan-jumin-csv-export", 1),
    ("kisosaki-fixed-jumin", 1),
}


def test_every_shipped_spec_loads(specs: mappings.SpecRegistry) -> None:
    assert {spec.key for spec in specs} == EXPECTED
    for file in SPEC_DIR.glob("*.yaml"):
        spec = mappings.load(file)
        assert spec.key in EXPECTED
        assert spec.rules


def test_latest_picks_the_highest_version(specs: mappings.SpecRegistry) -> None:
    assert specs.latest("jumin-imi").version == 2
    assert specs.versions("jumin-imi") == [1, 2]
    with pytest.raises(KeyError, match="versions: 1, 2"):
        specs.get("jumin-imi", 3)


GOOD = """\
id: broken
version: 1
source: canonical.jumin
target: imi.jsonld
class: 人型
context: [https://imi.go.jp/ns/core/context.jsonld]
fields:
  - to: 氏名.姓名
    from: shimei.shimei
    via: [resolve_gaiji]
  - to: 性別
    from: zokusei.seibetsu
    via: [{code_label: seibetsu}]
"""


def _write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "broken.v1.yaml"
    file.write_text(text, encoding="utf-8")
    return file


def _fails(tmp_path: Path, text: str, line: int, words: str) -> None:
    file = _write(tmp_path, text)
    with pytest.raises(mappings.MappingSpecError) as caught:
        mappings.load(file)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{file}:{line}: ")
    assert words in str(caught.value)


def test_the_good_variant_loads(tmp_path: Path) -> None:
    assert mappings.load(_write(tmp_path, GOOD)).key == ("broken", 1)


def test_unknown_source_field_names_file_and_line(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        GOOD.replace("from: shimei.shimei", "from: shimei.shimie"),
        9,
        "unknown field 'shimei.shimie' in layout canonical.jumin (did you mean 'shimei.shimei'?)",
    )


def test_unknown_transform_names_file_and_line(tmp_path: Path) -> None:
    _fails(
        tmp_path, GOOD.replace("[resolve_gaiji]", "[resolve_gaji]"), 10, "unknown transform 'resolve_gaji'"
    )


def test_unknown_imi_property_names_file_and_line(tmp_path: Path) -> None:
    _fails(tmp_path, GOOD.replace("to: 性別", "to: 性別名"), 11, "'性別名' is not a property of 人型")


def test_imi_property_of_the_wrong_class_is_refused(tmp_path: Path) -> None:
    _fails(tmp_path, GOOD.replace("to: 氏名.姓名", "to: 氏名.町名"), 8, "'町名' is not a property of 氏名型")


def test_bad_transform_argument_is_refused(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        GOOD.replace("code_label: seibetsu", "code_label: sebetsu"),
        13,
        "unknown code list 'sebetsu'",
    )


def test_transform_output_must_fit_the_property(tmp_path: Path) -> None:
    text = GOOD + "  - to: 生年月日\n    from: zokusei.birthDate\n    via: [{imi_code: x}]\n"
    _fails(tmp_path, text, 14, "the rule makes a コード型 but 生年月日 takes 日付型")


def test_unknown_layout_and_keys_are_refused(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        GOOD.replace("source: canonical.jumin", "source: canonical.jumon"),
        3,
        "unknown source layout",
    )
    _fails(
        tmp_path,
        GOOD.replace("    via: [resolve_gaiji]", "    vai: [resolve_gaiji]"),
        10,
        "unknown rule key 'vai'",
    )
    _fails(tmp_path, GOOD.replace("version: 1", "version: one"), 2, "version must be")


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    _fails(
        tmp_path, GOOD.replace("    via: [resolve_gaiji]", "    via: [resolve_gaiji"), 11, "not valid YAML"
    )


def test_canonical_field_names_come_from_the_xsd(tmp_path: Path) -> None:
    # machiazaId exists only in api_specs/xsd/jumin.xsd; no list in mappings/ names it
    text = GOOD.replace("from: shimei.shimei", "from: jusho.machiazaId")
    assert mappings.load(_write(tmp_path, text)).rules[0].sources == ("jusho.machiazaId",)


def test_registry_refuses_a_broken_folder(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    shutil.copytree(SPEC_DIR, folder)
    (folder / "jumin-imi.v1.yaml").write_text(
        (SPEC_DIR / "jumin-imi.v1.yaml").read_text(encoding="utf-8").replace("jusho.oaza", "jusho.ooaza"),
        encoding="utf-8",
    )
    with pytest.raises(
        mappings.MappingSpecError, match=r"jumin-imi\.v1\.yaml:\d+: unknown field 'jusho.ooaza'"
    ):
        mappings.registry(folder)


def test_include_of_a_missing_spec_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    shutil.copytree(SPEC_DIR, folder)
    (folder / "jumin-imi.v1.yaml").unlink()
    with pytest.raises(mappings.MappingSpecError, match=r"ido-imi\.v1\.yaml:\d+: no spec jumin-imi v1"):
        mappings.registry(folder)
