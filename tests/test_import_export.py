"""chipla import / export: legacy files in (CP932 fixed width with 外字 and half-width カナ, CSV in
UTF-8 with and without BOM and in CP932), exactly the expected errors out, no duplicates on
re-import, a byte-identical export, and a batch sent through the hub to the subscribers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

import mappings
from adapters.inbound.files.pipeline import import_file
from adapters.inbound.files.report import read_report
from adapters.inbound.files.sending import SendTarget
from adapters.outbound.files.export import export_csv
from broker.imports import ImportBatch, ImportedRecord
from broker.models import Base, Quarantine
from broker.store import Store
from chipla import cli
from mappings.csv_layout import write_rows
from mappings.layout_catalog import csv_layout, fixed_width_layout
from simulators.samples import SampleTown
from tests.support import RunningHub, sqlite_url, start_hub
from tests.wait import inbox_holds, until

FIXED = fixed_width_layout("fixed.kisosaki_jumin")
CSV = csv_layout("csv.chukan_jumin")
SPECS = mappings.registry()


# -- fixtures --------------------------------------------------------------------------------------

@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(sqlite_url(tmp_path))
    s.migrate()
    yield s
    s.dispose()


def _record(**values: bytes | str) -> bytes:
    out = b""
    for column in FIXED.columns:
        value = values.get(column.name, b"")
        raw = value if isinstance(value, bytes) else value.encode("cp932")
        out += raw + b" " * (column.width - len(raw))
    return out


TARO: dict[str, bytes | str] = {
    "宛名番号": "0000000001", "世帯番号": "0000000101", "氏名": "木曽　太郎", "氏名カナ": "ｷｿ ﾀﾛｳ",
    "生年月日": "3550501", "性別": "1", "続柄": "01", "郵便番号": "4980807",
    "住所": "三重県桑名郡木曽岬町西対海地２５１", "住民種別": "1", "住民状態": "1", "異動事由": "10",
    "異動年月日": "5080401"}
KISO = "木曽　".encode("cp932")


def fixed_extract() -> bytes:
    """Five records: 外字 mapped (F0 43 → 字, F0 44 → 髙), 外字 unmapped (F0 4F), a bad 性別, a bad byte."""
    records = [
        _record(**dict(TARO, 氏名=KISO + b"\xf0\x43" + "郎".encode("cp932"))),
        _record(**dict(TARO, 宛名番号="0000000002", 氏名=KISO + b"\xf0\x4f" + "子".encode("cp932"),
                       氏名カナ="ｷｿ ﾊﾅｺ")),
        _record(**dict(TARO, 宛名番号="0000000003", 氏名="木曽　次郎", 性別="7")),
        _record(**dict(TARO, 宛名番号="0000000004", 氏名=KISO + b"\x85\x40")),
        _record(**dict(TARO, 宛名番号="0000000005", 氏名=b"\xf0\x44\x8b\xb4\x81\x40\x8d\x4b", 氏名カナ="ﾀｶﾊｼ ｺｳ",
                       続柄="02")),
    ]
    return b"".join(r + b"\r\n" for r in records)


def _count(store: Store, model: type[Base]) -> int:
    with store.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def _counts(store: Store) -> tuple[int, int, int]:
    return _count(store, ImportedRecord), _count(store, Quarantine), _count(store, ImportBatch)


LEGACY_ROWS = [
    {"団体コード": "２４３０３５", "宛名番号": "100000001", "世帯番号": "200000001", "氏名": "伊藤　翔太",
     "氏名カナ": "ｲﾄｳ ｼｮｳﾀ", "生年月日": "4050607", "性別": "1", "続柄": "01", "郵便番号": "498-0807",
     "住所": "三重県桑名郡木曽岬町大字西対海地１２番地", "住民種別": "1", "住民状態": "1", "異動事由": "10",
     "異動年月日": "R8.4.1", "届出年月日": "令和8年4月1日"},
    {"団体コード": "243035", "宛名番号": "100000002", "世帯番号": "200000001", "氏名": "伊藤　陽菜",
     "氏名カナ": "ｲﾄｳ ﾋﾅ", "生年月日": "H7.3.3", "性別": "2", "続柄": "02", "郵便番号": "4980807",
     "住所": "三重県桑名郡木曽岬町西対海地12", "住民種別": "1", "住民状態": "1", "異動事由": "10",
     "異動年月日": "2026-04-01"},
]


def legacy_csv(encoding: str, bom: bool) -> bytes:
    text = write_rows(LEGACY_ROWS, CSV)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def clean_csv(people: int = 5) -> bytes:
    """A file as the export writes it: canonical records of sample residents through the export spec."""
    town, export = SampleTown(seed=11), SPECS.latest("chukan-jumin-csv-export")
    rows = [export.apply(town.tennyu()["jumin"]).output for _ in range(people)]
    return write_rows(rows, CSV).encode("utf-8")


# -- fixed width -----------------------------------------------------------------------------------

def test_fixed_width_extract_imports_with_exactly_the_expected_errors(store: Store, tmp_path: Path) -> None:
    path, report = tmp_path / "jumin.dat", tmp_path / "errors.csv"
    path.write_bytes(fixed_extract())
    summary = import_file(path, layout="kisosaki_jumin", store=store, errors_to=report)
    assert (summary.rows, summary.accepted, summary.rejected) == (5, 2, 3)
    assert [(row, column) for row, column, _, _ in read_report(report)] == [(2, "氏名"), (3, "性別"), (4, "氏名")]
    reasons = {row: reason for row, _, _, reason in read_report(report)}
    assert reasons[2] == "resolve_gaiji: unmapped 外字 U+E00F at position 3"
    assert reasons[3] == "code_check: code '7' is not in code list 'seibetsu'"
    assert reasons[4] == "byte 26: 85 is not valid cp932"
    with store.read() as s:
        records = s.execute(select(ImportedRecord).order_by(ImportedRecord.row_no)).scalars().all()
        quarantined = s.execute(select(Quarantine).order_by(Quarantine.id)).scalars().all()
    assert [r.canonical["shimei"] for r in records] == [
        {"shimei": "木曽　字郎", "shimeiKana": "キソ タロウ"}, {"shimei": "髙橋　幸", "shimeiKana": "タカハシ コウ"}]
    first = records[0]
    assert (first.row_no, first.file_sha256, first.mapping_id, first.mapping_version) == (
        1, summary.file_sha256, "kisosaki-fixed-jumin", "1")
    assert isinstance(first.source_row, dict), "a fixed-width record is stored as {column: text}"
    assert first.source_row["氏名"] == "木曽　\ue003郎" and first.lineage_sha256
    assert [(q.transport, q.headers["row"], q.result_code) for q in quarantined] == [
        ("file", 2, "1002"), ("file", 3, "1004"), ("file", 4, "1008")]
    assert quarantined[2].original == fixed_extract().split(b"\r\n")[3]


def test_reimporting_an_unchanged_file_creates_no_rows(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "jumin.dat"
    path.write_bytes(fixed_extract())
    import_file(path, layout="kisosaki_jumin", store=store)
    before = _counts(store)
    again = import_file(path, layout="kisosaki_jumin", store=store, errors_to=tmp_path / "again.csv")
    assert _counts(store) == before == (2, 3, 1)
    assert (again.accepted, again.duplicates, again.rejected, again.quarantined) == (0, 2, 3, 0)
    assert again.imported_before and len(read_report(tmp_path / "again.csv")) == 3


# -- CSV -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("encoding", "bom", "option"), [
    ("utf-8", False, "auto"), ("utf-8", True, "auto"), ("cp932", False, "auto"),
    ("utf-8", True, "utf-8"), ("cp932", False, "cp932"),
])
def test_csv_in_utf8_with_and_without_bom_and_in_cp932(store: Store, tmp_path: Path, encoding: str, bom: bool,
                                                       option: str) -> None:
    path = tmp_path / "jumin.csv"
    path.write_bytes(legacy_csv(encoding, bom))
    summary = import_file(path, layout="chukan_jumin", store=store, encoding=option)
    assert (summary.accepted, summary.rejected) == (2, 0), summary.problems
    assert summary.encoding == (f"{encoding}+bom" if bom else encoding)
    with store.read() as s:
        first = s.execute(select(ImportedRecord.canonical).order_by(ImportedRecord.id)).scalars().first()
    assert first is not None
    assert first["shimei"] == {"shimei": "伊藤　翔太", "shimeiKana": "イトウ ショウタ"}
    assert first["zokusei"]["birthDate"] == "1993-06-07" and first["jotai"]["idoDate"] == "2026-04-01"


def test_the_same_rows_in_another_encoding_are_not_imported_twice(store: Store, tmp_path: Path) -> None:
    for name, data in (("a.csv", legacy_csv("cp932", False)), ("b.csv", legacy_csv("utf-8", True))):
        (tmp_path / name).write_bytes(data)
        import_file(tmp_path / name, layout="chukan_jumin", store=store)
    assert _count(store, ImportedRecord) == 2


def test_bad_csv_rows_are_reported_and_a_wrong_encoding_refuses_the_file(store: Store, tmp_path: Path) -> None:
    rows = [dict(LEGACY_ROWS[0], 宛名番号="100000003", 生年月日="5310430", 年号コード="04"), LEGACY_ROWS[1]]
    path = tmp_path / "bad.csv"
    path.write_bytes(write_rows(rows, CSV).encode("utf-8") + b"1,2,3\r\n")
    summary = import_file(path, layout="chukan_jumin", store=store, errors_to=tmp_path / "e.csv")
    assert [(r, c) for r, c, _, _ in read_report(tmp_path / "e.csv")] == [(1, "生年月日, 年号コード"), (3, "*")]
    assert (summary.accepted, summary.rejected) == (1, 2)
    path.write_bytes(legacy_csv("cp932", False))
    with pytest.raises(ValueError, match="not valid utf-8"):
        import_file(path, layout="chukan_jumin", store=store, encoding="utf-8")


# -- export ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("bom", [False, True])
def test_import_then_export_gives_the_same_bytes(store: Store, tmp_path: Path, bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + clean_csv()
    path = tmp_path / "clean.csv"
    path.write_bytes(data)
    assert import_file(path, layout="chukan_jumin", store=store).accepted == 5
    assert export_csv(store, SPECS, layout="chukan_jumin", bom=bom).data == data


def test_import_and_export_through_the_real_cli(tmp_path: Path) -> None:
    data, url = clean_csv(3), sqlite_url(tmp_path)
    (tmp_path / "in.csv").write_bytes(data)
    env = {**os.environ, "CHIPLA_DB_URL": url}

    def chipla(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "chipla.cli", *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=120)

    imported = chipla("import", "in.csv", "--layout", "chukan_jumin", "--errors", "errors.csv")
    assert imported.returncode == 0, imported.stderr
    assert "accepted (new)" in imported.stdout and read_report(tmp_path / "errors.csv") == []
    exported = chipla("export", "--layout", "chukan_jumin", "--out", "out.csv")
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "out.csv").read_bytes() == data
    refused = chipla("import", "in.csv", "--layout", "no_such_layout")
    assert refused.returncode == 2 and "unknown layout" in refused.stdout


def test_import_export_on_both_stores(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    store.migrate()
    try:
        with store.engine.connect() as conn:
            drift = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert [d for d in drift if "import" in str(d)] == []
        data = clean_csv(4)
        (tmp_path / "in.csv").write_bytes(data)
        for _ in range(2):
            import_file(tmp_path / "in.csv", layout="chukan_jumin", store=store)
        assert _counts(store) == (4, 0, 1)
        assert export_csv(store, SPECS).data == data
    finally:
        store.dispose()


# -- send ------------------------------------------------------------------------------------------

def test_import_with_send_reaches_the_subscribers(tmp_path: Path) -> None:
    hub: RunningHub = start_hub(sqlite_url(tmp_path))
    try:
        (tmp_path / "a.csv").write_bytes(legacy_csv("cp932", False))
        target = SendTarget(hub.parts.hub, hub.parts.registry.system("juki"), "kisosaki-0001")
        summary = import_file(tmp_path / "a.csv", layout="chukan_jumin", store=hub.parts.store, send=target)
        assert summary.send is not None and (summary.send.sent, summary.send.refused) == (2, [])
        for receiver in hub.receivers.values():
            until(inbox_holds(receiver.inbox, 2), what=f"2 items at {receiver.id}")
        assert sorted(i["atenaNo"] for i in hub.receivers["kaigo"].inbox.items) == ["100000001", "100000002"]
        again = import_file(tmp_path / "a.csv", layout="chukan_jumin", store=hub.parts.store, send=target)
        assert again.send is not None and again.send.sent == 0
        (tmp_path / "b.csv").write_bytes(clean_csv(2))
        env = {**os.environ, "CHIPLA_DB_URL": hub.parts.settings.db_url}
        out = subprocess.run([sys.executable, "-m", "chipla.cli", "import", "b.csv", "--layout", "chukan_jumin",
                              "--send", "--sender", "juki"], capture_output=True, text=True, env=env,
                             cwd=tmp_path, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        for receiver in hub.receivers.values():
            until(inbox_holds(receiver.inbox, 4), what=f"4 items at {receiver.id}")
        assert all(n == 1 for n in hub.receivers["zei"].inbox.seen.values())
    finally:
        hub.stop()


def test_bench_import_runs_and_prints_a_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bench", "import", "--rows", "2000"]) == 0
    out = capsys.readouterr().out
    assert "baseline" in out and "ratio" in out and "accepted 2,000" in out


def test_file_door_refuses_an_unauthorised_sender(tmp_path: Path) -> None:
    """A sender without jumin/IdoTsuchi rights is refused row by row and nothing reaches anyone; an
    unregistered sender stops the command with its name."""
    hub: RunningHub = start_hub(sqlite_url(tmp_path))
    try:
        (tmp_path / "a.csv").write_bytes(legacy_csv("cp932", False))
        zei = hub.parts.registry.system("zei")  # may only ask (JuminShokai), not send
        target = SendTarget(hub.parts.hub, zei)
        summary = import_file(tmp_path / "a.csv", layout="chukan_jumin", store=hub.parts.store, send=target)
        assert summary.send is not None and summary.send.sent == 0
        assert summary.send.refused and all("zei" in reason for _, reason in summary.send.refused)
        assert all(r.inbox.items == [] for r in hub.receivers.values())
        env = {**os.environ, "CHIPLA_DB_URL": hub.parts.settings.db_url}
        out = subprocess.run([sys.executable, "-m", "chipla.cli", "import", "a.csv", "--layout", "chukan_jumin",
                              "--send", "--sender", "nobody"], capture_output=True, text=True, env=env,
                             cwd=tmp_path, timeout=120)
        assert out.returncode != 0 and "nobody" in (out.stdout + out.stderr)
    finally:
        hub.stop()
