"""Records imported from legacy files (住民記録 extracts, 中間標準レイアウト CSV).

An import is a batch of rows from one file; every accepted row becomes an imported record that keeps
the canonical record, the mapping id and version that made it, its lineage and its source (file
digest and row number), so any stored value can be traced back to a byte range of a file. Tables in
``models``, reads and writes in ``store``.
"""

from broker.imports.models import ImportBatch, ImportedRecord, ImportLineage
from broker.imports.store import (
    BatchInfo,
    ChunkResult,
    ImportStore,
    NewRecord,
    RecordRow,
    Rejection,
    StoredRecord,
    json_text,
    source_row,
)

__all__ = [
    "BatchInfo",
    "ChunkResult",
    "ImportBatch",
    "ImportLineage",
    "ImportStore",
    "ImportedRecord",
    "NewRecord",
    "RecordRow",
    "Rejection",
    "StoredRecord",
    "json_text",
    "source_row",
]
