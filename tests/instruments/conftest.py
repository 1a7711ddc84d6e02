"""Fixtures for the pure-rule tests of the built-in instruments."""

from __future__ import annotations

from pathlib import Path

import pytest

from srr_engine.valuation import TableRegistry, load_table_file

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="session")
def tables() -> TableRegistry:
    """The valuation tables shipped in config/valuation/."""
    return TableRegistry([load_table_file(p) for p in sorted((ROOT / "config" / "valuation").glob("*.toml"))])
