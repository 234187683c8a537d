"""Shared fixtures: databases (SQLite and a throw-away PostgreSQL), a running hub with simulated
vendor systems on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from broker.store import Store
from tests.pg import ThrowawayPostgres
from tests.support import RunningHub, sqlite_url, start_hub


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    pg = ThrowawayPostgres().start()
    yield pg
    pg.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Core tests run on both stores."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    pg: ThrowawayPostgres = request.getfixturevalue("postgres")
    return pg.new_database()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store on each database."""
    s = Store(db_url)
    s.migrate()
    yield s
    s.dispose()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    running = start_hub(sqlite_url(tmp_path))
    yield running
    running.stop()


@pytest.fixture
def hub_any_db(db_url: str) -> Iterator[RunningHub]:
    running = start_hub(db_url)
    yield running
    running.stop()
