"""The 処理結果コード table of ``api_specs/result_codes.yaml``, loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

import api_specs


@dataclass(frozen=True)
class ResultCode:
    code: str
    name: str
    ja: str
    http: int
    faultcode: str | None
    retry: bool


@cache
def table() -> dict[str, ResultCode]:
    raw = yaml.safe_load(api_specs.path("result_codes.yaml").read_text(encoding="utf-8"))
    return {row["code"]: ResultCode(**row) for row in raw["codes"]}


def by_name(name: str) -> ResultCode:
    for rc in table().values():
        if rc.name == name:
            return rc
    raise KeyError(f"no result code named {name!r} in api_specs/result_codes.yaml")
