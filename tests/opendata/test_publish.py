"""Publishing: every dataset validated with frictionless before it is published, versions kept, a DCAT
catalogue and a CKAN-compatible API over the same folder, and the command line."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import frictionless
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from adapters.outbound.opendata.build import BuildOptions, build_site, default_town_folder
from adapters.outbound.opendata.check import check_folder
from adapters.outbound.opendata.datapackage import InvalidDataset
from adapters.outbound.opendata.publish import publish_dataset
from adapters.outbound.opendata.site import OpenDataSite
from adapters.outbound.opendata.types import BuiltDataset, Resource
from broker.clock import JST
from chipla import cli

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=JST)
KPI = {"public_facility", "evacuation_space", "shelter", "public_wireless_lan", "preschool", "event", "gomi", "bus",
       "opendata_list"}


def _build(out: Path, town: Path | None = None, **kw: object) -> object:
    opts = BuildOptions(now=kw.pop("now", NOW), as_of=date(2026, 11, 1), **kw)  # type: ignore[arg-type]
    return build_site(town or default_town_folder(), out, opts)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("opendata")
    _build(out)
    return out


def test_every_dataset_is_published_and_valid(site: Path) -> None:
    assert {p.parent.name for p in site.glob("*/meta.json")} == KPI
    for package in site.glob("*/v1/datapackage.json"):
        report = frictionless.validate(str(package))
        assert report.valid, report.flatten(["type", "note"])
        descriptor = json.loads(package.read_text(encoding="utf-8"))
        assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
        assert all(r.get("schema") for r in descriptor["resources"] if r["format"] == "csv")
    assert check_folder(site) == []


def test_opendata_list_lists_every_other_dataset_with_iso_dates(site: Path) -> None:
    lines = (site / "opendata_list" / "v1" / "243035_opendata_list.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(KPI)  # header + every dataset but itself
    assert all(",CC BY 4.0,2026-11-29,2026-11-29," in line for line in lines[1:])


def test_a_new_version_only_on_change_and_old_versions_kept(tmp_path: Path) -> None:
    town = tmp_path / "town"
    shutil.copytree(default_town_folder(), town)
    out = tmp_path / "out"
    _build(out, town)
    again = _build(out, town, now=NOW.replace(hour=10))
    assert not any(p.new for p in again.published)  # type: ignore[attr-defined]
    path = town / "datasets" / "event.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("入場無料", "入場料 100円"), encoding="utf-8")
    changed = _build(out, town, now=NOW.replace(day=30))
    # the list of datasets changes with it: its 最終更新日 of イベント一覧 moved
    assert [p.id for p in changed.published if p.new] == ["event", "opendata_list"]  # type: ignore[attr-defined]
    assert "入場無料" in (out / "event" / "v1" / "243035_event.csv").read_text(encoding="utf-8")
    assert "入場料 100円" in (out / "event" / "v2" / "243035_event.csv").read_text(encoding="utf-8")
    catalog = json.loads((out / "catalog.jsonld").read_text(encoding="utf-8"))
    event = next(d for d in catalog["dcat:dataset"] if d["dct:identifier"] == "event")
    assert event["owl:versionInfo"] == "2" and event["dct:modified"]["@value"].startswith("2026-11-30")
    assert event["dct:issued"]["@value"].startswith("2026-11-29")
    assert "第1版" in (out / "event" / "index.html").read_text(encoding="utf-8")
    assert check_folder(out) == []


def test_bom_option(tmp_path: Path) -> None:
    _build(tmp_path, bom=True)
    data = (tmp_path / "shelter" / "v1" / "243035_shelter.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfNO,") and check_folder(tmp_path) == []


def test_a_dataset_that_fails_validation_is_not_published(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "開始日", "type": "date", "constraints": {"required": True}}]}
    bad = BuiltDataset("bad", "悪いデータ", "", "x", "随時", [Resource(
        "bad", "bad.csv", "開始日\r\n2026/11/29\r\n\r\n".encode(), "csv", "text/csv", "bad", schema=schema)])
    with pytest.raises(InvalidDataset, match="bad"):
        publish_dataset(tmp_path, bad, created=NOW.isoformat(), publisher="木曽岬町")
    assert not list((tmp_path / "bad").glob("v*"))


def test_check_finds_a_file_changed_after_publication(tmp_path: Path) -> None:
    _build(tmp_path)
    target = tmp_path / "preschool" / "v1" / "243035_preschool.csv"
    target.write_bytes(target.read_bytes().replace("保育所".encode(), "保育園".encode()))
    assert any("preschool/v1/243035_preschool.csv" in p and "hash" in p for p in check_folder(tmp_path))


def test_dcat_catalogue(site: Path) -> None:
    catalog = json.loads((site / "catalog.jsonld").read_text(encoding="utf-8"))
    assert catalog["@type"] == "dcat:Catalog" and catalog["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    gomi = next(d for d in catalog["dcat:dataset"] if d["dct:identifier"] == "gomi")
    urls = [d["dcat:downloadURL"]["@id"] for d in gomi["dcat:distribution"]]
    assert "/opendata/gomi/v1/area_days.csv" in urls and "/opendata/gomi/v1/gomi_hokubu.ics" in urls
    assert all(d["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
               for d in gomi["dcat:distribution"])


def test_dcat_catalogue_reads_as_rdf(site: Path) -> None:
    """What an RDF harvester sees: every dataset a dcat:Dataset with its distributions and licence."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF

    graph = Graph().parse(data=(site / "catalog.jsonld").read_text(encoding="utf-8"), format="json-ld",
                          publicID="https://opendata.example.jp/")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(KPI)
    cc_by = URIRef("https://creativecommons.org/licenses/by/4.0/")
    for dataset in datasets:
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert distributions and all((d, DCTERMS.license, cc_by) in graph for d in distributions)
        assert all(graph.value(d, DCAT.downloadURL) is not None for d in distributions)
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    assert set(graph.objects(catalog, DCAT.dataset)) == datasets


@pytest.fixture(scope="module")
def api(site: Path) -> TestClient:
    return TestClient(OpenDataSite(site, lambda: None))


def test_ckan_package_list_and_show(api: TestClient) -> None:
    listed = api.get("/api/3/action/package_list")
    assert listed.status_code == 200 and listed.headers["content-type"].startswith("application/json")
    body = listed.json()
    assert body["success"] is True and body["help"].endswith("help_show?name=package_list")
    assert body["result"] == sorted(KPI)
    shown = api.get("/api/3/action/package_show", params={"id": "shelter"}).json()["result"]
    assert shown["name"] == "shelter" and shown["license_id"] == "cc-by" and shown["organization"]["name"] == "kisosaki"
    assert shown["resources"][0]["url"] == "/opendata/shelter/v1/243035_shelter.csv"
    assert shown["resources"][0]["format"] == "CSV" and shown["num_resources"] == 1
    by_id = api.post("/api/3/action/package_show", json={"id": shown["id"]}).json()["result"]
    assert by_id == shown
    assert api.get("/api/3/action/package_list", params={"limit": 2, "offset": 1}).json()["result"] == sorted(KPI)[1:3]


def test_ckan_errors_answer_like_ckan(api: TestClient) -> None:
    missing = api.get("/api/3/action/package_show", params={"id": "nothing"})
    assert missing.status_code == 404
    assert missing.json()["success"] is False and missing.json()["error"] == {"__type": "Not Found Error",
                                                                              "message": "Not found"}
    no_id = api.get("/api/3/action/package_show")
    assert no_id.status_code == 409 and no_id.json()["error"] == {"__type": "Validation Error", "id": ["Missing value"]}
    assert api.get("/api/3/action/package_search", params={"rows": "many"}).status_code == 409
    assert api.get("/api/3/action/package_delete").status_code == 400
    assert api.post("/api/3/action/package_show", content=b"{not json").status_code == 400


def test_ckan_package_search(api: TestClient) -> None:
    found = api.get("/api/3/action/package_search", params={"q": "避難"}).json()["result"]
    assert {p["name"] for p in found["results"]} >= {"evacuation_space", "shelter"} and found["count"] >= 2
    everything = api.get("/api/3/action/package_search", params={"rows": 3}).json()["result"]
    assert everything["count"] == len(KPI) and len(everything["results"]) == 3


def test_command_line_build_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "site"
    assert cli.main(["opendata", "build", str(out), "--no-db"]) == 0
    assert f"オープンデータ公開件数: {len(KPI)} 件" in capsys.readouterr().out
    assert cli.main(["opendata", "check", str(out)]) == 0
    assert cli.main(["opendata", "check", str(default_town_folder())]) == 0
    (out / "gomi" / "v1" / "area_days.csv").write_text("x", encoding="utf-8")
    assert cli.main(["opendata", "check", str(out)]) == 1


_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=st.sampled_from(["package_list", "package_show", "package_search", "resource_show", "package_delete"]),
       params=st.dictionaries(st.sampled_from(["id", "q", "rows", "start", "limit", "offset", "fq"]), _text),
       post=st.booleans(), raw=st.binary(max_size=40))
def test_ckan_api_answers_any_request_in_its_envelope(api: TestClient, action: str, params: dict[str, str],
                                                       post: bool, raw: bytes) -> None:
    url = f"/api/3/action/{action}"
    reply = api.post(url, content=raw) if post else api.get(url, params=params)
    assert reply.status_code in (200, 400, 404, 409)
    body = reply.json()
    assert body["success"] is (reply.status_code == 200) and "help" in body
