"""Settings: defaults from config/srr.toml, then the user's file, then SRR_* variables."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from srr_engine.settings import Settings


def test_precedence_defaults_user_file_environment(tmp_path, monkeypatch):
    user = tmp_path / "mine.toml"
    user.write_text('language = "en"\n[pace]\non_track_ratio = "0.95"\nat_risk_ratio = "0.5"\n')
    monkeypatch.setenv("SRR_CONFIG_FILE", str(user))
    monkeypatch.setenv("SRR_PACE__AT_RISK_RATIO", "0.7")
    settings = Settings()
    assert settings.language == "en"  # user file over the default
    assert settings.pace.on_track_ratio == Decimal("0.95")
    assert settings.pace.at_risk_ratio == Decimal("0.7")  # environment over the user file
    assert settings.instruments["sroi_clause"]["min_value_eur"] == "250000"  # default kept (deep merge)


def test_invalid_settings_name_the_field(tmp_path, monkeypatch):
    monkeypatch.setenv("SRR_CONFIG_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SRR_LANGUAGE", "fr")
    with pytest.raises(Exception) as exc:
        Settings()
    assert "language" in str(exc.value)


def test_config_show_hides_the_database_password(srr_sqlite, monkeypatch):
    from srr_test_support import reset_caches

    monkeypatch.setenv("SRR_DATABASE_URL", "postgresql://srr:hunter2@db.example:5432/srr")
    reset_caches()
    shown = json.loads(srr_sqlite.ok("config", "show"))
    assert "hunter2" not in json.dumps(shown)
    assert shown["database_url"] == "postgresql://srr:***@db.example:5432/srr"
    assert shown["pace"]["on_track_ratio"] == "0.9"
