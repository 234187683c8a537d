"""Canonical records back to a 中間標準レイアウト CSV: the newest record of each resident.

The export is the import's inverse: a clean file (西暦 dates, full-width カナ, 方書 in its own column,
CRLF, UTF-8) comes back byte for byte, which is how the mapping pair is checked end to end. A
record the export mapping cannot write is named on stderr and left out of the file, never written
half-empty.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import mappings
from adapters.inbound.files.sources import find_layout
from broker.imports import ImportStore
from broker.store import Store
from mappings.csv_layout import CsvLayout

CANONICAL = "canonical.jumin"


class ExportRefused(ValueError):
    """No export can be made (unknown layout, no mapping to it)."""


@dataclass
class ExportResult:
    data: bytes
    rows: int = 0
    problems: list[str] = field(default_factory=list)


def export_spec(specs: mappings.SpecRegistry, layout: CsvLayout, wanted: str | None) -> mappings.Spec:
    if wanted:
        spec_id, _, version = wanted.partition("@")
        try:
            return specs.get(spec_id, int(version) if version.isdigit() else version) if version \
                else specs.latest(spec_id)
        except KeyError as exc:
            raise ExportRefused(str(exc.args[0])) from exc
    ids = sorted({s.id for s in specs if (s.source, s.target) == (CANONICAL, layout.name)})
    if len(ids) != 1:
        raise ExportRefused(f"{len(ids)} mappings write {layout.name}; name one with --mapping")
    return specs.latest(ids[0])


def export_csv(store: Store, specs: mappings.SpecRegistry, *, layout: str = "chukan_jumin",
               mapping: str | None = None, bom: bool = False, lg_code: str | None = None) -> ExportResult:
    """The CSV bytes (layout's encoding, CRLF, header first) and what could not be exported."""
    try:
        found = find_layout(layout)
    except ValueError as exc:
        raise ExportRefused(str(exc)) from exc
    if not isinstance(found, CsvLayout):
        raise ExportRefused(f"{found.name} is not a CSV layout")
    spec = export_spec(specs, found, mapping)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(found.columns)
    result = ExportResult(b"")
    for canonical in ImportStore(store).latest(lg_code):
        mapped = spec.apply(canonical)
        if mapped.errors:
            who = canonical.get("shikibetsu", {}).get("atenaNo", "?")
            reasons = "; ".join(f"{e.path}: {e.reason}" for e in mapped.errors)
            result.problems.append(f"宛名番号 {who}: {reasons}")
            continue
        writer.writerow(found.complete(mapped.output).values())
        result.rows += 1
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    result.data = text.encode(found.encoding)
    return result


__all__ = ["ExportRefused", "ExportResult", "export_csv", "export_spec"]
