"""The transform registry: short names used in spec files → functions.

A spec names each step of a field's chain (``wareki_to_iso``, ``{code_label: seibetsu}``); the
loader resolves every name here, and checks every argument, before the hub starts, so a typo in a
spec is a start-up error with a line number, not a failed message at three in the morning.

Every transform has one call shape, ``fn(value, arg) -> value``: `value` is never None (the engine
stops a chain at the first None), and a value the transform cannot handle raises TransformError,
which the engine records as a field error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from types import MappingProxyType
from typing import Any


class Arg(Enum):
    """Whether a transform takes an argument in the spec (``{name: arg}``)."""

    NONE = "none"
    REQUIRED = "required"
    OPTIONAL = "optional"


@dataclass(frozen=True)
class Transform:
    """A named step.

    `check` validates the spec's argument at load time (raise ValueError to refuse it); `produces`
    names the IMI class of the value it returns, so the loader can check it fits the property.
    """

    name: str
    fn: Callable[[Any, Any], Any]
    arg: Arg = Arg.NONE
    check: Callable[[Any], None] | None = None
    produces: str | None = None
    needs_source: bool = True


@cache
def transforms() -> Mapping[str, Transform]:
    """Every registered transform by name (read-only)."""
    from mappings.transforms import codes, dates, imi_values, text

    table: dict[str, Transform] = {}
    for module in (text, dates, codes, imi_values):
        for transform in module.TRANSFORMS:
            if transform.name in table:
                raise RuntimeError(f"transform {transform.name!r} is registered twice")
            table[transform.name] = transform
    return MappingProxyType(table)


def get(name: str) -> Transform:
    """The transform called `name`; KeyError names the known ones."""
    table = transforms()
    if name not in table:
        raise KeyError(f"unknown transform {name!r} (known: {', '.join(sorted(table))})")
    return table[name]


__all__ = ["Arg", "Transform", "get", "transforms"]
