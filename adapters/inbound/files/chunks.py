"""Mapping one chunk of rows: the part of an import that needs no database and no file.

A chunk of (row number, row) pairs — or a `Span` of the file, whose rows the mapper reads itself
from the `Source` it was made with — goes in; what comes out is everything the store needs: each
accepted row as a `NewRecord` (its key, digest, canonical record and source row as JSON text — a
CSV row as its list of values — and the digest of its lineage), each refused row with its field
errors, the rows refused while reading a span, and the lineages the chunk names. Because it
touches nothing else, the same `RowMapper` runs in the importing process or in a forked worker
process (`adapters.inbound.files.workers`), and both give the same chunk.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import mappings
from adapters.inbound.files.sources import RowProblem, Source, Span, row_digest
from broker.imports import RecordRow, json_text
from mappings.errors import FieldError

_FIELD = attrgetter("field")
#: (row number, row): a CSV row's values in column order, or a fixed-width record's {column: text}
Row = tuple[int, list[str] | dict[str, str]]
#: (mapping id, mapping version, lineage entries) by lineage digest, as `ImportStore` stores them
Lineages = dict[str, tuple[str, str, list[dict[str, Any]]]]


@dataclass
class MappedChunk:
    """One chunk after mapping; rows keep their file order within `records` and `refused`."""

    #: accepted rows as plain tuples in `NewRecord`'s field order (cheap to send between processes)
    records: list[RecordRow] = field(default_factory=list)
    refused: list[tuple[int, dict[str, str], list[FieldError]]] = field(default_factory=list)
    lineages: Lineages = field(default_factory=dict)
    #: rows of a span refused while reading (wrong number of columns), and the span's last row
    problems: list[RowProblem] = field(default_factory=list)
    last_row: int = 0


class RowMapper:
    """A spec's compiled function and the lineage digests it has produced so far."""

    def __init__(self, spec: mappings.Spec, layout_name: str, columns: tuple[str, ...] | None = None,
                 source: Source | None = None) -> None:
        self.compiled = spec.compiled
        self.source = source
        self.columns = columns
        self.spec_id = spec.id
        self.version = str(spec.version)
        self.layout_name = layout_name
        self._digests: dict[tuple[str, ...], str] = {}
        self._lineages: Lineages = {}

    def lineage_sha256(self, lineage: list[mappings.LineageEntry]) -> str:
        """Digest of a record's lineage; computed once per distinct set of produced fields."""
        key = tuple(map(_FIELD, lineage))
        sha = self._digests.get(key)
        if sha is None:
            entries = [entry.to_dict() for entry in lineage]
            text = json.dumps([self.spec_id, self.version, entries], ensure_ascii=False, sort_keys=True)
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            self._digests[key] = sha
            self._lineages[sha] = (self.spec_id, self.version, entries)
        return sha

    def map_span(self, span: Span) -> MappedChunk:
        """Read the span's rows from the source and map them."""
        if self.source is None:
            raise ValueError("a span is mapped by a mapper made with its source")
        problems: list[RowProblem] = []
        rows: list[Row] = list(self.source.span_rows(span, problems.append))
        chunk = self.map_rows(rows)
        # the last row read, as the importing process counts it (trailing blank lines are no rows)
        chunk.problems = problems
        chunk.last_row = max(rows[-1][0] if rows else 0, problems[-1].row if problems else 0)
        return chunk

    def map_rows(self, rows: list[Row]) -> MappedChunk:
        chunk = MappedChunk()
        records, refused, used = chunk.records, chunk.refused, chunk.lineages
        map_record, layout_name, columns = self.compiled.map, self.layout_name, self.columns or ()
        digests, append = self._digests, records.append
        for row_no, values in rows:
            row = values if type(values) is dict else dict(zip(columns, values, strict=True))
            output, lineage, errors = map_record(row)
            if errors:
                refused.append((row_no, row, errors))
                continue
            ids = output["shikibetsu"]
            sha = digests.get(tuple(map(_FIELD, lineage))) or self.lineage_sha256(lineage)
            if sha not in used:
                used[sha] = self._lineages[sha]
            # a CSV row is kept as its values in column order (`broker.imports.source_row` reads it
            # back as {column: value}): the column names are the layout's, not each row's
            append((ids["lgCode"], ids["atenaNo"], row_digest(layout_name, row), row_no,
                    json_text(output), json_text(values), sha))
        return chunk


__all__ = ["Lineages", "MappedChunk", "Row", "RowMapper"]
