"""Loading plugins: the built-in ones and third-party ones, all through the `srr_engine` entry points."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field
from functools import lru_cache

import pluggy

from srr_engine import hookspecs
from srr_engine.settings import PluginSettings, get_settings

ENTRY_POINT_GROUP = "srr_engine"


@dataclass(frozen=True)
class PluginInfo:
    """Where a loaded plugin comes from (for `srr instruments` and error reports)."""

    name: str
    package: str
    version: str


@dataclass
class LoadedPlugins:
    manager: pluggy.PluginManager
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def load_plugins(settings: PluginSettings) -> LoadedPlugins:
    """Load every allowed entry point of the group. A plugin that fails to import is reported in
    `failures` and the others still load."""
    manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
    manager.add_hookspecs(hookspecs)
    loaded = LoadedPlugins(manager)
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in settings.block or (settings.allow and ep.name not in settings.allow):
            continue
        if manager.get_plugin(ep.name) is not None:
            continue
        try:
            module = ep.load()
            manager.register(module, name=ep.name)
        except Exception as exc:  # a broken plugin must not take the others down
            loaded.failures[ep.name] = f"{type(exc).__name__}: {exc}"
            continue
        dist = ep.dist
        loaded.plugins[ep.name] = PluginInfo(
            ep.name, dist.name if dist else "?", dist.version if dist else "?"
        )
    return loaded


@lru_cache(maxsize=1)
def get_plugins() -> LoadedPlugins:
    """The process-wide plugins, loaded once with the current settings."""
    return load_plugins(get_settings().plugins)
