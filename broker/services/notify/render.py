"""Notices in Japanese from jinja2 templates: ``<name>.txt.j2`` (first line the subject, then the
plain text) and ``<name>.html.j2`` (the HTML part, autoescaped)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def _environments() -> tuple[jinja2.Environment, jinja2.Environment]:
    loader = jinja2.FileSystemLoader(TEMPLATES)
    text = jinja2.Environment(loader=loader, autoescape=False, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True)
    html = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    return text, html


def render(name: str, context: Mapping[str, Any]) -> Rendered:
    text_env, html_env = _environments()
    first, _, rest = text_env.get_template(f"{name}.txt.j2").render(context).partition("\n")
    html = html_env.get_template(f"{name}.html.j2").render(context)
    return Rendered(" ".join(first.split()), rest.strip() + "\n", html)


def template_names() -> list[str]:
    return sorted(p.name.removesuffix(".txt.j2") for p in TEMPLATES.glob("*.txt.j2"))
