"""An example third-party instrument, installed as a real package, works like the built-ins."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pso_installed(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(ROOT / "examples" / "srr-pso")],
        check=True,
    )
    return target


@pytest.fixture
def with_pso(pso_installed, monkeypatch):
    monkeypatch.syspath_prepend(str(pso_installed))
    yield
    sys.modules.pop("srr_pso", None)


def test_third_party_instrument_through_the_same_commands(with_pso, srr_sqlite, examples, tmp_path):
    from srr_test_support import reset_caches

    reset_caches()
    srr = srr_sqlite
    listed = srr.ok("instruments")
    assert "pso_certificate" in listed and "srr-pso" in listed

    contract = yaml.safe_load((examples / "contracts.yaml").read_text())[1]
    contract["instruments"] = [{"kind": "pso_certificate", "minimum_level": "trede_2", "level": "trede_1",
                                "certified_on": "2025-06-01"}]
    path = tmp_path / "pso.yaml"
    path.write_text(yaml.safe_dump(contract))
    refused = srr("contracts", "add", path)
    assert refused.code != 0 and "PSO-niveau trede_1 is lager dan gevraagd (trede_2)" in refused.err

    contract["instruments"][0]["level"] = "trede_3"
    path.write_text(yaml.safe_dump(contract))
    srr.ok("contracts", "add", path)
    status = json.loads(srr.ok("status", "DJI-2026-0007", "--as-of", "2027-04-15", "--json"))
    pso = status["contracts"][0]["instruments"][0]
    assert pso["kind"] == "pso_certificate" and pso["status"] == "at_risk"
    assert pso["obligation_eur"] is None and "2027-05-31" in pso["reasons"][0]


def test_the_example_passes_the_plugin_test_kit(pso_installed, tmp_path):
    """The plugin's own tests (`srr_engine.testing`), run as its author runs them, on the installed package."""
    path = os.pathsep.join(filter(None, [str(pso_installed), os.environ.get("PYTHONPATH")]))
    tests = ROOT / "examples" / "srr-pso" / "tests"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b\d{2,} passed", result.stdout) and "failed" not in result.stdout
