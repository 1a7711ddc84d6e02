"""The configuration reference (`docs/configuration.md`), generated from the settings models.

    python -m srr_engine.config_reference > docs/configuration.md

A test checks that the committed file equals `render()`, so the reference cannot drift from the code.
Instrument settings come from the instruments installed with srr-engine itself, found through their
entry points like any plugin's (the core never names an instrument).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from datetime import time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from srr_engine.instrument import Instrument
from srr_engine.plugins import load_plugins
from srr_engine.settings import PluginSettings, Settings

DISTRIBUTION = "srr-engine"
PREFIX = "SRR_"

INTRO = """\
# Configuration reference

<!-- Generated from srr_engine/settings.py by `python -m srr_engine.config_reference > docs/configuration.md`;
edit the settings' descriptions there, not this file. -->

The engine reads its settings from three places; a later one overrides an earlier one:

1. `config/srr.toml` beside the installed package: the defaults below;
2. your own file: `SRR_CONFIG_FILE`, else `srr.toml` in `SRR_HOME`;
3. environment variables: `SRR_` and the setting's name in capitals; a nested setting joins its
   section and name with `__` (`[pace] at_risk_ratio` is `SRR_PACE__AT_RISK_RATIO`). Lists and tables
   are given as JSON, e.g. `SRR_PLUGINS__BLOCK='["partnership"]'`.

`srr config show` prints the effective settings with secrets hidden. Unknown names are refused.
"""

INSTRUMENTS_INTRO = """\
## Instrument settings

Each instrument validates its own section, `[instruments.<kind>]`, with its `settings_model`. These are
the sections of the instruments that come with srr-engine; a plugin's instruments document their own.
"""

_WORDS: dict[Any, str] = {
    str: "text",
    int: "whole number",
    float: "number",
    Decimal: "decimal",
    bool: "true/false",
    Path: "path",
    time: "time (HH:MM)",
    SecretStr: "secret text",
    Any: "any",
}
_BOUNDS = (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤"))


def render() -> str:
    """The whole reference as Markdown."""
    parts = [INTRO, *_section("## Top-level settings", "", Settings, [])]
    for name, field in Settings.model_fields.items():
        if _is_model(field.annotation):
            parts += _section(f"## `[{name}]`", field.description or "", field.annotation, [name])
    parts.append(INSTRUMENTS_INTRO)
    for cls in builtin_instruments():
        model = cls.settings_model
        if model.model_fields:
            intro = inspect.cleandoc(model.__doc__ or "")
            parts += _section(f"### `[instruments.{cls.name}]`", intro, model, ["instruments", cls.name])
    return "\n".join(parts)


def _section(heading: str, intro: str, model: type[BaseModel], path: list[str]) -> list[str]:
    return [heading, "", *([intro, ""] if intro else []), *_table(model, path), ""]


def builtin_instruments() -> list[type[Instrument]]:
    """The instruments registered by srr-engine's own entry points, by name."""
    loaded = load_plugins(PluginSettings())
    found: list[type[Instrument]] = []
    for impl in loaded.manager.hook.register_instruments.get_hookimpls():
        info = loaded.plugins.get(impl.plugin_name)
        if info is not None and info.package == DISTRIBUTION:
            impl.function(register=found.append)
    return sorted(found, key=lambda cls: cls.name)


def _table(model: type[BaseModel], path: list[str]) -> Iterator[str]:
    """One row per setting; a nested model gets its own section instead."""
    yield "| setting | type | default | environment variable | description |"
    yield "|---|---|---|---|---|"
    for name, field in model.model_fields.items():
        if _is_model(field.annotation):
            continue
        env = PREFIX + "__".join([*path, name]).upper()
        cells = [f"`{name}`", _type(field), _default(field), f"`{env}`", field.description or ""]
        yield "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _type(field: FieldInfo) -> str:
    bounds = [
        f"{sign} {getattr(m, attr)}" for m in field.metadata for attr, sign in _BOUNDS if hasattr(m, attr)
    ]
    return ", ".join([_type_words(field.annotation), *bounds])


def _type_words(annotation: Any) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "/".join(f"`{a}`" for a in args)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "/".join(f"`{m.value}`" for m in annotation)
    if origin in (Union, UnionType):
        words = " or ".join(_type_words(a) for a in args if a is not NoneType)
        return f"{words}, optional" if NoneType in args else words
    if origin is list:
        return f"list of {_type_words(args[0])}"
    if origin is dict:
        return f"table of {_type_words(args[1])}"
    return _WORDS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _default(field: FieldInfo) -> str:
    """The default as you would write it in TOML. A factory giving a single value reads the environment
    (home, actor): its description says what it is."""
    if field.default_factory is None:
        value = field.default
    else:
        value = field.default_factory()  # type: ignore[call-arg]
        if not isinstance(value, list | dict | BaseModel):
            return "see description"
    if value is None:
        return "not set"
    return f"`{json.dumps(value, default=_plain, ensure_ascii=False)}`"


def _plain(value: Any) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal | Path | Enum):
        return str(value)
    raise TypeError(f"no TOML form for {value!r}")


if __name__ == "__main__":
    print(render(), end="")
