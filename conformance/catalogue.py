"""The requirement catalogue (requirements.yaml): the ids every scenario, report and verdict refer to.

Loading checks the catalogue itself (unique ids, known levels and roles, existing contract files) so
that a typo fails the run at start-up instead of producing a verdict about a requirement that is not
there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

import api_specs

MANDATORY = "必須"
RECOMMENDED = "推奨"
LEVELS = (MANDATORY, RECOMMENDED)
ID_PATTERN = re.compile(r"^[A-Z]+-[A-Z0-9]+-[0-9]{3}$")
CATALOGUE = Path(__file__).with_name("requirements.yaml")
# one file per service; ids are unique across all of them
CATALOGUES = (CATALOGUE, Path(__file__).with_name("requirements_zei.yaml"))


class CatalogueError(ValueError):
    """requirements.yaml contradicts itself or the contract."""


@dataclass(frozen=True)
class Clause:
    file: str
    section: str
    element: str


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    title: str
    roles: tuple[str, ...]
    clause: Clause
    service: str

    @property
    def mandatory(self) -> bool:
        return self.level == MANDATORY


def _contract_file(name: str) -> Path:
    parts = Path(name).parts
    if not parts or parts[0] != "api_specs":
        raise CatalogueError(f"clause file must be under api_specs/: {name}")
    return api_specs.path(*parts[1:])


@cache
def load(path: Path | None = None) -> tuple[Requirement, ...]:
    """One catalogue file, or (no path) every service's catalogue together."""
    if path is None:
        every = [req for one in CATALOGUES for req in load(one)]
        ids = [req.id for req in every]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise CatalogueError(f"requirement ids repeated across catalogues: {repeated}")
        return tuple(every)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    service = raw["service"]
    out: list[Requirement] = []
    seen: set[str] = set()
    for row in raw["requirements"]:
        if row.get("retired"):
            continue
        rid = row["id"]
        if not ID_PATTERN.match(rid) or rid in seen:
            raise CatalogueError(f"requirement id malformed or repeated: {rid}")
        seen.add(rid)
        if row["level"] not in LEVELS:
            raise CatalogueError(f"{rid}: level must be 必須 or 推奨, not {row['level']!r}")
        roles = tuple(row["roles"])
        if not roles or set(roles) - {"provider", "receiver", "sender"}:
            raise CatalogueError(f"{rid}: unknown roles {roles}")
        clause = Clause(**row["clause"])
        if not _contract_file(clause.file).is_file():
            raise CatalogueError(f"{rid}: contract file {clause.file} does not exist")
        out.append(Requirement(rid, row["level"], row["title"], roles, clause, service))
    return tuple(out)


def by_id() -> dict[str, Requirement]:
    return {r.id: r for r in load()}


def for_role(role: str, service: str = "jumin") -> list[Requirement]:
    return [r for r in load() if role in r.roles and r.service == service]
