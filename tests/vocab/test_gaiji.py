from pathlib import Path

import pytest

from vocab.moji.gaiji import (
    GaijiTableError,
    UnmappedGaijiError,
    is_private_use,
    load_gaiji_table,
    resolve_gaiji,
)


def test_sample_table_loads_and_is_marked_sample() -> None:
    table = load_gaiji_table()
    assert len(table) >= 3
    assert table["\ue001"].mj_name == "MJ015841"
    csv_text = Path(__file__).parents[2].joinpath("vocab/data/town_gaiji_map.csv").read_text(encoding="utf-8")
    assert all("sample" in line for line in csv_text.splitlines()[1:])


def test_resolution_prefers_ivs_and_keeps_other_text() -> None:
    table = load_gaiji_table()
    assert resolve_gaiji("\ue001字", table) == "漢\U000e0102字"
    assert resolve_gaiji("\ue001字", table, prefer_ivs=False) == "漢字"
    assert resolve_gaiji("\ue004田 太郎", table) == "髙田 太郎"
    assert resolve_gaiji("\ue006野家", table) == "𠮷野家"
    assert resolve_gaiji("木曽岬町", table) == "木曽岬町"


def test_unmapped_gaiji_raises_with_position_and_accepts_location() -> None:
    table = load_gaiji_table()
    with pytest.raises(UnmappedGaijiError) as caught:
        resolve_gaiji("山田\ue0ff子", table)
    error = caught.value
    assert error.position == 2
    assert error.code_point == "U+E0FF"
    assert "U+E0FF" in str(error) and "position 2" in str(error)
    error.at(row=12, column="氏名")
    assert error.row == 12 and error.column == "氏名"
    assert "row 12" in str(error) and "氏名" in str(error)


def test_supplementary_private_use_is_detected() -> None:
    assert is_private_use("\U000f0001")
    assert is_private_use("\ue000")
    assert not is_private_use("髙")
    with pytest.raises(UnmappedGaijiError):
        resolve_gaiji("\U000f0001", load_gaiji_table())


def test_town_supplied_table_from_path(tmp_path: Path) -> None:
    path = tmp_path / "gaiji.csv"
    path.write_text("vendor_code,mj_name,ucs,ivs\nU+E100,,U+9AD9,\n", encoding="utf-8")
    table = load_gaiji_table(path)
    assert resolve_gaiji("\ue100橋", table) == "髙橋"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("U+4E00,,U+4E00,", "not one PUA character"),
        ("E001,,U+4E00,", "not U\\+XXXX"),
        ("U+E001,MJ12,U+4E00,", "MJ \\+ 6 digits"),
        ("U+E001,,,", "ucs"),
        ("U+E001,,U+4E00,zz", "ivs"),
    ],
)
def test_malformed_table_fails_at_load_with_line(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "gaiji.csv"
    path.write_text(f"vendor_code,mj_name,ucs,ivs\n{row}\n", encoding="utf-8")
    with pytest.raises(GaijiTableError, match=message) as caught:
        load_gaiji_table(path)
    assert "line 2" in str(caught.value)


def test_duplicate_vendor_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gaiji.csv"
    path.write_text("vendor_code,mj_name,ucs,ivs\nU+E001,,U+4E00,\nU+E001,,U+4E01,\n", encoding="utf-8")
    with pytest.raises(GaijiTableError, match="mapped twice"):
        load_gaiji_table(path)
