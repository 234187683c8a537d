"""The import pipeline: read → map → split accepted from rejected → store in chunks → (send).

One file goes through one mapping version. Every row ends in exactly one place: an imported record
(new, or a duplicate of one stored before) or the quarantine plus the error report — nothing is
skipped silently. Rows are stored a chunk at a time, each chunk in one transaction, so a large
register costs a few dozen commits instead of one per resident.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import mappings
from adapters.inbound.files.report import write_report
from adapters.inbound.files.sending import SendResult, SendTarget, send_records
from adapters.inbound.files.sources import FileRefused, RowProblem, Source, find_layout, row_digest
from broker.imports import BatchInfo, ImportStore, NewRecord, Rejection
from broker.store import Store

CANONICAL = "canonical.jumin"  # the mapping target of an imported record


def service_of(canonical: str) -> str:
    """The service whose records a canonical layout holds (``canonical.<service>``)."""
    return canonical.split(".", 1)[1]

CHUNK_ROWS = 5000
#: result codes (api_specs/result_codes.yaml) by the transform that refused a value
_CODES = {"code_check": "1004", "lg_code_check": "1005"}
SCHEMA_INVALID = "1002"

Progress = Callable[[int, int], None]  # (rows done, rows in the file)


@dataclass
class ImportSummary:
    """What one run did; the command prints it, tests read it."""

    file: str
    file_sha256: str
    layout: str
    mapping: str
    encoding: str
    batch_id: int = 0
    imported_before: bool = False
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    problems: list[RowProblem] = field(default_factory=list)
    send: SendResult | None = None

    @property
    def records_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def choose_mapping(specs: mappings.SpecRegistry, layout_name: str, wanted: str | None) -> mappings.Spec:
    """`ID` or `ID@VERSION`, else the latest spec from this layout to the canonical record."""
    if wanted:
        spec_id, _, version = wanted.partition("@")
        try:
            spec = specs.get(spec_id, int(version) if version.isdigit() else version) if version \
                else specs.latest(spec_id)
        except KeyError as exc:
            raise FileRefused(str(exc.args[0])) from exc
        if (spec.source, spec.target) != (layout_name, CANONICAL):
            raise FileRefused(f"mapping {spec.id} v{spec.version} maps {spec.source} → {spec.target}, "
                              f"not {layout_name} → {CANONICAL}")
        return spec
    fitting = [spec for spec in specs if (spec.source, spec.target) == (layout_name, CANONICAL)]
    ids = sorted({spec.id for spec in fitting})
    if len(ids) != 1:
        raise FileRefused(f"{len(ids)} mappings read {layout_name} ({', '.join(ids) or 'none'}); "
                          f"name one with --mapping")
    return specs.latest(ids[0])


def _result_code(reason: str) -> str:
    return _CODES.get(reason.split(":", 1)[0], SCHEMA_INVALID)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join("" if item is None else str(item) for item in value)
    return str(value)


class _Chunk:
    """Rows of one chunk waiting to be stored, and the lineages they name."""

    def __init__(self) -> None:
        self.records: list[NewRecord] = []
        self.rejections: list[Rejection] = []
        self.last_row = 0


class Importer:
    """Runs one file through one mapping into the store; see `import_file` for the one-call form."""

    def __init__(self, store: Store, spec: mappings.Spec, *, chunk_rows: int = CHUNK_ROWS,
                 sender: str | None = None) -> None:
        self.imports = ImportStore(store)
        self.spec = spec
        self.chunk_rows = chunk_rows
        self.sender = sender
        self.version = str(spec.version)
        self._lineage_keys: dict[tuple[str, ...], str] = {}
        self.lineages: dict[str, tuple[str, str, list[dict[str, Any]]]] = {}

    def lineage_sha256(self, mapped: mappings.Mapped) -> str:
        """Digest of a record's lineage; computed once per distinct set of produced fields."""
        key = tuple(entry.field for entry in mapped.lineage)
        sha = self._lineage_keys.get(key)
        if sha is None:
            entries = [entry.to_dict() for entry in mapped.lineage]
            text = json.dumps([self.spec.id, self.version, entries], ensure_ascii=False, sort_keys=True)
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            self._lineage_keys[key] = sha
            self.lineages[sha] = (self.spec.id, self.version, entries)
        return sha

    def run(self, source: Source, *, progress: Progress | None = None,
            send: SendTarget | None = None) -> ImportSummary:
        started = time.perf_counter()
        layout = source.layout
        summary = ImportSummary(str(source.path), source.sha256, layout.name,
                                f"{self.spec.id}@{self.version}", source.encoding)
        batch = self.imports.open_batch(file_name=str(source.path), file_sha256=source.sha256,
                                        layout=layout.name, mapping_id=self.spec.id,
                                        mapping_version=self.version, encoding=source.encoding)
        summary.batch_id, summary.imported_before = batch.id, not batch.new
        headers = {"file": source.path.name, "fileSha256": source.sha256, "layout": layout.name,
                   "mapping": summary.mapping}
        chunk = _Chunk()
        rows_of_chunk: dict[str, int] = {}
        apply = self.spec.apply

        def refuse(problem: RowProblem) -> None:
            summary.problems.append(problem)
            summary.rows += 1
            summary.rejected += 1
            chunk.last_row = max(chunk.last_row, problem.row)
            chunk.rejections.append(Rejection(problem.row, problem.result_code,
                                              f"{problem.column}: {problem.reason}",
                                              source.original(problem.row), [asdict(problem)]))

        for row_no, row in source.rows(refuse):
            summary.rows += 1
            chunk.last_row = row_no
            mapped = apply(row)
            if mapped.errors:
                self._reject(summary, chunk, source, row_no, row, mapped)
            else:
                ids = mapped.output["shikibetsu"]
                digest = row_digest(layout.name, row)
                rows_of_chunk[digest] = row_no
                chunk.records.append(NewRecord(ids["lgCode"], ids["atenaNo"], digest, row_no, mapped.output,
                                               row, self.lineage_sha256(mapped)))
            if len(chunk.records) + len(chunk.rejections) >= self.chunk_rows:
                self._flush(summary, batch, chunk, headers, send, rows_of_chunk)
                chunk, rows_of_chunk = _Chunk(), {}
                if progress:
                    progress(summary.rows, source.total)
        self._flush(summary, batch, chunk, headers, send, rows_of_chunk)
        if progress:
            progress(summary.rows, summary.rows)
        summary.seconds = time.perf_counter() - started
        self.imports.finish_batch(batch, actor=self.sender or "import", subject=source.path.name, detail={
            "fileSha256": source.sha256, "layout": layout.name, "mapping": summary.mapping,
            "rows": summary.rows, "accepted": summary.accepted, "duplicates": summary.duplicates,
            "rejected": summary.rejected,
        })
        return summary

    def _reject(self, summary: ImportSummary, chunk: _Chunk, source: Source, row_no: int,
                row: dict[str, str], mapped: mappings.Mapped) -> None:
        problems = [
            RowProblem(row_no, error.path, _shown(error.value), error.reason, _result_code(error.reason))
            for error in mapped.errors
        ]
        summary.problems.extend(problems)
        summary.rejected += 1
        chunk.rejections.append(Rejection(
            row_no, problems[0].result_code, "; ".join(f"{p.column}: {p.reason}" for p in problems),
            source.original(row_no, row), [error.to_dict() for error in mapped.errors],
        ))

    def _flush(self, summary: ImportSummary, batch: BatchInfo, chunk: _Chunk, headers: dict[str, Any],
               send: SendTarget | None, rows_of_chunk: dict[str, int]) -> None:
        result = self.imports.write_chunk(
            batch, records=chunk.records, rejections=chunk.rejections, lineages=self.lineages,
            through_row=chunk.last_row, file_sha256=summary.file_sha256, mapping=(self.spec.id, self.version),
            quarantine_headers=headers, sender=self.sender,
        )
        summary.accepted += result.inserted
        summary.duplicates += result.duplicates
        summary.quarantined += result.quarantined
        if send is not None and chunk.records:
            keys = [(r.lg_code, r.atena_no, r.row_sha256) for r in chunk.records]
            sent = send_records(send, service_of(CANONICAL), self.imports, keys, rows_of_chunk)
            total = summary.send or SendResult()
            total.sent, total.already = total.sent + sent.sent, total.already + sent.already
            total.refused.extend(sent.refused)
            summary.send = total


def import_file(path: str | Path, *, layout: str, store: Store, specs: mappings.SpecRegistry | None = None,
                mapping: str | None = None, encoding: str = "auto", errors_to: str | Path | None = None,
                send: SendTarget | None = None, progress: Progress | None = None,
                chunk_rows: int = CHUNK_ROWS) -> ImportSummary:
    """Import one legacy file; FileRefused when the file as a whole cannot be read."""
    found = find_layout(layout)
    spec = choose_mapping(specs or mappings.registry(), found.name, mapping)
    source = Source(path, found, encoding)
    importer = Importer(store, spec, chunk_rows=chunk_rows, sender=send.caller.id if send else None)
    summary = importer.run(source, progress=progress, send=send)
    if errors_to is not None:
        write_report(errors_to, summary.problems)
    return summary


__all__ = ["CHUNK_ROWS", "ImportSummary", "Importer", "choose_mapping", "import_file"]
