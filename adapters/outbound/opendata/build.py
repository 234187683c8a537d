"""``chipla opendata build``: every dataset of a town folder built, validated and published into an
output folder, then the catalogue (``catalog.jsonld``, ``ckan.json``) and the pages.

The order matters: オープンデータ一覧 is built last, from the versions just published, so it lists
every other dataset with its real 登録日 and 最終更新日.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from adapters.outbound.opendata import catalog, pages
from adapters.outbound.opendata.definitions import Definition, TownConfig, load_definitions, load_town
from adapters.outbound.opendata.gomi import gomi_resources
from adapters.outbound.opendata.population import count_population, population_rows, residents_as_of
from adapters.outbound.opendata.publish import Published, publish_dataset
from adapters.outbound.opendata.series import SeriesSource
from adapters.outbound.opendata.tabular import table_resource
from adapters.outbound.opendata.types import BuiltDataset, Preview
from broker.clock import JST
from broker.store import Store
from mappings.opendata.rows import map_rows
from mappings.opendata.templates import template
from vocab.address import OazaList
from vocab.gomi.town import load_gomi

__all__ = ["BuildOptions", "BuildResult", "build_site", "default_town_folder"]


def default_town_folder(lg_code: str = "243035") -> Path:
    return Path(__file__).resolve().parents[3] / "towndata" / lg_code


@dataclass
class BuildOptions:
    now: datetime
    as_of: date
    bom: bool = False
    base_url: str = "/opendata"
    store: Store | None = None
    series: SeriesSource | None = None


@dataclass
class BuildResult:
    published: list[Published] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # datasets whose source was not available, and why

    @property
    def count(self) -> int:
        return len(self.published)


def _rows_dataset(d: Definition, cfg: TownConfig, opts: BuildOptions) -> BuiltDataset:
    assert d.template is not None
    tpl = template(d.template)
    rows = map_rows(d.node["rows"], tpl, cfg.town)
    return _base(d, [table_resource(tpl, cfg.town.lg_code, rows, bom=opts.bom)], Preview(list(tpl.columns), rows))


def _base(d: Definition, resources: list, preview: Preview | None) -> BuiltDataset:  # type: ignore[type-arg]
    return BuiltDataset(d.id, d.title, d.description, d.category, d.update_frequency, resources, list(d.keywords),
                        preview, d.template)


def _gomi_dataset(d: Definition, cfg: TownConfig, opts: BuildOptions) -> BuiltDataset:
    source = d.source
    assert source is not None
    folder = (cfg.folder / "datasets" / source["gomi"].text()).resolve()
    gomi = load_gomi(folder)
    # DTSTAMP from the calendar's own period, not the build time: an unchanged calendar is unchanged bytes
    stamp = datetime.combine(gomi.period_from, time(0), tzinfo=JST)
    resources, preview = gomi_resources(gomi, cfg.town, bom=opts.bom, stamp=stamp)
    return _base(d, resources, preview)


def _population_dataset(d: Definition, cfg: TownConfig, opts: BuildOptions) -> BuiltDataset:
    assert opts.store is not None and d.template is not None and d.source is not None
    tpl = template(d.template)
    records = residents_as_of(opts.store, cfg.town.lg_code, opts.as_of)
    table = count_population(records, cfg.town, OazaList.load(), opts.as_of, d.source["suppress_below"].integer())
    rows = population_rows(table, cfg.town, opts.as_of, list(tpl.columns))
    resource = table_resource(tpl, cfg.town.lg_code, rows, bom=opts.bom, missing=("", "X"))
    return _base(d, [resource], Preview(list(tpl.columns), rows))


def _catalog_dataset(d: Definition, cfg: TownConfig, opts: BuildOptions, root: Path) -> BuiltDataset:
    assert d.template is not None
    tpl = template(d.template)
    rows = []
    for n, e in enumerate((e for e in catalog.entries(root) if e.id != d.id), start=1):
        formats = sorted({r["format"].upper() for r in e.package["resources"]})
        row = {"都道府県コード又は市区町村コード": cfg.town.lg_code, "NO": str(n), "都道府県名": cfg.town.prefecture,
               "市区町村名": cfg.town.city, "データ名称": e.meta["title"], "データ概要": e.meta["description"],
               "データ形式": ", ".join(formats), "分類": e.meta["category"], "更新頻度": e.meta["update_frequency"],
               "URL": f"{opts.base_url.rstrip('/')}/{e.id}/", "API対応有無": "有", "ライセンス": "CC BY 4.0",
               "登録日": e.versions[0]["created"][:10], "最終更新日": e.versions[-1]["created"][:10]}
        rows.append([row.get(c, "") for c in tpl.columns])
    return _base(d, [table_resource(tpl, cfg.town.lg_code, rows, bom=opts.bom)], Preview(list(tpl.columns), rows))


def build_site(town_folder: Path, out: Path, opts: BuildOptions) -> BuildResult:
    """Build every dataset of ``town_folder`` into ``out``. Definitions are checked (and the privacy
    guard run) before anything is written."""
    cfg = load_town(town_folder)
    definitions = load_definitions(town_folder)
    out.mkdir(parents=True, exist_ok=True)
    created = opts.now.isoformat(timespec="seconds")
    result = BuildResult()
    built: list[BuiltDataset] = []
    for d in definitions:
        if d.kind == "catalog":
            continue
        if d.kind == "aggregate" and opts.store is None:
            result.skipped.append(f"{d.id}: 住民記録のデータベースがありません")
            continue
        if d.kind == "series":
            from adapters.outbound.opendata.live import series_dataset

            ds = series_dataset(d, cfg, opts)
            if ds is None:
                result.skipped.append(f"{d.id}: 水位計の観測データがありません")
                continue
        else:
            ds = {"rows": _rows_dataset, "gomi": _gomi_dataset, "aggregate": _population_dataset}[d.kind](d, cfg, opts)
        result.published.append(publish_dataset(out, ds, created=created, publisher=cfg.publisher))
        built.append(ds)
    for d in definitions:
        if d.kind == "catalog":
            ds = _catalog_dataset(d, cfg, opts, out)
            result.published.append(publish_dataset(out, ds, created=created, publisher=cfg.publisher))
            built.append(ds)
    items = catalog.entries(out)
    (out / "catalog.jsonld").write_text(json.dumps(
        catalog.dcat_catalog(items, base=opts.base_url, publisher=cfg.publisher, title=cfg.catalog_title),
        ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "ckan.json").write_text(json.dumps(
        [catalog.ckan_package(e, base=opts.base_url, publisher=cfg.publisher, org=cfg.org) for e in items],
        ensure_ascii=False), encoding="utf-8")
    pages.write_pages(out, items, {ds.id: ds for ds in built}, cfg, opts.base_url)
    return result
