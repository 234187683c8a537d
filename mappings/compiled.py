"""A spec compiled once into one plain Python function, for the paths that map many records.

`Spec.apply` interprets: for every record it walks the rules and asks each rule's plan again what
kind of source it reads, where it writes and whether its outcome may be remembered. Importing a
register asks those questions a million times with the same answers. `compile_spec` answers them
once: it writes the Python source of one function, a block per rule in rule order — read the source
columns, run the chain (or recall its outcome), write the output path, note the lineage — and
compiles it. The generated source is kept on the result (`CompiledSpec.source`) so it can be read.

The interpreter stays the reference. The compiled function makes exactly its decisions: blanks
are missing values, a required field without one is an error, a chain stops at the first step
that gives no value, only text inputs with immutable outcomes are remembered (`mappings.plan`), and
records that are not plain dicts are handed to the interpreter. tests/mappings/test_compiled.py
checks output, lineage and errors against `Spec.apply` for every shipped spec on generated records,
malformed ones included.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mappings import paths
from mappings.errors import FieldError, TransformError
from mappings.plan import ERROR, MAX_ENTRIES, MIN_HIT_RATE, OK, SKIP, TRIAL, Outcome
from mappings.types import LineageEntry, Mapped

if TYPE_CHECKING:
    from mappings.spec import Include, Rule, Spec

_IMMUTABLE = (str, int, float, bool, type(None))

FieldsResult = tuple[dict[str, Any], list[LineageEntry], list[FieldError]]
MapFields = Callable[[Any], FieldsResult]


class _Memo:
    """Remembered outcomes of one rule's chain, kept under the interpreter's rules and limits.

    The compiled function counts the records it maps; when `TRIAL` outcomes have been computed and
    fewer than `MIN_HIT_RATE` of those records found one remembered, the rule stops remembering
    (a column such as 宛名番号 never repeats). Counting records, not lookups, can only keep a memory
    the interpreter would drop, never drop one it keeps.
    """

    __slots__ = ("table", "chain", "misses", "calls", "start")

    def __init__(self, chain: Callable[[Any], Outcome], calls: list[int]) -> None:
        self.table: dict[Any, Outcome] | None = {}
        self.chain = chain
        self.calls = calls
        self.misses = 0
        self.start = calls[0]

    def miss(self, key: Any, original: Any) -> Outcome:
        """Run the chain for a key not remembered yet, and remember the outcome when it may be."""
        outcome = self.chain(original)
        table = self.table
        if table is None:
            return outcome
        if outcome[0] != OK or isinstance(outcome[1], _IMMUTABLE):
            if len(table) >= MAX_ENTRIES:
                table.clear()
            table[key] = outcome
        self.misses += 1
        if self.misses == TRIAL and self.misses >= (self.calls[0] - self.start) * (1 - MIN_HIT_RATE):
            self.table = None
        return outcome


@dataclass(frozen=True)
class CompiledSpec:
    """A spec's rules as one function; `apply` returns what `Spec.apply` returns."""

    spec: Spec
    source: str
    map_fields: MapFields
    _finish: Callable[[dict[str, Any]], dict[str, Any]]
    _compact_always: bool

    def map(self, record: Any) -> FieldsResult:
        """(output, lineage, errors) of one record: `apply` without building the `Mapped`."""
        output, lineage, errors = self.map_fields(record)
        if self._compact_always or _has_list(output):
            output = paths.compact(output)
        return self._finish(output), lineage, errors

    def apply(self, record: Any) -> Mapped:
        output, lineage, errors = self.map(record)
        return Mapped(output, self.spec.id, self.spec.version, lineage, errors)


def _has_list(node: dict[str, Any]) -> bool:
    """`spec._has_list`, asking text values (nearly all of them) one question instead of two."""
    for value in node.values():
        if type(value) is str:
            continue
        if isinstance(value, list) or (isinstance(value, dict) and _has_list(value)):
            return True
    return False


def compile_spec(spec: Spec) -> CompiledSpec:
    """Write and compile the function of `spec` (and of the specs it includes)."""
    writer = _Writer(spec)
    source = writer.source()
    filename = f"<mapping {spec.id} v{spec.version}>"
    code = compile(source, filename, "exec")
    # tracebacks through the generated function show its lines
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = dict(writer.names)
    exec(code, namespace)  # noqa: S102 - our own generated source, built from a validated spec
    for memo, chain in writer.memos.items():
        namespace[memo] = _Memo(namespace[chain], writer.calls)
    compact_always = bool(spec.includes) or any(rule.plan.indexed for rule in spec.rules)
    return CompiledSpec(spec, source, namespace["map_fields"], spec.target_layout.finish, compact_always)


class _Writer:
    """Builds the generated source; `names` holds every object the source refers to."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.calls = [0]
        self.names: dict[str, Any] = {
            "FieldError": FieldError, "TransformError": TransformError, "get_parsed": paths.get_parsed,
            "put_parsed": paths.put_parsed, "interpret": spec.map_fields, "calls": self.calls,
        }
        self.lines: list[str] = []
        self.chains: list[str] = []
        self.groups = _plain_groups(spec)
        #: memo name → chain name; the memos are made once the chains exist
        self.memos: dict[str, str] = {}

    def name(self, prefix: str, value: Any) -> str:
        """A module-level name for `value` in the generated source."""
        key = f"{prefix}_{len(self.names)}"
        self.names[key] = value
        return key

    def transform(self, name: str, fn: Callable[[Any, Any], Any]) -> str:
        """The transform's own name in the source (``t_digits``), one per transform."""
        key = f"t_{name}" if name.isidentifier() else self.name("transform", fn)
        if self.names.setdefault(key, fn) is not fn:
            key = self.name("transform", fn)
        return key

    def literal(self, value: Any) -> str:
        """A step's argument written out when it reads back as itself, else a name for it."""
        if _is_literal(value):
            return repr(value)
        return self.name("arg", value)

    def source(self) -> str:
        out = self.lines
        out.append("def map_fields(record):")
        out.append(f'    """{self.spec.id} v{self.spec.version}: one record → (output, lineage, errors)."""')
        out.append("    if type(record) is not dict:")
        out.append("        return interpret(record)")
        out.append("    calls[0] += 1")
        out.append("    output = {}")
        out.append("    lineage = []")
        out.append("    errors = []")
        for group, variable in self.groups.items():
            out.append(f"    {variable} = None  # output[{group!r}], once a rule writes into it")
        for number, rule in enumerate(self.spec.rules):
            self.rule(number, rule)
        for include in self.spec.includes:
            out.append(f"    {self.name('include', _IncludeStep(include))}(record, output, lineage, errors)"
                       f"  # {include.spec.id} v{include.spec.version}: {include.source} → {include.target}")
        out.append("    return output, lineage, errors")
        return "\n".join(self.chains + self.lines) + "\n"

    def rule(self, number: int, rule: Rule) -> None:
        plan = rule.plan
        out = self.lines
        arrow = " → ".join(step.name for step in rule.steps) or "as is"
        out.append(f"    # {number}: {rule.to} ← {', '.join(rule.sources) or '(no source)'} via {arrow}"
                   + (" (required)" if rule.required else ""))
        sources = [self.read(f"v{index}", segments, f"source_{number}_{index}")
                   for index, segments in enumerate(plan.sources)]
        indent = "    "
        if sources:
            blank = " and ".join(f"{v} is None" for v in sources)
            if rule.required:
                missing = FieldError(plan.where, None, "required value is missing", rule.to)
                self.names[f"missing_{number}"] = missing
                out.append(f"    if {blank}:")
                out.append(f"        errors.append(missing_{number})")
                out.append("    else:")
            else:
                out.append(f"    if {sources[0]} is not None:" if len(sources) == 1 else f"    if not ({blank}):")
            indent = "        "
        if len(sources) == 1:
            key, original, textual = sources[0], sources[0], f" and type({sources[0]}) is str"
        else:
            key = f"({', '.join(sources)})" if sources else "()"
            original = f"[{', '.join(sources)}]" if sources else "None"
            textual = "".join(f" and ({v} is None or type({v}) is str)" for v in sources)
        if not rule.steps:  # no chain: the value is the output, nothing to remember
            self.write(indent, number, plan, original)
            return
        chain = self.chain(number, rule)
        memo = f"memo_{number}"
        self.memos[memo] = chain
        out.append(f"{indent}table = {memo}.table")
        out.append(f"{indent}if table is not None{textual}:")
        out.append(f"{indent}    kind, value = table.get({key}) or {memo}.miss({key}, {original})")
        out.append(f"{indent}else:")
        out.append(f"{indent}    kind, value = {chain}({original})")
        out.append(f"{indent}if kind == {OK}:")
        self.write(indent + "    ", number, plan, "value")
        out.append(f"{indent}elif kind == {ERROR}:")
        out.append(f"{indent}    errors.append(value)")

    def read(self, variable: str, segments: tuple[paths.Segment, ...], path_name: str) -> str:
        """Lines that set `variable` to the source value, blanks as None (as `paths.get` reads it)."""
        out = self.lines
        (first, first_index), *rest = segments
        if first_index is None and not rest:
            out.append(f"    {variable} = record.get({first!r})")
        elif first_index is None and len(rest) == 1 and rest[0][1] is None:
            out.append(f"    {variable} = record.get({first!r})")
            self.names[path_name] = segments
            out.append(f"    {variable} = {variable}.get({rest[0][0]!r}) if type({variable}) is dict "
                       f"else get_parsed(record, {path_name})")
        else:
            self.names[path_name] = segments
            out.append(f"    {variable} = get_parsed(record, {path_name})")
        out.append(f"    if {variable} == '':")
        out.append(f"        {variable} = None")
        return variable

    def write(self, indent: str, number: int, plan: Any, value: str) -> None:
        """Lines that put `value` at the rule's target and note its lineage."""
        target = plan.target
        if plan.indexed:
            self.names[f"target_{number}"] = target
            line = f"put_parsed(output, target_{number}, {value})"
        elif len(target) == 2 and target[0][0] in self.groups:
            group = self.groups[target[0][0]]
            self.lines.append(f"{indent}if {group} is None:")
            self.lines.append(f"{indent}    {group} = output.setdefault({target[0][0]!r}, {{}})")
            line = f"{group}[{target[1][0]!r}] = {value}"
        else:
            *groups, (last, _) = target
            node = "output" + "".join(f".setdefault({key!r}, {{}})" for key, _ in groups)
            line = f"{node}[{last!r}] = {value}"
        self.lines.append(f"{indent}{line}")
        self.names[f"lineage_{number}"] = plan.lineage
        self.lines.append(f"{indent}lineage.append(lineage_{number})")

    def chain(self, number: int, rule: Rule) -> str:
        """The rule's chain as its own function in the generated source (what `RulePlan.run` does)."""
        where, to, name = rule.plan.where, rule.to, f"chain_{number}"
        body = self.chains
        body += [f"def {name}(original):", f'    """{rule.to}: the chain of rule {number}."""', "    value = original"]
        for step in rule.steps:
            fn, arg = self.transform(step.name, step.transform.fn), self.literal(step.arg)
            body += [
                "    try:",
                f"        value = {fn}(value, {arg})",
                "    except TransformError as exc:",
                f"        return {ERROR}, FieldError({where!r}, original, {step.name + ': '!r} + str(exc), {to!r})",
                "    if value is None or value == '':",
                (f"        return {ERROR}, FieldError({where!r}, original, {step.name + ' gave no value'!r}, {to!r})"
                 if rule.required else f"        return {SKIP}, None"),
            ]
        body += [f"    return {OK}, value", "", ""]
        return name


def _plain_groups(spec: Spec) -> dict[str, str]:
    """Top-level output keys that only ever hold the dict of their fields, each with a local name.

    A rule writing ``shimei.shimei`` finds its group in a local variable instead of asking the
    output dict again (and allocating a spare empty dict) for every field. A key that some rule or
    include writes whole keeps the general form, so the local can never go stale.
    """
    written_whole = {rule.plan.target[0][0] for rule in spec.rules if len(rule.plan.target) == 1}
    written_whole |= {include.target.split(".")[0] for include in spec.includes if "." not in include.target}
    names = [rule.plan.target[0][0] for rule in spec.rules
             if len(rule.plan.target) == 2 and not rule.plan.indexed]
    plain = [name for name in dict.fromkeys(names) if name not in written_whole]
    return {name: f"group_{number}" for number, name in enumerate(plain)}


def _is_literal(value: Any) -> bool:
    if value is None or type(value) in (str, int, bool):
        return True
    return type(value) in (list, tuple) and all(_is_literal(item) for item in value)


class _IncludeStep:
    """Another spec's compiled function on a sub-record, its lineage and errors moved under the target."""

    def __init__(self, include: Include) -> None:
        self.source, self.target = include.source, include.target
        self.inner = include.spec.compiled.map_fields
        self.segments = tuple(paths.parse(include.source))
        self.target_segments = tuple(paths.parse(include.target))
        self._moved: dict[LineageEntry, LineageEntry] = {}

    def __call__(self, record: dict[str, Any], output: dict[str, Any], lineage: list[LineageEntry],
                 errors: list[FieldError]) -> None:
        sub_record = paths.get_parsed(record, self.segments)
        if not isinstance(sub_record, dict):
            errors.append(FieldError(self.source, sub_record, "a record is required here", self.target))
            return
        sub_output, sub_lineage, sub_errors = self.inner(sub_record)
        if sub_output:
            paths.put_parsed(output, self.target_segments, sub_output)
        for entry in sub_lineage:
            moved = self._moved.get(entry)
            if moved is None:
                moved = self._moved[entry] = LineageEntry(
                    f"{self.target}.{entry.field}", tuple(f"{self.source}.{s}" for s in entry.sources),
                    entry.transforms)
            lineage.append(moved)
        for error in sub_errors:
            errors.append(FieldError(f"{self.source}.{error.path}", error.value, error.reason,
                                     f"{self.target}.{error.field}"))


__all__ = ["CompiledSpec", "compile_spec"]
