"""Settings: `config/srr.toml` defaults, then a user file, then `SRR_*` environment variables.

One way to configure (DESIGN rule 6): the names here are the names in the docs, the CLI and the code.
Nested settings take `__` in environment variables, e.g. `SRR_PACE__AT_RISK_RATIO=0.5`.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from srr_engine.redact import redact_url


def config_dir() -> Path:
    """The folder with default settings, valuation tables and templates.

    `SRR_CONFIG_DIR` wins; otherwise the `config/` folder beside the installed packages (the project
    root in a source checkout).
    """
    if env := os.environ.get("SRR_CONFIG_DIR"):
        return Path(env)
    return Path(__file__).resolve().parent.parent / "config"


def user_config_file() -> Path:
    """The user's settings file: `SRR_CONFIG_FILE`, else `srr.toml` in `SRR_HOME`."""
    if env := os.environ.get("SRR_CONFIG_FILE"):
        return Path(env)
    return srr_home() / "srr.toml"


def srr_home() -> Path:
    """Where the engine keeps its files (SQLite database, reports, Prefect's own database)."""
    return Path(os.environ.get("SRR_HOME", Path.home() / ".srr")).expanduser()


def local_now() -> datetime:
    """Now in the configured time zone, as a local (naive) time. Only the edges (CLI, flow
    parameters) ask for it; rules always get an explicit date or moment."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(get_settings().timezone)).replace(tzinfo=None)


def local_today() -> date:
    return local_now().date()


class PaceSettings(BaseModel):
    """Thresholds of the shared pace rule: ratio = accepted realised / expected by now."""

    on_track_ratio: Decimal = Field(Decimal("0.9"), gt=0, description="At or above this ratio: on_track.")
    at_risk_ratio: Decimal = Field(Decimal("0.6"), ge=0, description="At or above this ratio: at_risk; below: behind.")

    @model_validator(mode="after")
    def _ordered(self) -> PaceSettings:
        if self.at_risk_ratio > self.on_track_ratio:
            raise ValueError("at_risk_ratio must not be above on_track_ratio")
        return self


class PortfolioSettings(BaseModel):
    """Portfolio views (`[portfolio]`)."""

    bundle_threshold_eur: Decimal = Field(
        Decimal(250000), ge=0, description="Small contracts of one supplier that together reach this value are "
        "listed as candidates for a bundle (one social-return obligation over all of them).")


class PluginSettings(BaseModel):
    """Which installed plugins (entry-point names) load. An empty allow list allows all."""

    allow: list[str] = Field(
        default_factory=list, description="Entry-point names to load; empty loads every installed plugin."
    )
    block: list[str] = Field(default_factory=list, description="Entry-point names never to load.")
    call_timeout_seconds: float | None = Field(
        10, gt=0, description="Time limit of one plugin rule call (an assessment); a call that runs longer gives "
        "that instrument an error status and an operations alert. Unset: no limit.")


class NudgeSettings(BaseModel):
    """When check-ins are due and when nudges may go out (`[nudges]`)."""

    checkin_every_days: int = Field(
        28, ge=1, description="Days between regular check-ins to the contract manager while on track."
    )
    checkin_every_days_at_risk: int = Field(
        7, ge=1, description="Days between regular check-ins while at risk, behind or not met."
    )
    first_contact_days: int = Field(7, ge=0, description="First contact within this many days of award.")
    unanswered_days: int = Field(14, ge=1, description="An unanswered check-in escalates after this many days.")
    business_days_only: bool = Field(True, description="No nudges at weekends or on public holidays.")
    holidays_country: str = Field("NL", description="Country of the public holidays (python-holidays code).")
    send_from: time = Field(time(8, 0), description="No nudges before this local time.")
    send_until: time = Field(time(18, 0), description="No nudges after this local time.")
    retry_seconds: list[float] = Field(
        default_factory=lambda: [1, 4], description="Waits between the tries of one delivery within a run; "
        "what still fails is retried by the next run.")
    lease_seconds: int = Field(300, ge=1, description="A digest left half-sent this long ago (a crash) is sent again.")
    sender_processes: int = Field(
        2, ge=1, le=16, description="Processes that send digests side by side in a run of 100 or more; a smaller "
        "run sends from the delivering process. About one per core.")
    templates: Path | None = Field(None, description="A folder with your own nudge templates (nudges/<lang>/...).")
    apprise_config: Path | None = Field(None, description="An apprise config file for `tag:NAME` recipients.")
    defaults: dict[str, list[SecretStr]] = Field(
        default_factory=dict,
        description="Organisation-wide recipients per role (contract_manager, supplier, escalation): apprise "
        "URLs or tag:NAME, used where a contract names no one for that role.",
    )


class PrivacySettings(BaseModel):
    """Candidates' privacy (`[privacy]`)."""

    pseudonym_key: SecretStr | None = Field(
        None, description="Key for replacing a real identifier (a BSN or a name) in a supplier's file by a keyed "
        "hash. Unset: such files are refused. Keep it secret and stable: the same person must get the same hash.")


class Settings(BaseSettings):
    """The engine's effective settings."""

    model_config = SettingsConfigDict(
        env_prefix="SRR_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    home: Path = Field(
        default_factory=srr_home,
        description="Folder for the SQLite database, reports and Prefect's own database; default `~/.srr`.",
    )
    database_url: SecretStr | None = Field(
        None, description="SQLAlchemy URL; default: a SQLite file `srr.db` under `home`."
    )
    language: Literal["nl", "en"] = Field("nl", description="Language of messages and reports.")
    timezone: str = Field("Europe/Amsterdam", description="Time zone for 'today' and schedules.")
    actor: str = Field(
        default_factory=lambda: os.environ.get("USER", "srr"),
        description="Who is recorded on events when a command does not say (--by); default: the `USER` "
        "environment variable, else `srr`.",
    )
    pace: PaceSettings = Field(
        default_factory=PaceSettings,
        description="Thresholds of the shared pace rule: ratio = accepted realised / expected by now, where "
        "expected = obligation x elapsed days / term days.",
    )
    privacy: PrivacySettings = Field(default_factory=PrivacySettings, description="Candidates' privacy.")
    portfolio: PortfolioSettings = Field(default_factory=PortfolioSettings, description="Portfolio views.")
    nudges: NudgeSettings = Field(
        default_factory=NudgeSettings, description="When check-ins are due and when nudges may go out."
    )
    plugins: PluginSettings = Field(
        default_factory=PluginSettings, description="Which installed plugins (entry-point names) load."
    )
    instruments: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Settings per instrument kind (`[instruments.<kind>]`), validated by that instrument.",
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.home / 'srr.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        files = [config_dir() / "srr.toml", user_config_file()]
        toml = TomlConfigSettingsSource(settings_cls, toml_file=[f for f in files if f.exists()], deep_merge=True)
        return (init_settings, env_settings, toml)

    def redacted(self) -> dict[str, Any]:
        """The settings as plain data, with passwords and tokens hidden (for `srr config show`)."""
        data = self.model_dump(mode="json")
        data["database_url"] = redact_url(self.effective_database_url)
        return data


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call `get_settings.cache_clear()`)."""
    return Settings()
