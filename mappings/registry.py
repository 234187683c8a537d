"""All specs of a folder, keyed by (id, version).

The hub builds one registry at start-up (a broken spec stops it, with file and line); the replay
command asks it for a candidate version and the version that made a stored output.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mappings.loader import SpecLoader, version_key
from mappings.spec import Spec
from mappings.types import Version

SPEC_DIR = Path(__file__).resolve().parent / "specs"


class SpecRegistry:
    """Loaded specs; read-only after construction."""

    def __init__(self, specs: list[Spec]) -> None:
        self._specs = {spec.key: spec for spec in specs}

    def get(self, spec_id: str, version: Version) -> Spec:
        """One spec; KeyError names the versions that do exist."""
        key = (spec_id, version)
        if key not in self._specs:
            known = ", ".join(str(v) for v in self.versions(spec_id)) or "none"
            raise KeyError(f"no mapping {spec_id} v{version} (versions: {known})")
        return self._specs[key]

    def versions(self, spec_id: str) -> list[Version]:
        """Versions of one id, oldest first."""
        return sorted((v for i, v in self._specs if i == spec_id), key=version_key)

    def latest(self, spec_id: str) -> Spec:
        """The highest version of an id."""
        versions = self.versions(spec_id)
        if not versions:
            raise KeyError(f"no mapping {spec_id!r}")
        return self._specs[(spec_id, versions[-1])]

    def ids(self) -> list[str]:
        return sorted({spec_id for spec_id, _ in self._specs})

    def __contains__(self, key: object) -> bool:
        return key in self._specs

    def __iter__(self) -> Iterator[Spec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)


def registry(folder: str | Path | None = None) -> SpecRegistry:
    """Load every ``*.yaml`` spec in `folder` (default: the specs shipped in mappings/specs)."""
    loader = SpecLoader(Path(folder) if folder is not None else SPEC_DIR)
    return SpecRegistry(loader.load_all())


__all__ = ["SPEC_DIR", "SpecRegistry", "registry"]
