"""The privacy guard: a dataset definition that would publish personal or specific personal
information, or gate passes, is refused when it is loaded — before anything is built."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from adapters.outbound.opendata.build import BuildOptions, build_site, default_town_folder
from adapters.outbound.opendata.check import check_folder
from adapters.outbound.opendata.definitions import PrivacyRefused, load_definitions
from broker.clock import JST

HEAD = "id: leak\ntitle: 住民一覧\ndescription: x\ncategory: x\nupdate_frequency: 随時\n"


@pytest.mark.parametrize("source, line, message", [
    ("source:\n  service: jumin\n  fields: [jumin.shikibetsu.lgCode, jumin.shimei.shimei]\n", 8,
     "jumin.shimei.shimei は personal に分類された項目です"),
    ("source:\n  service: jumin\n  fields:\n    - jumin.shikibetsu.kojinBango\n", 9,
     "jumin.shikibetsu.kojinBango は specific に分類された項目です"),
    ("source:\n  service: jumin\n  aggregate: population\n  suppress_below: 3\n"
     "  fields: [jumin.shikibetsu.kojinBango]\n",
     10, "特定個人情報です。集計にも使えません"),
    ("source:\n  service: jumin\n  aggregate: population\n  suppress_below: 1\n  fields: [jumin.jusho.oaza]\n", 9,
     "3 未満の数を秘匿します"),
    ("source:\n  service: jumin\n  aggregate: population\n  fields: [jumin.jusho.oaza]\n", 7, "3 未満の数を秘匿します"),
    ("source: {series: gate_pass}\n", 6, "gate_pass は公開できません"),
])
def test_refused_at_load_time_with_file_and_line(tmp_path: Path, source: str, line: int, message: str) -> None:
    town = tmp_path / "town"
    shutil.copytree(default_town_folder(), town)
    (town / "datasets" / "leak.yaml").write_text(HEAD + source, encoding="utf-8")
    with pytest.raises(PrivacyRefused) as caught:
        load_definitions(town)
    assert (caught.value.file, caught.value.line) == ("datasets/leak.yaml", line)
    assert message in caught.value.message
    out = tmp_path / "out"
    with pytest.raises(PrivacyRefused):
        build_site(town, out, BuildOptions(now=datetime(2026, 11, 29, tzinfo=JST), as_of=date(2026, 11, 1)))
    assert not out.exists()  # nothing at all was written
    assert check_folder(town) == [f"datasets/leak.yaml:{line}: {caught.value.message}"]


def test_public_fields_pass_the_guard() -> None:
    kinds = {d.id: d.kind for d in load_definitions(default_town_folder())}
    assert kinds["population"] == "aggregate" and kinds["gomi"] == "gomi" and kinds["shelter"] == "rows"
