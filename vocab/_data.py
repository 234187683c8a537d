"""Access to the data files shipped inside the package.

Data lives beside the code (``vocab/data``) so that an installed wheel carries it; nothing is
read from the network or from the project's shared folder at run time.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

__all__ = ["DATA_DIR", "data_file", "read_csv_rows"]

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_file(*parts: str) -> Path:
    """Path of ``vocab/data/<parts…>``, located from this file so it holds for any install layout."""
    return DATA_DIR.joinpath(*parts)


def read_csv_rows(source: Path | str) -> list[dict[str, str]]:
    """Read a UTF-8 CSV (BOM tolerated) into dictionaries keyed by the header row.

    ``source`` is a packaged data file or a filesystem path (town-supplied tables).
    Values are stripped of surrounding whitespace; empty cells become ``""``.
    """
    text = Path(source).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[dict[str, str]] = []
    for row in reader:
        rows.append({key.strip(): (value or "").strip() for key, value in row.items() if key is not None})
    return rows
