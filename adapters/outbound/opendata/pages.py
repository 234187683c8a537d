"""The open-data pages (Japanese, JIS X 8341-3:2016 AA): an index and one page per dataset with
its downloads, licence, versions and a preview table, written as static files beside the data."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from adapters.outbound.opendata.catalog import Entry
from adapters.outbound.opendata.definitions import TownConfig
from adapters.outbound.opendata.types import BuiltDataset

__all__ = ["PREVIEW_ROWS", "write_pages"]

TEMPLATES = Path(__file__).with_name("page_templates")
PREVIEW_ROWS = 20


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def write_pages(root: Path, items: list[Entry], built: dict[str, BuiltDataset], cfg: TownConfig, base: str) -> None:
    env = _env()
    base = base.rstrip("/")
    (root / "style.css").write_text((TEMPLATES / "style.css").read_text(encoding="utf-8"), encoding="utf-8")
    formats = {e.id: "・".join(sorted({r["format"].upper() for r in e.package["resources"]})) for e in items}
    (root / "index.html").write_text(env.get_template("index.html").render(
        cfg=cfg, base=base, items=items, formats=formats), encoding="utf-8")
    for e in items:
        ds = built.get(e.id)
        (root / e.id / "index.html").write_text(env.get_template("dataset.html").render(
            cfg=cfg, base=base, e=e, preview=ds.preview if ds else None, shown=PREVIEW_ROWS,
            extra=list(ds.extra_pages.values()) if ds else []), encoding="utf-8")
