"""IMI JSON-LD for the hub's own records: the helpers the broker calls for each accepted 異動.

The mapping itself is declarative (``specs/ido-imi.v*.yaml`` includes ``jumin-imi``); this module
only picks the spec version and says where the @context documents live, so that a consumer can
resolve them locally instead of fetching them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mappings.imi_target import EXT_CONTEXT_FILE, EXT_CONTEXT_URL
from mappings.registry import SpecRegistry, registry
from mappings.types import Mapped, Version

IDO_SPEC = "ido-imi"
JUMIN_SPEC = "jumin-imi"


def _spec_registry(specs: SpecRegistry | None) -> SpecRegistry:
    return specs if specs is not None else registry()


def ido_to_imi(
    ido: dict[str, Any], *, version: Version | None = None, specs: SpecRegistry | None = None
) -> Mapped:
    """One 異動 ({idoJiyu, idoDate, todokedeDate, jumin}) → IMI 活動型 with the resident as 関与者.

    Without `version` the latest ido-imi spec is used; the broker stores the version it got in
    `Mapped.mapping_version`, so replaying with another version can be compared field by field.
    Pass a registry built once at start-up to avoid reading the spec files on every call.
    """
    loaded = _spec_registry(specs)
    spec = loaded.latest(IDO_SPEC) if version is None else loaded.get(IDO_SPEC, version)
    return spec.apply(ido)


def jumin_to_imi(
    jumin: dict[str, Any], *, version: Version | None = None, specs: SpecRegistry | None = None
) -> Mapped:
    """One canonical resident record → IMI 人型 (the latest jumin-imi unless `version` is given)."""
    loaded = _spec_registry(specs)
    spec = loaded.latest(JUMIN_SPEC) if version is None else loaded.get(JUMIN_SPEC, version)
    return spec.apply(jumin)


def local_contexts() -> dict[str, Path]:
    """Context IRIs used in the hub's IMI output → local files (the core one is vocab's)."""
    from importlib import resources

    from vocab.imi import CANONICAL_CONTEXT_URL

    core = Path(str(resources.files("vocab.imi") / "context.jsonld"))
    return {CANONICAL_CONTEXT_URL: core, EXT_CONTEXT_URL: EXT_CONTEXT_FILE}


__all__ = ["IDO_SPEC", "JUMIN_SPEC", "ido_to_imi", "jumin_to_imi", "local_contexts"]
