"""Plugins load through entry points; a broken one is reported and the others still load."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from srr_engine.plugins import load_plugins
from srr_engine.registry import build_registry
from srr_engine.settings import PluginSettings, Settings


@pytest.fixture
def broken_plugin_on_path(tmp_path, monkeypatch) -> Path:
    """A real installed distribution (dist-info with entry points) whose module fails to import."""
    (tmp_path / "srr_broken_plugin.py").write_text("raise RuntimeError('boom at import')\n")
    dist = tmp_path / "srr_broken_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: srr-broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[srr_engine]\nbroken = srr_broken_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("srr_broken_plugin", None)


def test_built_in_instruments_load_through_entry_points():
    loaded = load_plugins(PluginSettings())
    assert {"sroi_clause", "reservation", "partnership", "valuation_tables"} <= set(loaded.plugins)
    assert loaded.plugins["sroi_clause"].package == "srr-engine"
    registry = build_registry(loaded, Settings())
    assert {"sroi_clause", "reservation", "partnership"} <= set(registry.instruments)
    assert {t.region for t in registry.tables.all()} == {"utrecht", "oost-nederland", "holland-rijnland"}


def test_a_broken_plugin_is_reported_and_the_others_load(broken_plugin_on_path):
    loaded = load_plugins(PluginSettings())
    assert "broken" in loaded.failures and "boom at import" in loaded.failures["broken"]
    assert "sroi_clause" in loaded.plugins


def test_block_and_allow_lists(broken_plugin_on_path):
    blocked = load_plugins(PluginSettings(block=["broken", "partnership"]))
    assert "broken" not in blocked.failures and "partnership" not in blocked.plugins
    allowed = load_plugins(PluginSettings(allow=["sroi_clause", "valuation_tables"]))
    assert set(allowed.plugins) == {"sroi_clause", "valuation_tables"}


def test_srr_instruments_lists_package_and_version(srr_sqlite, broken_plugin_on_path):
    from srr_test_support import reset_caches

    reset_caches()
    result = srr_sqlite("instruments")
    assert result.code == 0
    assert "sroi_clause" in result.out and "srr-engine" in result.out and "0.1.0" in result.out
    assert "broken" in result.err and "boom at import" in result.err
