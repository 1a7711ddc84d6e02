"""srr-pso passes the srr-engine plugin test kit (run `pytest` in this folder with srr-pso installed)."""

from __future__ import annotations

from srr_pso import PsoCertificate

from srr_engine.testing import InstrumentConformance


class TestPsoCertificate(InstrumentConformance):
    instrument_class = PsoCertificate
    valid_configs = [
        {"minimum_level": "trede_1", "level": "trede_2", "certified_on": "2025-06-01"},
        {"minimum_level": "aspirant", "level": "aspirant", "certified_on": "2026-09-15"},
        {"minimum_level": "trede_3"},
    ]
    invalid_configs = [
        ({"minimum_level": "trede_9"}, "minimum_level"),
        ({"level": "trede_2", "certified_on": "last year"}, "certified_on"),
        ({"minimum_level": "trede_1", "certificate": "PSO-123"}, "certificate"),
    ]
