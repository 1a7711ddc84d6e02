"""What the plugins provide: instruments (instantiated with their settings) and valuation tables."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import ValidationError

from srr_engine.errors import ContractError, problems_from_validation
from srr_engine.instrument import Instrument
from srr_engine.messages import msg
from srr_engine.plugins import LoadedPlugins, get_plugins
from srr_engine.settings import Settings, get_settings
from srr_engine.valuation import TableRegistry, ValuationTable

log = logging.getLogger(__name__)


@dataclass
class Registry:
    """Installed instruments by kind, valuation tables, and what failed to load (with why)."""

    instruments: dict[str, Instrument]
    origins: dict[str, str]
    tables: TableRegistry
    failures: dict[str, str] = field(default_factory=dict)

    def instrument(self, kind: str) -> Instrument:
        try:
            return self.instruments[kind]
        except KeyError:
            known = ", ".join(sorted(self.instruments)) or "-"
            raise ContractError(
                msg(
                    f"onbekend instrument {kind!r} (geïnstalleerd: {known})",
                    f"unknown instrument {kind!r} (installed: {known})",
                )
            ) from None


def build_registry(plugins: LoadedPlugins, settings: Settings) -> Registry:
    """Collect tables and instruments through the hooks. A plugin whose registration fails, or whose
    settings are invalid, is reported in `failures`; the others still load."""
    failures = dict(plugins.failures)
    tables: list[ValuationTable] = []
    for impl in plugins.manager.hook.register_valuation_tables.get_hookimpls():
        try:
            impl.function(register=tables.append)
        except Exception as exc:
            failures[impl.plugin_name] = f"{type(exc).__name__}: {exc}"
    table_registry = TableRegistry(tables)

    instruments: dict[str, Instrument] = {}
    origins: dict[str, str] = {}
    for impl in plugins.manager.hook.register_instruments.get_hookimpls():
        classes: list[type[Instrument]] = []
        try:
            impl.function(register=classes.append)
        except Exception as exc:
            failures[impl.plugin_name] = f"{type(exc).__name__}: {exc}"
            continue
        for cls in classes:
            problem = _instantiate(cls, settings, table_registry, instruments)
            if isinstance(problem, str):
                failures[f"{impl.plugin_name}:{getattr(cls, 'name', cls.__name__)}"] = problem
                continue
            instruments[cls.name] = problem
            origins[cls.name] = impl.plugin_name
    for name, why in failures.items():
        log.error("plugin %s: %s", name, why)
    return Registry(instruments, origins, table_registry, failures)


def _instantiate(
    cls: type[Instrument], settings: Settings, tables: TableRegistry, seen: dict[str, Instrument]
) -> Instrument | str:
    if not (isinstance(cls, type) and issubclass(cls, Instrument)):
        return f"{cls!r} is not a subclass of srr_engine.instrument.Instrument"
    if not getattr(cls, "name", None):
        return f"{cls.__name__} has no name"
    if cls.name in seen:
        return f"instrument {cls.name!r} is registered twice"
    try:
        own = cls.settings_model.model_validate(settings.instruments.get(cls.name, {}))
        return cls(settings=own, pace=settings.pace, tables=tables)
    except ValidationError as exc:
        where = f"settings [instruments.{cls.name}]"
        return "; ".join(p.text("en") for p in problems_from_validation(exc, where))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


@lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The process-wide registry, built once from the loaded plugins."""
    return build_registry(get_plugins(), get_settings())
