"""Canonical record and 異動 → IMI JSON-LD: valid per vocab's validator, traceable field by field."""

from __future__ import annotations

from typing import Any

import mappings
from mappings.imi import ido_to_imi, jumin_to_imi, local_contexts
from mappings.imi_target import EXT_CONTEXT_URL
from mappings.paths import leaves
from vocab.imi import CANONICAL_CONTEXT_URL, Severity, validate


def _errors(doc: dict[str, Any]) -> list[str]:
    return [str(issue) for issue in validate(doc) if issue.severity is Severity.ERROR]


def _lineage_covers_every_leaf(mapped: mappings.Mapped) -> None:
    produced = {entry.field for entry in mapped.lineage}
    for path in leaves(mapped.output):
        if path.startswith("@context") or "@type" in path:
            continue  # structure added by the IMI target, not a mapped field
        assert any(
            path == field or path.startswith(field + ".") or path.startswith(field + "[")
            for field in produced
        ), f"{path} has no lineage entry"


def test_jumin_to_imi_validates_and_carries_the_core_items(specs: mappings.SpecRegistry, jumin: dict) -> None:
    mapped = specs.get("jumin-imi", 1).apply(jumin)
    out = mapped.output
    assert mapped.ok, mapped.errors
    assert _errors(out) == []
    assert out["@context"] == [CANONICAL_CONTEXT_URL, EXT_CONTEXT_URL]
    assert out["@type"] == "人型"
    assert out["氏名"] == {
        "@type": "氏名型",
        "姓名": "木曽 太郎",
        "姓": "木曽",
        "名": "太郎",
        "姓名カナ表記": "キソ タロウ",
    }
    assert out["性別"] == "男" and out["性別コード"]["識別値"] == "1"
    assert out["生年月日"] == {"@type": "日付型", "標準型日付": "1980-05-01"}
    address = out["住所"]
    assert (
        address["郵便番号"],
        address["都道府県"],
        address["市区町村"],
        address["町名"],
        address["番地"],
    ) == ("4980807", "三重県", "桑名郡木曽岬町", "西対海地", "251")
    assert address["方書"] == "コーポ木曽101"
    assert [code["識別値"] for code in address["住所コード"]] == ["243035", "2430350001001"]
    assert address["住所コード"][0]["参照"] == "http://data.e-stat.go.jp/lod/sac/C24303"
    assert out["本籍"] == {"@type": "住所型", "表記": "三重県桑名郡木曽岬町大字西対海地251"}
    assert out["ID"]["体系"]["名称"]["表記"] == "宛名番号" and out["ID"]["識別値"] == "100000000001"


def test_output_carries_mapping_version_and_lineage_per_field(specs: mappings.SpecRegistry, jumin: dict) -> None:
    mapped = specs.get("jumin-imi", 1).apply(jumin)
    assert (mapped.mapping_id, mapped.mapping_version) == ("jumin-imi", 1)
    entry = mapped.lineage_of("氏名.姓")
    assert entry is not None
    assert entry.sources == ("shimei.shimei",) and entry.transforms == ("resolve_gaiji", "split_shimei")
    address_entry = mapped.lineage_of("住所.表記")
    assert address_entry is not None
    assert address_entry.sources == (
        "jusho.prefecture",
        "jusho.city",
        "jusho.oaza",
        "jusho.banchi",
    )
    assert len({entry.field for entry in mapped.lineage}) == len(mapped.lineage)
    _lineage_covers_every_leaf(mapped)
    assert mapped.to_dict()["lineage"][0] == {
        "field": "ID",
        "sources": ["shikibetsu.atenaNo"],
        "transforms": ["imi_id"],
    }


def test_absent_optional_fields_are_left_out(specs: mappings.SpecRegistry, jumin: dict) -> None:
    del jumin["jusho"]["machiazaId"], jumin["honseki"]
    jumin["shimei"]["shimei"] = "ＪＯＨＮＳＯＮ"  # no space: no 姓/名 boundary to report
    mapped = specs.get("jumin-imi", 1).apply(jumin)
    assert mapped.ok
    assert "本籍" not in mapped.output
    assert len(mapped.output["住所"]["住所コード"]) == 1
    assert "姓" not in mapped.output["氏名"] and "名" not in mapped.output["氏名"]
    assert mapped.lineage_of("本籍.表記") is None
    assert _errors(mapped.output) == []


def test_every_bad_field_is_reported_not_only_the_first(specs: mappings.SpecRegistry, jumin: dict) -> None:
    jumin["zokusei"]["seibetsu"] = "7"
    jumin["zokusei"]["birthDate"] = "1980-02-30"
    jumin["shimei"]["shimei"] = "木曽 \ue0ff郎"  # a vendor 外字 the town's table does not map
    mapped = specs.get("jumin-imi", 1).apply(jumin)
    bad = {(error.path, error.field) for error in mapped.errors}
    assert ("zokusei.seibetsu", "性別") in bad
    assert ("zokusei.seibetsu", "性別コード") in bad
    assert ("zokusei.birthDate", "生年月日") in bad
    assert ("shimei.shimei", "氏名.姓名") in bad
    assert not mapped.ok
    assert "生年月日" not in mapped.output and "性別" not in mapped.output
    assert "U+E0FF" in next(e.reason for e in mapped.errors if e.field == "氏名.姓名")


def test_vendor_gaiji_is_resolved_through_the_table(specs: mappings.SpecRegistry, jumin: dict) -> None:
    jumin["shimei"]["shimei"] = "木曽 \ue003郎"  # U+E003 is 字 in vocab's sample 外字 table
    mapped = specs.get("jumin-imi", 1).apply(jumin)
    assert mapped.output["氏名"]["名"] == "字郎"


def test_ido_to_imi_is_an_activity_with_the_resident(specs: mappings.SpecRegistry, jumin: dict) -> None:
    ido = {"idoJiyu": "10", "idoDate": "2026-04-01", "todokedeDate": "2026-04-03", "jumin": jumin}
    mapped = ido_to_imi(ido, specs=specs)
    out = mapped.output
    assert mapped.ok, mapped.errors
    assert _errors(out) == []
    assert (mapped.mapping_id, mapped.mapping_version) == ("ido-imi", 1)
    assert out["@type"] == "活動型"
    assert out["名称"]["表記"] == "転入"
    assert out["種別コード"]["識別値"] == "10"
    assert out["日時"]["表記"] == "2026-04-01" and (
        out["日時"]["年"],
        out["日時"]["月"],
        out["日時"]["日"],
    ) == (2026, 4, 1)
    assert out["chipla:届出年月日"] == "2026-04-03"
    person = out["関与"]["関与者"]
    assert person["@type"] == "人型"
    assert person["氏名"]["姓名"] == "木曽 太郎"
    assert "@context" not in person
    assert person == {
        k: v for k, v in jumin_to_imi(jumin, version=1, specs=specs).output.items() if k != "@context"
    }
    entry = mapped.lineage_of("関与.関与者.氏名.姓")
    assert entry is not None and entry.sources == ("jumin.shimei.shimei",)
    _lineage_covers_every_leaf(mapped)


def test_ido_with_bad_person_fields_reports_them_under_the_person(
    specs: mappings.SpecRegistry, jumin: dict
) -> None:
    jumin["zokusei"]["seibetsu"] = "7"
    mapped = ido_to_imi({"idoJiyu": "99", "idoDate": "2026-04-01", "jumin": jumin}, specs=specs)
    bad = {(error.path, error.field) for error in mapped.errors}
    assert ("idoJiyu", "種別コード") in bad
    assert ("jumin.zokusei.seibetsu", "関与.関与者.性別") in bad


def test_contexts_resolve_to_local_files() -> None:
    contexts = local_contexts()
    assert set(contexts) == {CANONICAL_CONTEXT_URL, EXT_CONTEXT_URL}
    assert all(path.is_file() for path in contexts.values())
