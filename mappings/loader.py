"""Reading spec files: every mistake a spec can hold is found here, with its file and line.

A spec file looks like this (the full format is in ``mappings/specs/README.md``)::

    id: jumin-imi
    version: 1
    source: canonical.jumin
    target: imi.jsonld
    class: 人型                    # IMI targets: the class of the root object
    context: [https://imi.go.jp/ns/core/context.jsonld, …]
    fields:
      - to: 氏名.姓                # output path
        from: shimei.shimei        # one source path, or a list of them
        via: [resolve_gaiji, {split_shimei: sei}]
        required: false
    include:                       # another spec applied to a sub-record
      - {spec: jumin-imi, version: 1, from: jumin, to: 関与.関与者}

The loader checks: known top-level and rule keys, id and version shapes, source and target layout
names, every source path against the source layout, every output path against the target layout
(for IMI, against the core vocabulary's classes and properties), every transform name and argument,
and included specs. The first problem raises MappingSpecError naming the file and the line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mappings import layout_catalog
from mappings.errors import MappingSpecError
from mappings.imi_target import build_imi_target
from mappings.marked_yaml import MarkedDocument, load_marked
from mappings.spec import Include, Rule, Spec, Step
from mappings.transforms.registry import Arg, transforms
from mappings.types import Version

SPEC_KEYS = {
    "id",
    "version",
    "source",
    "target",
    "description",
    "class",
    "types",
    "context",
    "fields",
    "include",
}
RULE_KEYS = {"to", "from", "via", "required", "note"}
INCLUDE_KEYS = {"spec", "version", "from", "to"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def version_key(version: Version) -> tuple[int, int, int]:
    """Order integer and semver versions together (``2`` sorts as ``2.0.0``)."""
    if isinstance(version, int):
        return (version, 0, 0)
    major, minor, patch = (int(part) for part in version.split("."))
    return (major, minor, patch)


def _version(doc: MarkedDocument, value: Any, *key: str | int) -> Version:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if isinstance(value, str) and _SEMVER.match(value):
        return value
    raise doc.error(f"version must be a positive integer or semver like 1.2.0, got {value!r}", *key)


class SpecLoader:
    """Loads specs from one folder, resolving includes against the other files of that folder."""

    def __init__(self, folder: Path, layout_folder: Path = layout_catalog.LAYOUT_DIR) -> None:
        self.folder = folder
        self.layout_folder = layout_folder
        self._loaded: dict[tuple[str, Version], Spec] = {}
        self._files: dict[tuple[str, Version], Path] | None = None
        self._loading: list[tuple[str, Version]] = []

    def spec_files(self) -> dict[tuple[str, Version], Path]:
        """Which file holds each (id, version); two files claiming one key is an error."""
        if self._files is None:
            self._files = {}
            for file in sorted(self.folder.glob("*.yaml")):
                doc = load_marked(file)
                if not isinstance(doc.data, dict):
                    raise doc.error("a spec is a YAML mapping")
                key = (str(doc.data.get("id")), _version(doc, doc.data.get("version"), "version"))
                if key in self._files:
                    raise doc.error(f"{key[0]} v{key[1]} is also defined in {self._files[key]}", "version")
                self._files[key] = file
        return self._files

    def load_all(self) -> list[Spec]:
        return [self.load_key(key) for key in self.spec_files()]

    def load_key(self, key: tuple[str, Version]) -> Spec:
        if key not in self._loaded:
            path = self.spec_files().get(key)
            if path is None:
                raise KeyError(key)
            self._loaded[key] = self.load_file(path)
        return self._loaded[key]

    def load_file(self, path: Path) -> Spec:
        doc = load_marked(path)
        data = doc.data
        if not isinstance(data, dict):
            raise doc.error("a spec is a YAML mapping")
        for name in data:
            if name not in SPEC_KEYS:
                raise doc.error(f"unknown key {name!r} (known: {', '.join(sorted(SPEC_KEYS))})", name)
        spec_id = data.get("id")
        if not isinstance(spec_id, str) or not _ID.match(spec_id):
            raise doc.error(f"id must be lower-case letters, digits and '-', got {spec_id!r}", "id")
        version = _version(doc, data.get("version"), "version")
        key = (spec_id, version)
        if key in self._loading:
            raise doc.error(f"include cycle: {' → '.join(f'{i} v{v}' for i, v in self._loading)}", "include")
        self._loading.append(key)
        try:
            return self._build(doc, spec_id, version)
        finally:
            self._loading.pop()

    def _build(self, doc: MarkedDocument, spec_id: str, version: Version) -> Spec:
        data = doc.data
        names = layout_catalog.layout_names(self.layout_folder)
        for side in ("source", "target"):
            if data.get(side) not in names:
                raise doc.error(f"unknown {side} layout {data.get(side)!r} (known: {', '.join(names)})", side)
        source = layout_catalog.field_layout(data["source"], self.layout_folder)
        if source is None:
            raise doc.error(f"{data['source']} cannot be a source layout", "source")
        target: Any
        if data["target"] == layout_catalog.IMI_JSONLD:
            target = build_imi_target(doc)
        else:
            target = layout_catalog.field_layout(data["target"], self.layout_folder)
            for name in ("class", "types", "context"):
                if name in data:
                    raise doc.error(f"{name!r} is only for IMI targets", name)
        rules = self._rules(doc, source, target)
        includes = self._includes(doc, source, target)
        return Spec(
            id=spec_id,
            version=version,
            source=data["source"],
            target=data["target"],
            rules=tuple(rules),
            target_layout=target,
            includes=tuple(includes),
            file=doc.file,
            description=str(data.get("description", "")).strip(),
        )

    def _rules(self, doc: MarkedDocument, source: Any, target: Any) -> list[Rule]:
        raw = doc.data.get("fields")
        if not isinstance(raw, list) or not raw:
            raise doc.error("a spec needs a non-empty `fields` list", "fields")
        rules: list[Rule] = []
        seen: set[str] = set()
        for index, item in enumerate(raw):
            rule = _rule(doc, index, item, source, target)
            if rule.to in seen:
                raise doc.error(f"output field {rule.to!r} is written by two rules", "fields", index, "to")
            seen.add(rule.to)
            rules.append(rule)
        return rules

    def _includes(self, doc: MarkedDocument, source: Any, target: Any) -> list[Include]:
        raw = doc.data.get("include", [])
        if not isinstance(raw, list):
            raise doc.error("`include` is a list", "include")
        includes = []
        for index, item in enumerate(raw):
            at = ("include", index)
            if not isinstance(item, dict) or set(item) != INCLUDE_KEYS:
                raise doc.error(f"an include has exactly the keys {', '.join(sorted(INCLUDE_KEYS))}", *at)
            key = (str(item["spec"]), _version(doc, item["version"], *at, "version"))
            if key not in self.spec_files():
                raise doc.error(f"no spec {key[0]} v{key[1]} in {self.folder}", *at, "spec")
            inner = self.load_key(key)
            for rule in inner.rules:
                for path in rule.sources:
                    problem = source.unknown(f"{item['from']}.{path}")
                    if problem:
                        raise doc.error(f"included {key[0]} v{key[1]}: {problem}", *at, "from")
                produces = rule.steps[-1].transform.produces if rule.steps else None
                problem = target.unknown(f"{item['to']}.{rule.to}", produces)
                if problem:
                    raise doc.error(f"included {key[0]} v{key[1]}: {problem}", *at, "to")
            includes.append(Include(inner, str(item["from"]), str(item["to"])))
        return includes


def _rule(doc: MarkedDocument, index: int, item: Any, source: Any, target: Any) -> Rule:
    at: tuple[str | int, ...] = ("fields", index)
    if not isinstance(item, dict):
        raise doc.error("a field rule is a mapping with `to`, `from` and `via`", *at)
    for name in item:
        if name not in RULE_KEYS:
            raise doc.error(f"unknown rule key {name!r} (known: {', '.join(sorted(RULE_KEYS))})", *at, name)
    to = item.get("to")
    if not isinstance(to, str):
        raise doc.error("a rule needs `to`, the output path", *at)
    raw_sources = item.get("from", [])
    sources = [raw_sources] if isinstance(raw_sources, str) else raw_sources
    if not isinstance(sources, list) or not all(isinstance(path, str) for path in sources):
        raise doc.error("`from` is a source path or a list of them", *at, "from")
    for position, path in enumerate(sources):
        problem = source.unknown(path)
        if problem:
            key = (*at, "from", position) if isinstance(raw_sources, list) else (*at, "from")
            raise doc.error(problem, *key)
    steps = _steps(doc, at, item.get("via", []))
    if not sources and (not steps or steps[0].transform.needs_source):
        raise doc.error("a rule without `from` must start with a transform that needs no source (const)", *at)
    produces = steps[-1].transform.produces if steps else None
    problem = target.unknown(to, produces)
    if problem:
        raise doc.error(problem, *at, "to")
    required = item.get("required", False)
    if not isinstance(required, bool):
        raise doc.error("`required` is true or false", *at, "required")
    return Rule(to=to, sources=tuple(sources), steps=tuple(steps), required=required)


def _steps(doc: MarkedDocument, at: tuple[str | int, ...], raw: Any) -> list[Step]:
    if not isinstance(raw, list):
        raise doc.error("`via` is a list of transforms", *at, "via")
    table = transforms()
    steps = []
    for position, item in enumerate(raw):
        where = (*at, "via", position)
        if isinstance(item, str):
            name, arg, has_arg = item, None, False
        elif isinstance(item, dict) and len(item) == 1:
            ((name, arg),) = item.items()
            has_arg = True
        else:
            raise doc.error("a transform is a name or {name: argument}", *where)
        if name not in table:
            raise doc.error(f"unknown transform {name!r} (known: {', '.join(sorted(table))})", *where)
        transform = table[name]
        if transform.arg is Arg.NONE and has_arg:
            raise doc.error(f"transform {name!r} takes no argument", *where)
        if transform.arg is Arg.REQUIRED and not has_arg:
            raise doc.error(f"transform {name!r} needs an argument: {{{name}: …}}", *where)
        if transform.check is not None:
            try:
                transform.check(arg)
            except ValueError as exc:
                raise doc.error(f"transform {name!r}: {exc}", *where) from exc
        steps.append(Step(transform, arg))
    return steps


def load(spec_path: str | Path) -> Spec:
    """Load one spec file (includes are looked up in the same folder)."""
    path = Path(spec_path).resolve()
    if not path.is_file():
        raise MappingSpecError(path, None, "no such spec file")
    return SpecLoader(path.parent).load_file(path)


__all__ = ["SpecLoader", "load", "version_key"]
