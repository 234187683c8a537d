"""``chipla reference write FOLDER``: the reference pages (result codes, code lists, layouts, 外字)."""

from __future__ import annotations

import argparse
from pathlib import Path

from chipla import reference_docs


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("reference", help="write the reference pages from the hub's own data")
    s = p.add_subparsers(dest="reference_command", required=True)
    w = s.add_parser("write", help="write result codes, code lists, import layouts and the 外字 table")
    w.add_argument("folder", nargs="?", default="docs/reference", help="where (default docs/reference)")
    w.set_defaults(func=write_cmd)


def write_cmd(args: argparse.Namespace) -> int:
    for path in reference_docs.write(Path(args.folder)):
        print(path)
    return 0
