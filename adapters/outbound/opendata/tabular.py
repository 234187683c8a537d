"""Template-shaped CSV files (UTF-8, optional BOM for Excel, CRLF, header exactly as the template)
and the Table Schema that describes them for frictionless."""

from __future__ import annotations

import csv
import io
from typing import Any

from adapters.outbound.opendata.types import Resource
from mappings.opendata.templates import Template

__all__ = ["csv_bytes", "table_resource", "table_schema"]

_FORMATS = {"time": "%H:%M"}


def csv_bytes(header: list[str], rows: list[list[str]], *, bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def table_schema(tpl: Template, *, missing: tuple[str, ...] = ("",)) -> dict[str, Any]:
    """Table Schema of a template. With a suppression marker among ``missing`` (``X``), a count column
    may hold it in place of a number, so it is not ``required`` there even if the template says so."""
    fields = []
    for column in tpl.columns:
        kind = tpl.type_of(column)
        field: dict[str, Any] = {"name": column, "type": kind}
        if kind in _FORMATS:
            field["format"] = _FORMATS[kind]
        constraints: dict[str, Any] = {}
        suppressible = kind == "integer" and len(missing) > 1
        if column in tpl.flags:
            constraints["enum"] = ["○"]
        elif column in tpl.required and not suppressible:
            constraints["required"] = True
        if suppressible:
            field["description"] = f"{'・'.join(m for m in missing if m)} は秘匿した値です"
        if kind == "integer":
            constraints["minimum"] = 0
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {"fields": fields, "missingValues": list(missing)}


def table_resource(tpl: Template, lg_code: str, rows: list[list[str]], *, bom: bool,
                   missing: tuple[str, ...] = ("",)) -> Resource:
    return Resource(name=tpl.file.replace("_", "-"), path=f"{lg_code}_{tpl.file}.csv",
                    data=csv_bytes(list(tpl.columns), rows, bom=bom), format="csv", mediatype="text/csv",
                    title=tpl.name, schema=table_schema(tpl, missing=missing),
                    encoding="utf-8-sig" if bom else "utf-8")
