"""The docs say what the code does: every hook with its exact signature and docstring, the documented
plugin and its tests are the example's and work, and the configuration reference is generated."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel, TypeAdapter

from srr_engine import config_reference, hookspecs
from srr_engine.contracts import check_contract
from srr_engine.errors import UserError
from srr_engine.plugins import load_plugins
from srr_engine.registry import build_registry
from srr_engine.settings import PluginSettings, Settings
from srr_engine.status import Status
from srr_engine.testing import DEFAULT_CONTRACT, contract_facts

ROOT = Path(__file__).resolve().parent.parent
PLUGINS_DOC = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "examples" / "srr-pso"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def hooks() -> dict[str, tuple[str, str]]:
    """Each hookspec's name -> (its signature as written in hookspecs.py, its docstring)."""
    found = {}
    for node in ast.parse(inspect.getsource(hookspecs)).body:
        function = getattr(hookspecs, getattr(node, "name", ""), None)
        if isinstance(node, ast.FunctionDef) and hasattr(function, "srr_engine_spec"):
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            found[node.name] = (
                f"{node.name}({ast.unparse(node.args)}){returns}",
                inspect.getdoc(function) or "",
            )
    return found


def test_every_hook_is_documented_with_its_signature_and_docstring() -> None:
    text = PLUGINS_DOC.read_text()
    specs = hooks()
    assert "register_instruments" in specs
    for name, (signature, doc) in specs.items():
        assert f"### `{signature}`" in text, f"docs/plugins.md lacks the heading ### `{signature}`"
        assert doc and doc in text, f"docs/plugins.md lacks the docstring of {name}, word for word"
    assert set(re.findall(r"^### `(\w+)\(", text, flags=re.MULTILINE)) == set(specs), (
        "a documented hook that does not exist"
    )


def test_documented_plugin_and_its_tests_are_the_example() -> None:
    blocks = python_blocks(PLUGINS_DOC.read_text())
    assert (EXAMPLE / "srr_pso.py").read_text() in blocks
    assert (EXAMPLE / "tests" / "test_conformance.py").read_text() in blocks


def test_documented_plugin_registers_and_assesses_a_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = next(b for b in python_blocks(PLUGINS_DOC.read_text()) if "def register_instruments" in b)
    path = tmp_path / "documented_plugin.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location("documented_plugin", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "documented_plugin", module)  # pydantic resolves annotations there
    spec.loader.exec_module(module)

    plugins = load_plugins(PluginSettings(allow=["valuation_tables"]))
    plugins.manager.register(module, name="documented_plugin")
    registry = build_registry(plugins, Settings())
    assert registry.origins["pso_certificate"] == "documented_plugin" and not registry.failures

    pso = {
        "kind": "pso_certificate",
        "minimum_level": "trede_2",
        "level": "trede_1",
        "certified_on": "2025-06-01",
    }
    with pytest.raises(UserError, match="PSO level trede_1 is below the required trede_2"):
        check_contract({**DEFAULT_CONTRACT, "instruments": [pso]}, registry, "docs")
    checked = check_contract(
        {**DEFAULT_CONTRACT, "instruments": [{**pso, "level": "trede_3"}]}, registry, "docs"
    )
    item = checked.instruments[0]
    assessment = item.instrument.assess(contract_facts(checked.contract, "2027-04-15"), item.config)
    assert assessment.status is Status.at_risk
    assert assessment.reasons[0].en == "PSO certificate expires on 2027-05-31"


def test_configuration_reference_is_generated_from_the_settings() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text()
    assert committed == config_reference.render(), (
        "docs/configuration.md is out of date: python -m srr_engine.config_reference > docs/configuration.md"
    )


def test_default_settings_file_sets_the_documented_defaults() -> None:
    """The reference shows the models' defaults; config/srr.toml must not quietly set others."""
    defaults = tomllib.loads((ROOT / "config" / "srr.toml").read_text())
    instruments = defaults.pop("instruments", {})
    for name, value in defaults.items():
        field = Settings.model_fields[name]
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            assert field.annotation.model_validate(value) == field.annotation(), (
                f"[{name}] in config/srr.toml"
            )
        else:
            assert TypeAdapter(field.annotation).validate_python(value) == field.default, (
                f"{name} in config/srr.toml"
            )
    for cls in config_reference.builtin_instruments():
        model = cls.settings_model
        assert model.model_validate(instruments.get(cls.name, {})) == model(), f"[instruments.{cls.name}]"
