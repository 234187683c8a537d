"""Stored inputs through a candidate mapping version, compared field by field with the current output.

Before a new mapping version is promoted, an operator sees what it would change on real data:
accepted messages (their canonical body, and the output stored beside them when the hub mapped them
with this mapping) and imported records (their canonical record, or their source row when the
mapping is the one that imported them). Nothing else is written: given the derive stage's
``catch_up``, the mapped forms of messages accepted but not derived yet are made first (what the
hub's derive stage would store moments later anyway), so a stored output is compared, not missed.

The baseline of each comparison is the stored output when there is one, else the baseline version
(``--from``, default the highest version below the candidate) applied to the same input.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

import mappings
from broker.imports import ImportStore
from broker.models import MappedRecord, Message
from broker.services.jumin.queries import NOTIFY, SERVICE
from broker.store import Store
from mappings.diff import FieldChange, compare
from mappings.loader import version_key
from mappings.types import Mapped, Version


class ReplayRefused(ValueError):
    """The replay cannot run (unknown mapping or version, nothing to compare with)."""


@dataclass(frozen=True)
class Compared:
    """One stored input and what the candidate would change in its output."""

    label: str
    baseline: str
    changes: list[FieldChange]


@dataclass
class ReplayReport:
    mapping_id: str
    candidate: str
    compared: int = 0
    messages: int = 0
    imported: int = 0
    items: list[Compared] = field(default_factory=list)
    by_field: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        return len(self.items)


def _parse_version(text: str) -> Version:
    return int(text) if text.isdigit() else text


def _baseline_spec(specs: mappings.SpecRegistry, candidate: mappings.Spec,
                   wanted: str | None) -> mappings.Spec | None:
    if wanted is not None:
        return specs.get(candidate.id, _parse_version(wanted))
    older = [v for v in specs.versions(candidate.id) if version_key(v) < version_key(candidate.version)]
    return specs.get(candidate.id, older[-1]) if older else None


def _input_of(body: dict[str, Any], source: str) -> dict[str, Any] | None:
    """The part of a 異動 message a spec of this source layout reads."""
    ido = body.get("ido")
    if not isinstance(ido, dict):
        return None
    if source == "canonical.ido":
        return ido
    if source == "canonical.jumin":
        return ido.get("jumin") if isinstance(ido.get("jumin"), dict) else None
    return None


_StoredMessage = tuple[int, dict[str, Any], dict[str, Any] | None, str | None]


def _messages(store: Store, spec_id: str) -> Iterator[_StoredMessage]:
    """(seq, canonical body, stored output of this mapping or None, its version) of 異動 messages."""
    query = (
        select(Message.seq, Message.canonical, MappedRecord.output, MappedRecord.mapping_version)
        .outerjoin(MappedRecord,
                   (MappedRecord.message_seq == Message.seq) & (MappedRecord.mapping_id == spec_id))
        .where(Message.service == SERVICE, Message.operation == NOTIFY)
        .order_by(Message.seq)
    )
    with store.read() as s:
        yield from s.execute(query.execution_options(yield_per=1000)).tuples()


def replay(store: Store, specs: mappings.SpecRegistry, mapping_id: str, to_version: str, *,
           from_version: str | None = None, limit: int | None = None,
           catch_up: Callable[[int], None] | None = None) -> ReplayReport:
    """Compare; see the module docstring. Raises ReplayRefused when there is nothing to compare with."""
    try:
        candidate = specs.get(mapping_id, _parse_version(to_version))
        base = _baseline_spec(specs, candidate, from_version)
    except KeyError as exc:
        raise ReplayRefused(str(exc.args[0])) from exc
    report = ReplayReport(mapping_id, f"v{candidate.version}")
    if catch_up is not None:
        with store.read() as s:
            last = s.execute(select(func.max(Message.seq)).where(Message.service == SERVICE)).scalar()
        if last is not None:
            catch_up(int(last))

    def record(label: str, baseline_name: str, old: Mapped, new: Mapped) -> bool:
        report.compared += 1
        changes = compare(old, new)
        if changes:
            report.items.append(Compared(label, baseline_name, changes))
            report.by_field.update(f"{c.kind} {c.path}" for c in changes)
        return limit is not None and report.compared >= limit

    def stored(output: dict[str, Any], version: str) -> Mapped:
        return Mapped(output=output, mapping_id=mapping_id, mapping_version=version)

    for seq, body, output, version in _messages(store, mapping_id):
        value = _input_of(body, candidate.source)
        if value is None:
            continue
        if output is not None and version is not None:
            old, name = stored(output, version), f"stored v{version}"
        elif base is not None:
            old, name = base.apply(value), f"v{base.version}"
        else:
            continue
        report.messages += 1
        if record(f"message {seq}", name, old, candidate.apply(value)):
            return report

    for item in ImportStore(store).records():
        if item.mapping_id == mapping_id:
            old, value = stored(item.canonical, item.mapping_version), item.source_row
            name = f"stored v{item.mapping_version}"
        elif candidate.source == "canonical.jumin" and base is not None:
            old, name, value = base.apply(item.canonical), f"v{base.version}", item.canonical
        else:
            continue
        report.imported += 1
        label = f"imported record {item.id} (file {item.file_sha256[:12]}…, row {item.row_no})"
        if record(label, name, old, candidate.apply(value)):
            return report

    if report.compared == 0 and base is None:
        raise ReplayRefused(f"nothing stored was made by {mapping_id} and it has no version below "
                            f"v{candidate.version} to compare with; use --from")
    return report


def replay_message(store: Store, specs: mappings.SpecRegistry, seq: int, mapping_id: str, to_version: str, *,
                   from_version: str | None = None) -> Compared:
    """One stored message through the candidate: the console's "replay this message" (same rules as
    :func:`replay`: the stored output is the baseline when there is one)."""
    try:
        candidate = specs.get(mapping_id, _parse_version(to_version))
        base = _baseline_spec(specs, candidate, from_version)
    except KeyError as exc:
        raise ReplayRefused(str(exc.args[0])) from exc
    made_by = (MappedRecord.message_seq == Message.seq) & (MappedRecord.mapping_id == mapping_id)
    query = (select(Message.canonical, MappedRecord.output, MappedRecord.mapping_version)
             .outerjoin(MappedRecord, made_by).where(Message.seq == seq))
    with store.read() as s:
        row = s.execute(query).first()
    if row is None:
        raise ReplayRefused(f"message {seq} does not exist")
    body, output, version = row
    value = _input_of(body, candidate.source)
    if value is None:
        raise ReplayRefused(f"{mapping_id} reads {candidate.source}, which message {seq} does not have")
    if output is not None and version is not None:
        old, name = Mapped(output=output, mapping_id=mapping_id, mapping_version=version), f"stored v{version}"
    elif base is not None:
        old, name = base.apply(value), f"v{base.version}"
    else:
        raise ReplayRefused(f"nothing to compare v{candidate.version} of {mapping_id} with")
    return Compared(f"message {seq}", name, compare(old, candidate.apply(value)))


def render(report: ReplayReport, *, show_values: bool = True) -> str:
    """The report as the command prints it: each changed record, then the count per field."""
    lines = []
    for item in report.items:
        lines.append(f"{item.label}: {item.baseline} → {report.candidate}")
        for change in item.changes:
            lines.append(f"  {change}" if show_values else f"  {change.kind} {change.path}")
    lines.append(
        f"{report.mapping_id} {report.candidate}: compared {report.compared} "
        f"({report.messages} messages, {report.imported} imported records), {report.changed} would change"
    )
    for name, count in sorted(report.by_field.items()):
        lines.append(f"  {name}: {count}")
    return "\n".join(lines)


__all__ = ["Compared", "ReplayRefused", "ReplayReport", "render", "replay"]
