"""Console accounts: argon2id hashes only, sign-in checks, and the ``chipla console user`` commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from broker.operators import OperatorStore, UnknownUser, WeakPassword
from broker.operators.models import ConsoleUser
from broker.store import Store
from chipla import cli
from tests.support import sqlite_url


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(sqlite_url(tmp_path))
    s.migrate()
    return s


def test_password_is_kept_as_argon2id_hash_and_checked(store: Store) -> None:
    ops = OperatorStore(store)
    ops.add("tanaka", "correct horse battery", "operator", display_name="田中")
    with store.read() as s:
        stored = s.execute(select(ConsoleUser.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert ops.authenticate("tanaka", "correct horse battery") is not None
    assert ops.authenticate("tanaka", "correct horse batterx") is None
    assert ops.authenticate("nobody", "correct horse battery") is None
    user = ops.authenticate("tanaka", "correct horse battery")
    assert user is not None and user.role == "operator" and user.can("viewer") and not user.can("admin")


def test_bad_accounts_are_refused(store: Store) -> None:
    ops = OperatorStore(store)
    with pytest.raises(WeakPassword):
        ops.add("tanaka", "short", "viewer")
    with pytest.raises(WeakPassword):
        ops.add("tanaka", "long enough password", "superuser")
    with pytest.raises(WeakPassword):
        ops.add("Robert'); DROP", "long enough password", "viewer")
    ops.add("tanaka", "long enough password", "viewer")
    with pytest.raises(WeakPassword):
        ops.add("tanaka", "another long password", "viewer")
    with pytest.raises(UnknownUser):
        ops.remove("suzuki")


def test_cli_adds_lists_changes_and_removes(store: Store, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CHIPLA_DB_URL", store.url)
    monkeypatch.setattr("sys.stdin", io.StringIO("first password 123\n"))
    assert cli.main(["console", "user", "add", "sato", "--role", "admin", "--password-stdin"]) == 0
    assert cli.main(["console", "user", "list"]) == 0
    assert "sato\tadmin" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("second password 456\n"))
    assert cli.main(["console", "user", "passwd", "sato", "--password-stdin"]) == 0
    ops = OperatorStore(store)
    assert ops.authenticate("sato", "first password 123") is None
    assert ops.authenticate("sato", "second password 456") is not None
    assert cli.main(["console", "user", "remove", "sato"]) == 0
    assert ops.get("sato") is None
    assert cli.main(["console", "user", "remove", "sato"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["console", "user", "add", "ito", "--password-stdin"]) == 2
    assert "at least 12" in capsys.readouterr().err
