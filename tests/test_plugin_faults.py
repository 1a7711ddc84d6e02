"""A plugin that raises or hangs: that contract's instrument gets an `error` assessment and an operations
alert (an event, also sent to Prefect); the rest of the portfolio is assessed."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from pydantic import BaseModel, ConfigDict

from srr_engine.instrument import Assessment, Evaluation, Instrument, TenderOutput
from srr_engine.messages import msg
from srr_engine.registry import get_registry
from srr_engine.settings import get_settings
from srr_engine.sweep import sweep


class FaultyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fault: str


class Faulty(Instrument):
    """A third-party instrument with a bug: it raises, or loops forever."""

    name = "faulty"
    title = msg("Kapot", "Broken")
    description = msg("Test", "Test")
    config_model = FaultyConfig

    def tender(self, contract, config):  # type: ignore[no-untyped-def]
        return TenderOutput(clause=msg("x", "x"))

    def obligations(self, facts, config):  # type: ignore[no-untyped-def]
        return []

    def assess(self, facts, config):  # type: ignore[no-untyped-def]
        if config.fault == "raise":
            raise RuntimeError("bug")
        while True:  # hangs
            pass

    def evaluate(self, facts, config):  # type: ignore[no-untyped-def]
        return Evaluation(kind=self.name, status="met")


@pytest.mark.parametrize("fault", ["raise", "hang"])
def test_a_failing_plugin_is_contained(srr_sqlite, examples, tmp_path, monkeypatch, fault):
    monkeypatch.setenv("SRR_PLUGINS__CALL_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    registry = get_registry()
    registry.instruments["faulty"] = Faulty(None, get_settings().pace, registry.tables)  # type: ignore[arg-type]
    registry.origins["faulty"] = "tests"
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    spec = tmp_path / "faulty.yaml"
    spec.write_text(f"kind: faulty\nfault: {fault}\n", encoding="utf-8")
    srr_sqlite.ok("contracts", "apply", "DJI-2026-0007", spec, "--as-of", "2026-03-01")

    started = time.monotonic()
    summary = sweep(date(2026, 6, 30), registry)
    assert time.monotonic() - started < 10
    assert summary.contracts == 2 and summary.statuses["error"] == 1

    status = json.loads(srr_sqlite.ok("status", "--as-of", "2026-06-30", "--json"))
    by_ref = {c["reference"]: c for c in status["contracts"]}
    assert by_ref["RWS-2026-0042"]["status"] in ("on_track", "at_risk", "behind")  # the rest was assessed
    faulty = next(i for i in by_ref["DJI-2026-0007"]["instruments"] if i["kind"] == "faulty")
    assert faulty["status"] == "error"
    assert ("langer dan 0.5 s" in faulty["reasons"][0]) == (fault == "hang")
    reservation = next(i for i in by_ref["DJI-2026-0007"]["instruments"] if i["kind"] == "reservation")
    assert reservation["status"] != "error"
    alerts = [e for e in json.loads(srr_sqlite.ok("audit", "DJI-2026-0007", "--json"))
              if e["type"] == "operations.alert"]
    assert [a["details"]["kind"] for a in alerts] == ["faulty"]
