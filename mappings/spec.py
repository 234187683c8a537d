"""A loaded mapping spec and the engine that applies it to one record.

The engine is deliberately small: for each rule, read the source paths, run the transform chain,
write the output path, and note lineage. Everything a spec can get wrong is checked by the loader
(`mappings.loader`) before a `Spec` exists, so `apply` only meets bad *data*, which it collects as
field errors instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from mappings import paths
from mappings.compiled import CompiledSpec, compile_spec
from mappings.errors import FieldError
from mappings.plan import RulePlan
from mappings.transforms.registry import Transform
from mappings.types import LineageEntry, Mapped, Version


class TargetLayout(Protocol):
    """What the engine needs from the target layout: the last touch on a finished output."""

    name: str

    def finish(self, output: dict[str, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Step:
    """One transform of a chain, with the argument the spec gave it."""

    transform: Transform
    arg: Any = None

    @property
    def name(self) -> str:
        return self.transform.name

    def __call__(self, value: Any) -> Any:
        return self.transform.fn(value, self.arg)


@dataclass(frozen=True)
class Rule:
    """Output path ← source paths through a chain of steps."""

    to: str
    sources: tuple[str, ...]
    steps: tuple[Step, ...]
    required: bool = False

    @cached_property
    def plan(self) -> RulePlan:
        """Parsed paths, fixed lineage and remembered outcomes (see `mappings.plan`)."""
        return RulePlan.build(self)


@dataclass(frozen=True)
class Include:
    """Another spec applied to the sub-record at `source` and written under `target`.

    Lets the 異動 spec reuse the person spec without copying its rules; the included version is
    pinned in the including spec, so one (id, version) always means one output.
    """

    spec: Spec
    source: str
    target: str


_Result = tuple[dict[str, Any], list[LineageEntry], list[FieldError]]


@dataclass(frozen=True)
class Spec:
    """A versioned, validated mapping from one layout to another."""

    id: str
    version: Version
    source: str
    target: str
    rules: tuple[Rule, ...]
    target_layout: TargetLayout
    includes: tuple[Include, ...] = ()
    file: str = "<memory>"
    description: str = ""

    @property
    def key(self) -> tuple[str, Version]:
        return (self.id, self.version)

    def apply(self, record: dict[str, Any]) -> Mapped:
        """Map one record; every field that fails is reported in `Mapped.errors`."""
        output, lineage, errors = self.map_fields(record)
        if self._needs_compact or _has_list(output):
            output = paths.compact(output)
        return Mapped(
            output=self.target_layout.finish(output),
            mapping_id=self.id,
            mapping_version=self.version,
            lineage=lineage,
            errors=errors,
        )

    @cached_property
    def compiled(self) -> CompiledSpec:
        """The rules as one generated function, made on first use (see `mappings.compiled`).

        `apply` stays the reference interpreter; paths that map many records (the file import)
        use this, which gives the same output, lineage and errors.
        """
        return compile_spec(self)

    def map_fields(self, record: dict[str, Any]) -> _Result:
        """The rules' output before the target layout's finishing touch (used by includes)."""
        output: dict[str, Any] = {}
        lineage: list[LineageEntry] = []
        errors: list[FieldError] = []
        for plan in self._plans:
            plan.apply(record, output, lineage, errors)
        for include in self.includes:
            _apply_include(include, record, output, lineage, errors)
        return output, lineage, errors

    def depends_on(self, field: str) -> bool:
        """Whether the output may change when the record lacks the value at ``field`` (a dotted path
        without list indexes, of a value that is neither a record nor a list: a redacted field).

        A rule reads its source paths and nothing else of the record, and an include reads its
        sub-record only through the included spec's rules; so the output depends on a field exactly
        when a rule's source is that field, lies inside it, or holds it, or an include's source is or
        lies inside it (the sub-record would be gone).
        """
        for source in self._source_shapes:
            if source == field or source.startswith(field + ".") or field.startswith(source + "."):
                return True
        for include in self.includes:
            source = paths.shape(include.source)
            if source == field or source.startswith(field + "."):
                return True
            if field.startswith(source + ".") and include.spec.depends_on(field[len(source) + 1:]):
                return True
        return False

    @cached_property
    def _source_shapes(self) -> frozenset[str]:
        return frozenset(paths.shape(source) for rule in self.rules for source in rule.sources)

    @cached_property
    def _plans(self) -> tuple[RulePlan, ...]:
        """The rules' plans in rule order, looked up once instead of per rule per record."""
        return tuple(rule.plan for rule in self.rules)

    @cached_property
    def _needs_compact(self) -> bool:
        """Indexed output paths can leave holes in lists; without them only list values can."""
        return bool(self.includes) or any(rule.plan.indexed for rule in self.rules)


def _has_list(node: dict[str, Any]) -> bool:
    """Whether any value is a list (only lists can hold the holes `paths.compact` removes)."""
    # a plain loop, not any(<generator>): this runs on every record, and the generator costs more
    for value in node.values():  # noqa: SIM110
        if isinstance(value, list) or (isinstance(value, dict) and _has_list(value)):
            return True
    return False


def _apply_include(
    include: Include,
    record: dict[str, Any],
    output: dict[str, Any],
    lineage: list[LineageEntry],
    errors: list[FieldError],
) -> None:
    sub_record = paths.get(record, include.source)
    if not isinstance(sub_record, dict):
        errors.append(FieldError(include.source, sub_record, "a record is required here", include.target))
        return
    sub_output, sub_lineage, sub_errors = include.spec.map_fields(sub_record)
    if sub_output:
        paths.put(output, include.target, sub_output)
    for entry in sub_lineage:
        lineage.append(
            LineageEntry(
                f"{include.target}.{entry.field}",
                tuple(f"{include.source}.{source}" for source in entry.sources),
                entry.transforms,
            )
        )
    for error in sub_errors:
        errors.append(
            FieldError(
                f"{include.source}.{error.path}", error.value, error.reason, f"{include.target}.{error.field}"
            )
        )


__all__ = ["Include", "Rule", "Spec", "Step", "TargetLayout"]
