"""Binds every feature under ``features/`` to pytest; the plugin keeps only the chosen role's."""

from __future__ import annotations

from pathlib import Path

from pytest_bdd import scenarios

scenarios(str(Path(__file__).with_name("features")))
