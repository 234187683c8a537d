"""Secrets are random and may begin with "-": the kit's command lines must still read them as values."""

from __future__ import annotations

from pathlib import Path

from conformance import runner
from conformance.selftest import argv_for


def test_a_password_beginning_with_a_dash_is_a_value_not_an_option(tmp_path: Path) -> None:
    argv = argv_for("provider", "http://127.0.0.1:9", {"username": "-u", "password": "-pw-", "api_key": "--k"},
                    tmp_path)
    ns = runner._parser().parse_args(argv)
    assert (ns.username, ns.password, ns.api_key) == ("-u", "-pw-", "--k")
    assert "--password=-pw-" in runner.pytest_args(ns)
