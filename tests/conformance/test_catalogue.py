"""The requirement catalogue and the features agree: no 必須 requirement is left without a scenario."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

import api_specs
from conformance import catalogue

FEATURES = Path(catalogue.__file__).with_name("features")
ROLES = {"provider", "receiver", "sender"}
SERVICES = {"jumin", "zei"}
ORDERING = {"run_last"}  # the tag of a scenario that judges the whole run (plugin.RUN_LAST)


@dataclass
class Scenario:
    feature: Path
    name: str
    roles: set[str]
    ids: set[str]


def scenarios() -> list[Scenario]:
    """Scenario tags from the feature files: feature-level role tags, scenario-level requirement ids."""
    out: list[Scenario] = []
    for path in sorted(FEATURES.rglob("*.feature")):
        pending: set[str] = set()
        feature_tags: set[str] = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if text.startswith("@"):
                pending |= {t.lstrip("@") for t in text.split()}
            elif text.startswith("機能:"):
                feature_tags, pending = pending, set()
            elif text.startswith("シナリオ"):
                tags = feature_tags | pending
                out.append(Scenario(path, text, tags & ROLES, tags - ROLES - SERVICES - ORDERING))
                pending = set()
    return out


def test_every_mandatory_requirement_has_a_scenario_for_each_of_its_roles() -> None:
    found = scenarios()
    missing = [f"{req.id} ({role})" for req in catalogue.load() if req.mandatory for role in req.roles
               if not any(req.id in s.ids and role in s.roles for s in found)]
    assert not missing, f"必須 requirements without a scenario: {missing}"


def test_every_scenario_proves_known_requirements_of_its_roles() -> None:
    known = catalogue.by_id()
    for s in scenarios():
        assert s.ids, f"{s.feature.name}: scenario without a requirement tag: {s.name}"
        assert s.roles, f"{s.feature.name}: scenario without a role: {s.name}"
        unknown = s.ids - known.keys()
        assert not unknown, f"{s.feature.name}: unknown requirement ids {unknown}"
        for rid in s.ids:
            assert s.roles <= set(known[rid].roles), f"{rid} is tagged for roles it does not apply to"


def test_clauses_name_elements_of_the_contract() -> None:
    for req in catalogue.load():
        text = api_specs.path(*Path(req.clause.file).parts[1:]).read_text(encoding="utf-8")
        for element in (e.strip() for e in req.clause.element.split(",")):
            assert element in text, f"{req.id}: {element!r} does not occur in {req.clause.file}"


def test_catalogue_counts() -> None:
    reqs = catalogue.load()
    assert len({r.id for r in reqs}) == len(reqs)
    assert sum(r.mandatory for r in reqs) >= 30


def test_malformed_catalogue_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "requirements.yaml"
    bad.write_text("service: jumin\nrequirements:\n"
                   "  - {id: JUMIN-X-1, level: 必須, title: t, roles: [provider],"
                   " clause: {file: api_specs/openapi.yaml, section: s, element: e}}\n", encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError):
        catalogue.load(bad)
