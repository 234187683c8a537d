"""Field-level diff between mapping versions, as `chipla replay` prints it."""

from __future__ import annotations

import mappings
from mappings.diff import ABSENT, FieldChange, compare


def test_v2_candidate_adds_the_kana_of_sei_and_mei(specs: mappings.SpecRegistry, jumin: dict) -> None:
    old = specs.get("jumin-imi", 1).apply(jumin)
    new = specs.get("jumin-imi", 2).apply(jumin)
    assert compare(old, new) == [
        FieldChange("氏名.名カナ表記", ABSENT, "タロウ"),
        FieldChange("氏名.姓カナ表記", ABSENT, "キソ"),
    ]
    assert [change.kind for change in compare(old, new)] == ["added", "added"]
    assert [change.kind for change in compare(new, old)] == ["removed", "removed"]
    assert str(compare(old, new)[1]) == "+ 氏名.姓カナ表記: 'キソ'"


def test_same_version_same_record_has_no_changes(specs: mappings.SpecRegistry, jumin: dict) -> None:
    spec = specs.get("jumin-imi", 2)
    assert compare(spec.apply(jumin), spec.apply(jumin)) == []


def test_changed_values_show_both_sides_with_list_paths(specs: mappings.SpecRegistry, jumin: dict) -> None:
    spec = specs.get("jumin-imi", 1)
    before = spec.apply(jumin)
    jumin["jusho"]["machiazaId"] = "0001002"
    jumin["jusho"]["banchi"] = "252"
    changes = {change.path: change for change in compare(before, spec.apply(jumin))}
    assert set(changes) == {"住所.住所コード[1].識別値", "住所.番地", "住所.表記"}
    assert (changes["住所.番地"].old, changes["住所.番地"].new) == ("251", "252")
    assert changes["住所.番地"].kind == "changed"
    assert str(changes["住所.番地"]) == "~ 住所.番地: '251' → '252'"
