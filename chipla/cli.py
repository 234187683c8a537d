"""The ``chipla`` command. Each subcommand lives in ``chipla.commands.<name>`` with ``add(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import warnings

# connexion imports starlette's test client at import time, which warns about httpx; nothing here uses it
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from chipla import failures, log_flood  # noqa: E402  (after the warning filter: it imports connexion's neighbours)

COMMANDS = ("serve", "dispatch", "demo", "audit", "deadletters", "db", "bench", "worker", "conformance",
            "importer", "exporter", "replay", "xmlsig", "registry", "reference", "mqtt", "opendata", "console")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="chipla", description="chipla interoperability hub",
                                epilog="exit codes: 0 done, 1 the answer is no (a check failed, an id does not exist), "
                                       "2 a setting, argument or input file is wrong, 3 the store or broker is "
                                       "unreachable (docs/cli.md)")
    p.add_argument("--debug", action="store_true", help="show a traceback on failure (or CHIPLA_DEBUG=1)")
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
    p = parser()
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "zeep", "urllib3", "alembic", "connexion", "mail.log"):  # mail.log: aiosmtpd
        logging.getLogger(noisy).setLevel(logging.WARNING)
    log_flood.install()  # an outage logs one line per kind of failure per interval, not one per request
    debug = args.debug or os.environ.get("CHIPLA_DEBUG") == "1"
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        failure = failures.explain(exc, os.environ.get("CHIPLA_DB_URL", ""))
        if failure is None or debug:
            raise
        print(f"chipla {args.command}: {failure.message}", file=sys.stderr)
        if failure.hint:
            print(f"  hint: {failure.hint}", file=sys.stderr)
        return failure.code


if __name__ == "__main__":
    sys.exit(main())
