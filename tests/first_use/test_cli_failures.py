"""Ordinary mistakes get one clear line, a hint and the documented exit code — never a traceback
(unless asked for with --debug)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def chipla(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CHIPLA_")} | env
    return subprocess.run([sys.executable, "-m", "chipla.cli", *args], env=full, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def assert_clear(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    message = result.stderr.strip().splitlines()
    assert message and message[0].startswith("chipla "), result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hub.db'}"


def test_missing_registry_file_names_the_setting(tmp_path: Path, db: str) -> None:
    result = chipla("serve", "--port", "1", env={"CHIPLA_DB_URL": db, "CHIPLA_REGISTRY_FILE": "nope.yaml",
                                                  "CHIPLA_MQTT_URL": "off"}, cwd=tmp_path)
    assert_clear(result, 2, "nope.yaml", "CHIPLA_REGISTRY_FILE")


def test_unparseable_db_url_names_the_variable(tmp_path: Path) -> None:
    result = chipla("deadletters", "list", env={"CHIPLA_DB_URL": "sqlite:/var/x.db"}, cwd=tmp_path)
    assert_clear(result, 2, "CHIPLA_DB_URL", "sqlite:///")


def test_unreachable_postgresql_is_exit_3_in_two_lines(tmp_path: Path) -> None:
    result = chipla("deadletters", "list", env={"CHIPLA_DB_URL": "postgresql://chipla:pw@127.0.0.1:1/chipla"},
                    cwd=tmp_path)
    assert_clear(result, 3, "cannot reach the store", "127.0.0.1:1")
    assert len(result.stderr.strip().splitlines()) <= 2 and ":pw@" not in result.stderr


def test_a_missing_store_is_not_created_by_a_reading_command(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    result = chipla("deadletters", "list", env={"CHIPLA_DB_URL": f"sqlite:///{path}"}, cwd=tmp_path)
    assert_clear(result, 2, "no chipla store", "chipla db upgrade")
    assert not path.exists()


def test_a_wrong_database_says_it_has_no_chipla_tables(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("create table unrelated (x int)").connection.commit()
    result = chipla("audit", "verify", env={"CHIPLA_DB_URL": f"sqlite:///{path}"}, cwd=tmp_path)
    assert_clear(result, 2, "no chipla tables", "chipla db upgrade")


def test_unknown_dead_letter_is_exit_1(tmp_path: Path, db: str) -> None:
    assert chipla("db", "upgrade", env={"CHIPLA_DB_URL": db}, cwd=tmp_path).returncode == 0
    result = chipla("deadletters", "retry", "9999", env={"CHIPLA_DB_URL": db}, cwd=tmp_path)
    assert_clear(result, 1, "9999")


def test_import_of_a_missing_file_is_exit_2(tmp_path: Path, db: str) -> None:
    result = chipla("import", "missing.csv", "--layout", "chukan_jumin", env={"CHIPLA_DB_URL": db}, cwd=tmp_path)
    assert_clear(result, 2, "missing.csv")


def test_a_store_in_a_folder_that_does_not_exist_is_refused_not_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/nonexistent/dir/x.db"
    result = chipla("db", "upgrade", env={"CHIPLA_DB_URL": url}, cwd=tmp_path)
    assert_clear(result, 2, "nonexistent")
    assert not (tmp_path / "nonexistent").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = chipla("--debug", "deadletters", "list", env={"CHIPLA_DB_URL": f"sqlite:///{tmp_path}/none.db"},
                    cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_a_wrong_csv_header_lists_the_expected_columns(tmp_path: Path, db: str) -> None:
    (tmp_path / "people.csv").write_text("団体コード,宛名番号,氏名\n243035,1,木曽\n", encoding="utf-8")
    result = chipla("import", "people.csv", "--layout", "chukan_jumin", env={"CHIPLA_DB_URL": db}, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    out = (result.stdout + result.stderr).replace("\n", "")  # a terminal table may wrap it
    assert "column 3 should be '世帯番号'" in out and "団体コード,宛名番号,世帯番号,住民票コード" in out
