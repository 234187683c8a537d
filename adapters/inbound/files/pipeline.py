"""The import pipeline: read → map → split accepted from rejected → store in chunks → (send).

One file goes through one mapping version. Every row ends in exactly one place: an imported record
(new, or a duplicate of one stored before) or the quarantine plus the error report — nothing is
skipped silently. Rows are stored a chunk at a time, each chunk in one transaction, so a large
register costs a few dozen commits instead of one per resident.
"""

from __future__ import annotations

import gc
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import mappings
from adapters.inbound.files.chunks import Lineages, MappedChunk, Row, RowMapper
from adapters.inbound.files.report import write_report
from adapters.inbound.files.sending import SendResult, SendTarget, send_records
from adapters.inbound.files.sources import FileRefused, RowProblem, Source, Span, find_layout
from adapters.inbound.files.workers import Mapping, Pending, mapping_for
from adapters.inbound.files.writer import ChunkWriter
from broker.imports import BatchInfo, ImportStore, NewRecord, RecordRow, Rejection
from broker.store import Store

CANONICAL = "canonical.jumin"  # the mapping target of an imported record


def service_of(canonical: str) -> str:
    """The service whose records a canonical layout holds (``canonical.<service>``)."""
    return canonical.split(".", 1)[1]

CHUNK_ROWS = 5000
#: worker processes that map rows (0: map in the importing process); see docs/benchmarks.md
MAPPING_PROCESSES = 2
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
    #: worker processes that mapped the rows (0: the importing process did)
    processes: int = 0

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


@dataclass
class _Chunk:
    """Rows of one chunk as read: those to map, those refused while reading, the last row number."""

    rows: list[Row] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    last_row: int = 0

    def __len__(self) -> int:
        return len(self.rows) + len(self.problems)


@dataclass
class _Stored:
    """A chunk ready for the store: what `ImportStore.write_chunk` takes."""

    records: list[RecordRow]
    rejections: list[Rejection]
    lineages: Lineages
    last_row: int


class Importer:
    """Runs one file through one mapping into the store; see `import_file` for the one-call form.

    Three stages overlap: this thread reads rows and hands chunks to the mapping (in this process
    or in `processes` forked workers), a writer thread stores mapped chunks in file order, and
    the next chunk is read and mapped meanwhile. With `send`, chunks are stored and sent here, one
    after the other, because sending goes through the hub.
    """

    def __init__(self, store: Store, spec: mappings.Spec, *, chunk_rows: int = CHUNK_ROWS,
                 sender: str | None = None, processes: int = MAPPING_PROCESSES) -> None:
        self.imports = ImportStore(store)
        self.spec = spec
        self.chunk_rows = chunk_rows
        self.sender = sender
        self.processes = processes
        self.version = str(spec.version)

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

        def store(chunk: _Stored) -> None:
            self._store(summary, batch, chunk, headers, send)

        # a pool only for a file with work for it: forking costs more than mapping a few chunks
        wanted = self.processes if source.total > 2 * self.chunk_rows else 0
        # forked before any thread starts
        mapping = mapping_for(RowMapper(self.spec, layout.name, source.columns, source), wanted)
        summary.processes = mapping.processes
        writer = ChunkWriter(store) if send is None else None
        # what exists now — specs, code lists, the address index — outlives the import; frozen, the
        # collector stops walking it again and again while the import allocates rows
        gc.freeze()
        try:
            self._read_and_map(source, summary, mapping, writer or store, progress)
            if writer is not None:
                writer.close()
        except BaseException:
            if writer is not None:
                writer.abandon()
            raise
        finally:
            gc.unfreeze()
            mapping.close()
        if progress:
            progress(summary.rows, summary.rows)
        summary.seconds = time.perf_counter() - started
        self.imports.finish_batch(batch, actor=self.sender or "import", subject=source.path.name, detail={
            "fileSha256": source.sha256, "layout": layout.name, "mapping": summary.mapping,
            "rows": summary.rows, "accepted": summary.accepted, "duplicates": summary.duplicates,
            "rejected": summary.rejected,
        })
        return summary

    def _read_and_map(self, source: Source, summary: ImportSummary, mapping: Mapping,
                      store: ChunkWriter[_Stored] | Callable[[_Stored], None],
                      progress: Progress | None) -> None:
        """Read rows into chunks, keep a few chunks mapping ahead, hand mapped chunks over in order.

        When the file can be cut into spans of whole rows (`Source.spans`), only the spans are
        handed out and the mapping reads their rows, in a worker process when there are workers.
        """
        put = store.put if isinstance(store, ChunkWriter) else store
        ahead: deque[tuple[Pending, _Chunk]] = deque()
        depth = max(2, 2 * mapping.processes)

        def submit(pending: Pending, chunk: _Chunk) -> None:
            ahead.append((pending, chunk))
            if len(ahead) >= depth:
                hand_over()

        def hand_over() -> None:
            pending, chunk = ahead.popleft()
            put(self._collect(summary, source, chunk, pending.result()))
            if progress:
                progress(summary.rows, source.total)

        spans = source.spans(self.chunk_rows)
        if spans is not None:
            for span in spans or [Span(0, 0, 1, 0)]:
                submit(mapping.submit_span(span), _Chunk())
        else:
            chunk = _Chunk()

            def refuse(problem: RowProblem) -> None:
                chunk.problems.append(problem)
                chunk.last_row = max(chunk.last_row, problem.row)

            for row_no, row in source.rows(refuse):
                chunk.rows.append((row_no, row))
                chunk.last_row = row_no
                if len(chunk) >= self.chunk_rows:
                    submit(mapping.submit(chunk.rows), chunk)
                    chunk = _Chunk()
            if len(chunk) or not ahead:
                submit(mapping.submit(chunk.rows), chunk)
        while ahead:
            hand_over()

    def _collect(self, summary: ImportSummary, source: Source, read: _Chunk, mapped: MappedChunk) -> _Stored:
        """Count a mapped chunk and turn its refused rows into quarantine entries, in row order.

        Rows refused while reading are in `read` when this process read them, in `mapped` when the
        mapping read a span.
        """
        read_problems = read.problems + mapped.problems
        rejections = [Rejection(p.row, p.result_code, f"{p.column}: {p.reason}", source.original(p.row),
                                [asdict(p)]) for p in read_problems]
        problems = list(read_problems)
        for row_no, row, errors in mapped.refused:
            found = [RowProblem(row_no, e.path, _shown(e.value), e.reason, _result_code(e.reason)) for e in errors]
            problems.extend(found)
            rejections.append(Rejection(
                row_no, found[0].result_code, "; ".join(f"{p.column}: {p.reason}" for p in found),
                source.original(row_no, row), [error.to_dict() for error in errors],
            ))
        problems.sort(key=lambda p: p.row)
        rejections.sort(key=lambda r: r.row_no)
        summary.problems.extend(problems)
        summary.rows += len(mapped.records) + len(mapped.refused) + len(read_problems)
        summary.rejected += len(rejections)
        return _Stored(mapped.records, rejections, mapped.lineages, max(read.last_row, mapped.last_row))

    def _store(self, summary: ImportSummary, batch: BatchInfo, chunk: _Stored, headers: dict[str, Any],
               send: SendTarget | None) -> None:
        result = self.imports.write_chunk(
            batch, records=chunk.records, rejections=chunk.rejections, lineages=chunk.lineages,
            through_row=chunk.last_row, file_sha256=summary.file_sha256, mapping=(self.spec.id, self.version),
            quarantine_headers=headers, sender=self.sender,
        )
        summary.accepted += result.inserted
        summary.duplicates += result.duplicates
        summary.quarantined += result.quarantined
        if send is not None and chunk.records:
            records = [NewRecord(*record) for record in chunk.records]
            keys = [(r.lg_code, r.atena_no, r.row_sha256) for r in records]
            rows_of_chunk = {r.row_sha256: r.row_no for r in records}
            sent = send_records(send, service_of(CANONICAL), self.imports, keys, rows_of_chunk)
            total = summary.send or SendResult()
            total.sent, total.already = total.sent + sent.sent, total.already + sent.already
            total.refused.extend(sent.refused)
            summary.send = total


def import_file(path: str | Path, *, layout: str, store: Store, specs: mappings.SpecRegistry | None = None,
                mapping: str | None = None, encoding: str = "auto", errors_to: str | Path | None = None,
                send: SendTarget | None = None, progress: Progress | None = None,
                chunk_rows: int = CHUNK_ROWS, processes: int = MAPPING_PROCESSES) -> ImportSummary:
    """Import one legacy file; FileRefused when the file as a whole cannot be read."""
    found = find_layout(layout)
    spec = choose_mapping(specs or mappings.registry(), found.name, mapping)
    source = Source(path, found, encoding)
    importer = Importer(store, spec, chunk_rows=chunk_rows, sender=send.caller.id if send else None,
                        processes=processes)
    summary = importer.run(source, progress=progress, send=send)
    if errors_to is not None:
        write_report(errors_to, summary.problems)
    return summary


__all__ = ["CHUNK_ROWS", "MAPPING_PROCESSES", "ImportSummary", "Importer", "choose_mapping", "import_file"]
