"""Known failures of a ``chipla`` command, each turned into one line, a hint and an exit code.

Exit codes (docs/cli.md):

    0  done
    1  the command ran and its answer is "no" (a check failed, an id does not exist)
    2  the command cannot run as given: a setting, an argument or an input file is wrong
    3  something it needs is unreachable (the store, the broker)

A traceback is shown only with ``chipla --debug …`` (or ``CHIPLA_DEBUG=1``): an ordinary mistake
deserves a sentence, not 119 lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from broker.errors import HubError, NotFound
from chipla.config import ConfigError
from chipla.registry_file import RegistryFileError

DONE, NO, UNUSABLE, UNREACHABLE = 0, 1, 2, 3


@dataclass(frozen=True)
class Failure:
    message: str
    hint: str = ""
    code: int = UNUSABLE


class StoreMissing(RuntimeError):
    """The configured store has no chipla schema (or does not exist at all)."""


def explain(exc: BaseException, db_url: str = "") -> Failure | None:
    """The sentence for a known failure, or None for a real bug (shown with its traceback)."""
    if isinstance(exc, RegistryFileError):
        return Failure("the registry file has errors:\n  " + "\n  ".join(exc.problems),
                       "fix the lines named above; `chipla registry check FILE` checks a file without starting")
    if isinstance(exc, ConfigError):
        return Failure(str(exc), "see docs/configuration.md for every setting")
    if isinstance(exc, StoreMissing):
        return Failure(str(exc), "start the hub once (`chipla serve`) or run `chipla db upgrade`")
    if isinstance(exc, FileNotFoundError):
        name = exc.filename or str(exc)
        return Failure(f"no such file: {name}", "check the path (relative paths start from the current folder)")
    if isinstance(exc, IsADirectoryError | PermissionError):
        return Failure(f"cannot read {exc.filename}: {exc.strerror}")
    if isinstance(exc, NotFound):
        return Failure(exc.message, code=NO)
    if isinstance(exc, HubError):
        return Failure(f"{exc.result.code} {exc.message}", code=NO if exc.faultcode == "Client" else UNREACHABLE)
    if isinstance(exc, ArgumentError):
        return Failure(f"CHIPLA_DB_URL is not a database URL: {exc}",
                       "e.g. sqlite:///var/chipla.db or postgresql://chipla@127.0.0.1:5432/chipla")
    if isinstance(exc, OperationalError | ProgrammingError):
        return _store_failure(exc, db_url)
    return None


def _store_failure(exc: OperationalError | ProgrammingError, db_url: str) -> Failure:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    where = redact_url(db_url) or "the store"
    if re.search(r"no such table|does not exist|UndefinedTable", text) and "database" not in first:
        return Failure(f"{where} has no chipla tables ({first})",
                       "start the hub once (`chipla serve`) or run `chipla db upgrade`")
    if "unable to open database file" in text:
        return Failure(f"cannot open the SQLite store {where}", "does its folder exist? (CHIPLA_DB_URL)")
    return Failure(f"cannot reach the store {where}: {first}",
                   "is the database server running and CHIPLA_DB_URL right?", UNREACHABLE)


def redact_url(url: str) -> str:
    """A database URL fit for a log line: the password replaced."""
    if not url:
        return ""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
