"""Shared fixtures: the shipped spec registry and a sample resident of 木曽岬町."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import mappings

SAMPLE_JUMIN: dict[str, Any] = {
    "shikibetsu": {
        "atenaNo": "100000000001",
        "juminhyoCode": "12345678901",
        "kojinBango": "123456789012",
        "setaiNo": "200000000001",
        "lgCode": "243035",
    },
    "jotai": {
        "juminShubetsu": "1",
        "juminJotai": "1",
        "idoJiyu": "10",
        "idoDate": "2026-04-01",
        "todokedeDate": "2026-04-01",
    },
    "shimei": {"shimei": "木曽 太郎", "shimeiKana": "キソ タロウ"},
    "zokusei": {
        "birthDate": "1980-05-01",
        "seibetsu": "1",
        "zokugara": "01",
        "setainushiShimei": "木曽 太郎",
    },
    "jusho": {
        "postcode": "4980807",
        "prefecture": "三重県",
        "city": "桑名郡木曽岬町",
        "oaza": "西対海地",
        "banchi": "251",
        "katagaki": "コーポ木曽101",
        "machiazaId": "0001001",
    },
    "honseki": {"honseki": "三重県桑名郡木曽岬町大字西対海地251", "hittosha": "木曽 太郎"},
}


@pytest.fixture(scope="session")
def specs() -> mappings.SpecRegistry:
    return mappings.registry()


@pytest.fixture
def jumin() -> dict[str, Any]:
    return copy.deepcopy(SAMPLE_JUMIN)
