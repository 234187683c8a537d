"""The contracts as data: WSDL, XSD, OpenAPI and the result-code table.

Code everywhere reads these files through `path()` so that the document a vendor sees is the one the
hub validates against.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """Absolute path of a contract file, e.g. ``path("wsdl", "jumin.wsdl")``."""
    return ROOT.joinpath(*parts)


__all__ = ["ROOT", "path"]
