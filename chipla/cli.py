"""The ``chipla`` command. Each subcommand lives in ``chipla.commands.<name>`` with ``add(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import warnings

# connexion imports starlette's test client at import time, which warns about httpx; nothing here uses it
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

COMMANDS = ("serve", "dispatch", "demo", "audit", "deadletters", "db", "bench", "worker", "conformance",
            "importer", "exporter", "replay", "xmlsig")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="chipla", description="chipla interoperability hub")
    sub = p.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"chipla.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"chipla.commands.{name}":
                continue
            raise
        module.add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "zeep", "urllib3", "alembic", "connexion"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
