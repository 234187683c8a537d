"""The package's public surface, and the path syntax every lineage entry and diff uses."""

from __future__ import annotations

import pytest

import mappings
from mappings import paths
from mappings.transforms.registry import transforms


def test_public_names_are_exported() -> None:
    for name in mappings.__all__:
        assert hasattr(mappings, name), name
    assert callable(mappings.registry) and callable(mappings.load) and callable(mappings.compare)
    assert callable(mappings.imi.ido_to_imi)


def test_transform_registry_has_the_named_steps() -> None:
    assert {
        "wareki_to_iso",
        "hankaku_to_zenkaku",
        "resolve_gaiji",
        "split_shimei",
        "code_label",
        "lg_code_uri",
        "const",
        "concat",
        "date_to_imi",
    } <= set(transforms())


def test_paths_put_get_and_compact() -> None:
    out: dict = {}
    paths.put(out, "住所.住所コード[1].識別値", "x")
    paths.put(out, "住所.町名", "西対海地")
    assert paths.compact(out) == {"住所": {"住所コード": [{"識別値": "x"}], "町名": "西対海地"}}
    assert paths.get(out, "住所.住所コード[1].識別値") == "x"
    assert paths.get({"a": ""}, "a") is None
    assert paths.leaves({"a": [{"b": 1}], "c": 2}) == {"a[0].b": 1, "c": 2}
    for bad in ("", "a..b", ".a", "a[x]"):
        with pytest.raises(ValueError):
            paths.parse(bad)
