"""The compiled form of a spec gives exactly what the interpreter gives, for every shipped spec.

Records are generated from realistic ones (the town's sample residents, legacy CSV and fixed-width
rows) and then damaged the way files and senders damage them: blanks, padded values, another
field's value, half-width カナ, 外字 the table lacks, impossible dates, numbers where text belongs,
missing groups, a list or a string where a record belongs. For each, output (with its key order),
lineage and errors — or the exception — must be the same.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mappings
from mappings.compiled import compile_spec
from mappings.plan import TRIAL
from simulators.samples import SampleTown
from tests.mappings.conftest import SAMPLE_JUMIN

SPECS = mappings.registry()
SPEC_KEYS = sorted((spec.id, str(spec.version)) for spec in SPECS)

_CSV_ROW = {
    "団体コード": "２４３０３５", "宛名番号": "100000000001", "世帯番号": "200000000001",
    "住民票コード": "12345678901", "個人番号": "123456789012", "氏名": " 木曽　太郎 ", "氏名カナ": "ｷｿ ﾀﾛｳ",
    "生年月日": "4310430", "年号コード": "04", "性別": "1", "続柄": "01", "世帯主氏名": "木曽　\ue003郎",
    "郵便番号": "498-0807", "住所": "三重県桑名郡木曾岬町大字西対海地２５１番地 コーポ木曽101", "方書": "",
    "町字ID": "0001001", "本籍": "三重県桑名郡木曽岬町大字西対海地251", "筆頭者": "木曽　太郎",
    "住民種別": "1", "住民状態": "1", "異動事由": "10", "異動年月日": "R8.4.1", "届出年月日": "令和8年4月1日",
}
_FIXED_ROW = {
    "宛名番号": "0000000001", "世帯番号": "0000000101", "氏名": "木曽　\ue003郎", "氏名カナ": "ｷｿ ﾀﾛｳ",
    "生年月日": "3550501", "性別": "1", "続柄": "01", "郵便番号": "4980807",
    "住所": "三重県桑名郡木曽岬町西対海地２５１", "方書": "", "住民種別": "1", "住民状態": "1",
    "異動事由": "10", "異動年月日": "5080401",
}


def _samples() -> dict[str, list[dict[str, Any]]]:
    """Well-formed records of each source layout the shipped specs read."""
    town = SampleTown(seed=7)
    idos = [town.next_ido() for _ in range(12)]
    return {
        "canonical.jumin": [copy.deepcopy(SAMPLE_JUMIN)] + [ido["jumin"] for ido in idos],
        "canonical.ido": idos,
        "csv.chukan_jumin": [_CSV_ROW, {**_CSV_ROW, "生年月日": "H7.3.3", "年号コード": "", "性別": "2"}],
        "fixed.kisosaki_jumin": [_FIXED_ROW, {**_FIXED_ROW, "氏名": "木曽　\ue00f子", "性別": "7"}],
    }


SAMPLES = _samples()


def _leaf_values(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [leaf for value in node.values() for leaf in _leaf_values(value)]
    return [node]


#: every value any sample holds: a value of one field in another field is a realistic mistake
_POOL = sorted({str(v) for records in SAMPLES.values() for r in records for v in _leaf_values(r)})
_NASTY = ["", " ", "\u3000", " 1 ", "\ue001", "\ue00f", "ｱｲｳ", "ｶﾞｷﾞ", "H31.4.30", "令和8年4月1日", "4310430",
          "9999999", "5000229", "２４３０３５", "243036", "abc", "0", "00", "-1", "1e3", "1980-02-30",
          "2026-04-01", "三重県", "愛知県名古屋市中区", "西対海地", "9" * 20, "\x00", "a\nb"]

values = st.one_of(
    st.sampled_from(_POOL),
    st.sampled_from(_NASTY),
    st.text(max_size=8),
    st.text(st.sampled_from("0123456789０１２３ｱｲｳアイウ木曽\ue003\u3000 -."), max_size=10),
    st.none(),
    st.integers(-10, 10**13),
    st.booleans(),
    st.floats(allow_nan=False, width=32),
    st.lists(st.sampled_from(["1", "", "a"]), max_size=2),
    st.builds(lambda: {"nested": "1"}),
)


def _paths(spec: mappings.Spec) -> list[str]:
    """Every source path the spec (and the specs it includes) reads."""
    found = [path for rule in spec.rules for path in rule.sources]
    for include in spec.includes:
        found += [f"{include.source}.{path}" for path in _paths(include.spec)]
        found.append(include.source)
    return sorted(set(found))


def _set(record: dict[str, Any], path: str, value: Any, delete: bool) -> None:
    keys = path.split(".")
    node: Any = record
    for key in keys[:-1]:
        if not isinstance(node, dict):
            return
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if isinstance(node, dict):
        if delete:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value


@st.composite
def records(draw: st.DrawFn, spec: mappings.Spec) -> Any:
    """A sample record of the spec's source layout with a few fields damaged, or no record at all."""
    if draw(st.integers(0, 40)) == 0:
        return draw(st.sampled_from([None, [], "row", 7, ["a", "b"]]))
    record = copy.deepcopy(draw(st.sampled_from(SAMPLES[spec.source])))
    paths = _paths(spec)
    for _ in range(draw(st.integers(0, 6))):
        path = draw(st.sampled_from(paths))
        prefix = ".".join(path.split(".")[: draw(st.integers(1, path.count(".") + 1))])
        _set(record, prefix, draw(values), delete=draw(st.integers(0, 5)) == 0)
    return record


def _outcome(apply: Callable[[Any], mappings.Mapped], record: Any) -> tuple[str, Any]:
    """What a user of the mapping sees: the result with the output's key order, or the exception."""
    try:
        mapped = apply(copy.deepcopy(record))
    except Exception as exc:  # noqa: BLE001 - the same failure is part of the same behaviour
        return "raised", (type(exc), str(exc))
    text = json.dumps(mapped.output, ensure_ascii=False, default=repr)
    return "mapped", (text, mapped.output, mapped.mapping_id, mapped.mapping_version, mapped.lineage, mapped.errors)


@pytest.mark.parametrize(("spec_id", "version"), SPEC_KEYS)
def test_compiled_spec_maps_like_the_interpreter(spec_id: str, version: str) -> None:
    spec = SPECS.get(spec_id, int(version) if version.isdigit() else version)
    compiled = spec.compiled

    @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(record=records(spec))
    def check(record: Any) -> None:
        assert _outcome(compiled.apply, record) == _outcome(spec.apply, record)

    check()


def test_well_formed_samples_map_without_errors_both_ways() -> None:
    """The generated records start from samples both forms accept, so the damage is what differs."""
    for spec in SPECS:
        if spec.source == "csv.chukan_jumin" or spec.source == "fixed.kisosaki_jumin":
            sample = SAMPLES[spec.source][0]
        else:
            sample = SAMPLES[spec.source][1]
        assert spec.compiled.apply(sample) == spec.apply(sample)
        assert spec.apply(sample).ok, (spec.id, spec.apply(sample).errors)


def test_a_rule_whose_values_never_repeat_stops_remembering_and_still_agrees() -> None:
    spec = SPECS.latest("chukan-jumin-csv-import")
    compiled = compile_spec(spec)  # a fresh compilation: its memories are empty
    rows = [{**_CSV_ROW, "宛名番号": str(100000000 + n), "氏名": ["木曽　太郎", "木曽　\ue00f子"][n % 2]}
            for n in range(TRIAL + 10)]
    for row in rows[:: 97]:
        assert compiled.apply(row) == spec.apply(row)
    for row in rows:
        compiled.apply(row)
    memo_of = compiled.map_fields.__globals__
    assert memo_of["memo_1"].table is None, "宛名番号 never repeats: its memory is dropped"
    assert memo_of["memo_5"].table is not None, "氏名 repeats: its memory stays"
    for row in rows[:: 97]:
        assert compiled.apply(row) == spec.apply(row)


def test_the_generated_source_reads_as_the_spec() -> None:
    source = SPECS.latest("chukan-jumin-csv-import").compiled.source
    assert "# 7: zokusei.birthDate ← 生年月日, 年号コード via wareki_to_iso (required)" in source
    assert "t_lg_code_check(value, None)" in source and "t_digits(value, 11)" in source


@pytest.mark.parametrize(("spec_id", "version"), SPEC_KEYS)
def test_equal_values_of_different_types_are_not_mixed_up(spec_id: str, version: str) -> None:
    """1, True and 1.0 are one dict key but not one input: only text outcomes may be remembered."""
    spec = SPECS.get(spec_id, int(version) if version.isdigit() else version)
    compiled = compile_spec(spec)
    for path in _paths(spec):
        for value in (1, True, 1.0, "1", 0, False, "0"):
            record = copy.deepcopy(SAMPLES[spec.source][0])
            _set(record, path, value, delete=False)
            assert _outcome(compiled.apply, record) == _outcome(spec.apply, record), (path, value)
