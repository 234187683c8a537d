"""A rule prepared for repeated use: paths parsed once, lineage built once, chain results remembered.

Importing a town's register maps hundreds of thousands of rows through the same rules, and most
values repeat (団体コード, 性別, 続柄, dates, 大字 and 番地, common names). Every transform is a pure
function of (value, argument) — the registry's call shape guarantees nothing else reaches it — so
the outcome of a chain for a given source value can be kept and reused. Only immutable outcomes are
kept (strings, numbers, errors): a transform that builds an object (an IMI コード型) runs every time,
because later rules may write into that object. A rule whose values rarely repeat (宛名番号) stops
remembering after a short trial, so the memory stays bounded by what is actually reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mappings import paths
from mappings.errors import FieldError, TransformError
from mappings.types import LineageEntry

if TYPE_CHECKING:
    from mappings.spec import Rule

#: outcomes of a chain
OK, SKIP, ERROR = 0, 1, 2
Outcome = tuple[int, Any]

_IMMUTABLE = (str, int, float, bool, type(None))
#: lookups after which a rule whose hit rate is below MIN_HIT_RATE stops remembering
TRIAL = 16384
MIN_HIT_RATE = 0.02
#: entries per rule before the memory is emptied and refilled
MAX_ENTRIES = 50_000


@dataclass
class RulePlan:
    """What `Spec.apply` needs of one rule, prepared once per loaded spec."""

    rule: Rule
    sources: tuple[tuple[paths.Segment, ...], ...]
    flat_sources: tuple[str, ...] | None
    target: tuple[paths.Segment, ...]
    where: str
    lineage: LineageEntry
    indexed: bool
    #: the source column when the rule reads exactly one top-level column, else None
    single_source: str | None
    #: (group, field) when the target is a two-level path without indexes, else None
    two_level: tuple[str, str] | None
    memo: dict[Any, Outcome] | None = field(default_factory=dict)
    lookups: int = 0
    hits: int = 0

    @classmethod
    def build(cls, rule: Rule) -> RulePlan:
        sources = tuple(tuple(paths.parse(source)) for source in rule.sources)
        flat = all(len(segments) == 1 and segments[0][1] is None for segments in sources)
        target = tuple(paths.parse(rule.to))
        indexed = any(index is not None for _, index in target)
        return cls(
            rule=rule,
            sources=sources,
            flat_sources=tuple(segments[0][0] for segments in sources) if flat else None,
            target=target,
            where=", ".join(rule.sources) or rule.to,
            lineage=LineageEntry(rule.to, rule.sources, tuple(step.name for step in rule.steps)),
            indexed=indexed,
            single_source=sources[0][0][0] if flat and len(sources) == 1 else None,
            two_level=(target[0][0], target[1][0]) if len(target) == 2 and not indexed else None,
        )

    def put(self, output: dict[str, Any], value: Any) -> None:
        """`paths.put` with the parsed target; the common two-level path without indexes inline."""
        pair = self.two_level
        if pair is not None:
            output.setdefault(pair[0], {})[pair[1]] = value
        else:
            paths.put_parsed(output, self.target, value)

    def values(self, record: dict[str, Any]) -> list[Any]:
        """The source values, blanks as None (as `paths.get` reads them)."""
        flat = self.flat_sources
        if flat is not None and type(record) is dict:
            if len(flat) == 1:
                value = record.get(flat[0])
                return [None if value == "" else value]
            return [None if value == "" else value for value in map(record.get, flat)]
        return [paths.get_parsed(record, segments) for segments in self.sources]

    def outcome(self, values: list[Any]) -> Outcome:
        """The chain's result for these values, from memory when it has been seen before."""
        memo = self.memo
        if memo is None:
            return self.run(values)
        # only text is remembered: 1, 1.0 and True are equal keys but not equal inputs
        if len(values) == 1:
            key: Any = values[0]
            if type(key) is not str:
                return self.run(values)
        else:
            if not all(value is None or type(value) is str for value in values):
                return self.run(values)
            key = tuple(values)
        found = memo.get(key)
        self.lookups += 1
        if found is not None:
            self.hits += 1
            return found
        result = self.run(values)
        if result[0] != OK or isinstance(result[1], _IMMUTABLE):
            if len(memo) >= MAX_ENTRIES:
                memo.clear()
            memo[key] = result
        if self.lookups == TRIAL and self.hits < TRIAL * MIN_HIT_RATE:
            self.memo = None
        return result

    def apply(self, record: dict[str, Any], output: dict[str, Any], lineage: list[LineageEntry],
              errors: list[FieldError]) -> None:
        """One rule on one record: read, run the chain (or recall it), write output and lineage.

        The common case — one flat source column holding text whose outcome is remembered — is
        done inline, because a register runs it for every rule of every row; any other case takes
        the general path (`values`, `outcome`), which makes exactly the same decisions.
        """
        single = self.single_source
        if single is not None and type(record) is dict:
            value = record.get(single)
            if type(value) is str and value:
                memo = self.memo
                if memo is None:  # a rule that stopped remembering: run the chain
                    self._use(self.run([value]), output, lineage, errors)
                    return
                found = memo.get(value)
                if found is not None:
                    self.lookups += 1
                    self.hits += 1
                    self._use(found, output, lineage, errors)
                    return
        values = self.values(record)
        if self.rule.sources and values.count(None) == len(values):
            if self.rule.required:
                errors.append(FieldError(self.where, None, "required value is missing", self.rule.to))
            return
        self._use(self.outcome(values), output, lineage, errors)

    def _use(self, outcome: Outcome, output: dict[str, Any], lineage: list[LineageEntry],
             errors: list[FieldError]) -> None:
        kind, result = outcome
        if kind == OK:
            self.put(output, result)
            lineage.append(self.lineage)
        elif kind == ERROR:
            errors.append(result)

    def run(self, values: list[Any]) -> Outcome:
        """Run the chain; the same decisions as one pass of the engine, without touching output."""
        rule = self.rule
        original: Any = values[0] if len(values) == 1 else (values or None)
        value = original
        for step in rule.steps:
            try:
                value = step.transform.fn(value, step.arg)
            except TransformError as exc:
                return ERROR, FieldError(self.where, original, f"{step.name}: {exc}", rule.to)
            if value is None or value == "":
                if rule.required:
                    return ERROR, FieldError(self.where, original, f"{step.name} gave no value", rule.to)
                return SKIP, None
        return OK, value


__all__ = ["ERROR", "OK", "SKIP", "Outcome", "RulePlan"]
