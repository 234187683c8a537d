"""Fixed-width CP932 extracts: layout, strict decoding with row/column reports, mapping to canonical."""

from __future__ import annotations

from pathlib import Path

import pytest

import mappings
from mappings import fixed_width
from mappings.errors import DecodeIssue, FixedWidthDecodeError
from mappings.layout_catalog import LAYOUT_DIR, fixed_width_layout

LAYOUT = fixed_width_layout("fixed.kisosaki_jumin")


def _record(**values: bytes | str) -> bytes:
    """One record: each column's value encoded CP932 and padded with blanks to its width."""
    out = b""
    for column in LAYOUT.columns:
        value = values.get(column.name, b"")
        raw = value if isinstance(value, bytes) else value.encode("cp932")
        assert len(raw) <= column.width, column.name
        out += raw + b" " * (column.width - len(raw))
    return out


TARO: dict[str, bytes | str] = {
    "宛名番号": "0000000001",
    "世帯番号": "0000000101",
    "氏名": "木曽　太郎",
    "氏名カナ": "ｷｿ ﾀﾛｳ",
    "生年月日": "3550501",
    "性別": "1",
    "続柄": "01",
    "郵便番号": "4980807",
    "住所": "三重県桑名郡木曽岬町西対海地２５１",
    "方書": "コーポ木曽１０１",
    "住民種別": "1",
    "住民状態": "1",
    "異動事由": "10",
    "異動年月日": "5080401",
}
HANAKO = dict(TARO, 宛名番号="0000000002", 氏名="木曽　花子", 氏名カナ="ｷｿ ﾊﾅｺ", 性別="2", 続柄="02")


def _file(*records: bytes) -> bytes:
    return b"".join(record + b"\r\n" for record in records)


def test_layout_file_describes_byte_positions() -> None:
    assert LAYOUT.encoding == "cp932"
    assert LAYOUT.record_length == 210
    name = next(column for column in LAYOUT.columns if column.name == "氏名")
    assert (name.start, name.width) == (20, 30)


def test_reads_half_width_kana_and_maps_to_canonical(specs: mappings.SpecRegistry) -> None:
    rows = list(fixed_width.read(_file(_record(**TARO), _record(**HANAKO)), LAYOUT))
    assert [row_no for row_no, _ in rows] == [1, 2]
    first = rows[0][1]
    assert (
        first["氏名カナ"] == "ｷｿ ﾀﾛｳ"
        and first["氏名"] == "木曽　太郎"
        and first["方書"] == "コーポ木曽１０１"
    )
    mapped = specs.get("kisosaki-fixed-jumin", 1).apply(first)
    assert mapped.ok, mapped.errors
    out = mapped.output
    assert out["shimei"] == {"shimei": "木曽　太郎", "shimeiKana": "キソ タロウ"}
    assert out["zokusei"] == {"birthDate": "1980-05-01", "seibetsu": "1", "zokugara": "01"}
    assert out["shikibetsu"]["lgCode"] == "243035"
    assert out["jusho"]["city"] == "桑名郡木曽岬町" and out["jusho"]["banchi"] == "251"
    assert out["jotai"]["idoDate"] == "2026-04-01"


def test_vendor_gaiji_from_the_user_defined_area_is_resolved(specs: mappings.SpecRegistry) -> None:
    # CP932 F0 43 is the vendor's 外字 U+E003, which the sample 外字 table maps to 字
    record = _record(**dict(TARO, 氏名=b"\x96\xd8\x91\x5d\x81\x40\xf0\x43\x98\x59"))
    ((_, row),) = fixed_width.read(_file(record), LAYOUT)
    assert row["氏名"] == "木曽　\ue003郎"
    assert specs.get("kisosaki-fixed-jumin", 1).apply(row).output["shimei"]["shimei"] == "木曽　字郎"


def test_undecodable_byte_is_reported_with_row_and_column() -> None:
    bad_name = "木曽　".encode("cp932") + b"\x85\x40" + "郎".encode("cp932")  # 85 40 is not CP932
    data = _file(_record(**TARO), _record(**dict(HANAKO, 氏名=bad_name)))
    with pytest.raises(FixedWidthDecodeError) as caught:
        list(fixed_width.read(data, LAYOUT))
    issue = caught.value.issue
    assert (issue.row_no, issue.column, issue.offset) == (2, "氏名", 26)
    assert issue.raw == b"\x85"
    assert "row 2, column '氏名', byte 26" in str(caught.value)


def test_on_error_collects_every_bad_record_and_keeps_reading() -> None:
    issues: list[DecodeIssue] = []
    data = _file(
        _record(**dict(TARO, 氏名=b"\x85\x40")),
        _record(**HANAKO),
        _record(**dict(TARO, 性別="X")),
        _record(**TARO)[:-5],
        _record(**dict(TARO, 方書=b"\x81\xad")),
    )
    rows = list(fixed_width.read(data, LAYOUT, on_error=issues.append))
    assert [row_no for row_no, _ in rows] == [2]
    assert [(issue.row_no, issue.column) for issue in issues] == [
        (1, "氏名"),
        (3, "性別"),
        (4, "*"),
        (5, "方書"),
    ]
    assert "not ASCII digits" in str(issues[1])
    assert "205 bytes" in str(issues[2])


def test_reads_from_a_file_path(tmp_path: Path) -> None:
    path = tmp_path / "jumin.dat"
    path.write_bytes(_file(_record(**TARO)))
    assert [
        row["宛名番号"] for _, row in fixed_width.read(path, LAYOUT_DIR / "kisosaki_jumin_fixed.yaml")
    ] == ["0000000001"]


def test_a_broken_layout_names_file_and_line(tmp_path: Path) -> None:
    text = (LAYOUT_DIR / "kisosaki_jumin_fixed.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        text.replace("{name: 世帯番号, width: 10", "{name: 世帯番号, start: 5, width: 10"), "utf-8"
    )
    with pytest.raises(mappings.MappingSpecError) as caught:
        fixed_width.load_layout(broken)
    line = text.splitlines().index(next(li for li in text.splitlines() if "世帯番号" in li)) + 1
    assert caught.value.line == line
    assert "overlaps" in str(caught.value)
    broken.write_text(text.replace("record_length: 210", "record_length: 200"), "utf-8")
    with pytest.raises(mappings.MappingSpecError, match="columns end at byte 210"):
        fixed_width.load_layout(broken)
