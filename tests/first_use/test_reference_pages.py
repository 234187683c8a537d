"""The reference pages in docs/reference are what the hub would write from its own data today."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipla import reference_docs

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "reference"


@pytest.mark.parametrize("name", sorted(reference_docs.PAGES))
def test_reference_page_is_current(name: str) -> None:
    committed = (FOLDER / name).read_text(encoding="utf-8")
    assert committed == reference_docs.PAGES[name](), f"run `chipla reference write docs/reference` ({name})"


def test_every_code_list_and_result_code_is_on_its_page() -> None:
    from broker.result_codes import table
    from vocab import codelists

    codes_page = (FOLDER / "result-codes.md").read_text(encoding="utf-8")
    assert all(f"`{code}`" in codes_page for code in table())
    lists_page = (FOLDER / "code-lists.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in lists_page for name in codelists.list_names())


def test_result_codes_and_names_are_unique() -> None:
    import yaml

    import api_specs

    rows = yaml.safe_load(api_specs.path("result_codes.yaml").read_text(encoding="utf-8"))["codes"]
    codes, names = [r["code"] for r in rows], [r["name"] for r in rows]
    assert len(set(codes)) == len(codes), [c for c in codes if codes.count(c) > 1]
    assert len(set(names)) == len(names), [n for n in names if names.count(n) > 1]
