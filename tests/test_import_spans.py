"""CSV files cut into spans of lines for the mapping to read: the same rows, numbers and refusals.

`Source.spans` hands out positions instead of parsed rows when every line is one row. Whatever the
line ends, blank lines, short rows or chunk size, the rows read span by span are the rows `rows`
reads, with the same numbers; files where a line may not be a row (a quote, a lone carriage return)
are not cut at all; and a register stores exactly the same whether it was read in spans or whole.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.inbound.files.pipeline import import_file
from adapters.inbound.files.sources import RowProblem, Source, find_layout
from broker.store import Store
from mappings.layout_catalog import csv_layout
from tests.support import sqlite_url
from tests.test_import_pipeline import damaged_register, stored

LAYOUT = find_layout("chukan_jumin")
CSV = csv_layout("csv.chukan_jumin")
WIDTH = len(CSV.columns)
HEADER = ",".join(CSV.columns)

#: a line of the body: a full row, a short one, a long one, or a blank line
lines = st.one_of(
    st.lists(st.text("0123456789ｱｲｳ木曽岬 ", max_size=4), min_size=WIDTH, max_size=WIDTH).map(",".join),
    st.integers(1, WIDTH - 1).map(lambda n: ",".join(["1"] * n)),
    st.just(",".join(["1"] * (WIDTH + 1))),
    st.just(""),
)


def read_whole(source: Source) -> tuple[list[tuple[int, list[str]]], list[RowProblem]]:
    problems: list[RowProblem] = []
    return [(n, list(r)) for n, r in source.rows(problems.append)], problems


def read_in_spans(source: Source, size: int) -> tuple[list[tuple[int, list[str]]], list[RowProblem], int]:
    spans = source.spans(size)
    assert spans is not None
    problems: list[RowProblem] = []
    rows = [(n, list(r)) for span in spans for n, r in source.span_rows(span, problems.append)]
    assert all(span.lines <= size for span in spans)
    return rows, problems, sum(span.lines for span in spans)


@settings(max_examples=60, deadline=None)
@given(body=st.lists(lines, max_size=25), newline=st.sampled_from(["\n", "\r\n"]),
       final_newline=st.booleans(), size=st.integers(1, 7))
def test_spans_give_the_rows_and_numbers_of_the_whole_file(tmp_path_factory, body: list[str], newline: str,
                                                           final_newline: bool, size: int) -> None:  # type: ignore[no-untyped-def]
    text = newline.join([HEADER, *body]) + (newline if final_newline else "")
    path = tmp_path_factory.mktemp("spans") / "rows.csv"
    path.write_bytes(text.encode("utf-8"))
    source = Source(path, LAYOUT, "utf-8")
    whole, whole_problems = read_whole(source)
    rows, problems, lines_in_spans = read_in_spans(source, size)
    assert rows == whole
    assert problems == whole_problems
    after_header = text[len(HEADER) + len(newline):]
    assert lines_in_spans == after_header.count("\n") + (1 if after_header and after_header[-1] != "\n" else 0)


def test_a_file_where_a_line_may_not_be_a_row_is_not_cut(tmp_path: Path) -> None:
    row = ["1"] * WIDTH
    quoted = io.StringIO()
    csv.writer(quoted).writerows([CSV.columns, ["a\nb", *row[1:]], row])
    for name, text in {"quoted.csv": quoted.getvalue(), "lone-cr.csv": f"{HEADER}\n{','.join(row)}\r1\n"}.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
        assert Source(tmp_path / name, LAYOUT, "utf-8").spans(10) is None, name
    (tmp_path / "wrong-header.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    try:
        Source(tmp_path / "wrong-header.csv", LAYOUT, "utf-8").spans(10)
    except ValueError as exc:
        assert "expects the header" in str(exc) or "column" in str(exc)
    else:
        raise AssertionError("a wrong header is refused")


def test_a_register_stores_the_same_read_in_spans_or_whole(tmp_path: Path) -> None:
    _, table = damaged_register(1_500)
    rows = [list(row.values()) for row in table]
    rows[700:700] = [[], ["1", "2"]]  # a blank line and a short row, counted as the reader counts them
    results = []
    for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_ALL):  # quotes: the file is read whole
        folder = tmp_path / f"q{quoting}"
        folder.mkdir()
        buffer = io.StringIO()
        csv.writer(buffer, quoting=quoting).writerows([CSV.columns, *rows])
        (folder / "jumin.csv").write_bytes(buffer.getvalue().encode("cp932"))
        assert (Source(folder / "jumin.csv", LAYOUT, "cp932").spans(1) is None) == (quoting == csv.QUOTE_ALL)
        store = Store(sqlite_url(folder))
        store.migrate()
        summary = import_file(folder / "jumin.csv", layout="chukan_jumin", store=store, chunk_rows=400,
                              processes=0)
        store.dispose()
        results.append((summary.rows, summary.accepted, summary.rejected, [p.row for p in summary.problems],
                        stored(sqlite_url(folder))))
    assert results[0] == results[1]
    assert results[0][0] == 1_501 and 702 in results[0][3]
