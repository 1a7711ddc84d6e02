"""The benchmark's synthetic portfolio (benchmarks/portfolio.py): deterministic, in the shape the engine
writes, and assessable by the engine without errors. No timings here: those are in benchmarks/README.md."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from srr_engine.registry import get_registry
from srr_engine.storage import schema
from srr_engine.storage.db import make_engine
from srr_engine.sweep import sweep

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.portfolio import AS_OF, Generator, check_sample, load


def _rows(url: str) -> dict[str, list[tuple]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                 for t in (schema.Contract.__table__, schema.InstrumentApplication.__table__,
                           schema.Realisation.__table__, schema.Fact.__table__)}
    engine.dispose()
    return found


def test_portfolio_is_deterministic_and_assessable(tmp_path, monkeypatch):
    monkeypatch.setenv("SRR_HOME", str(tmp_path / "home"))
    registry = get_registry()
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("a", "b")]
    counts = load(make_engine(urls[0]), 300, registry, sample_every=1)  # every contract checked by the engine
    load(make_engine(urls[1]), 300, registry)
    assert counts.checked == 300
    assert _rows(urls[0]) == _rows(urls[1])
    assert set(counts.kinds) >= {"sroi_clause", "partnership", "reservation", "sroi_clause+partnership"}
    assert 120 <= counts.kinds["sroi_clause"] <= 240  # about 60 %

    engine = make_engine(urls[0])
    summary = sweep(AS_OF, registry, engine=engine)
    assert summary.contracts == 300
    assert "error" not in summary.statuses
    assert summary.statuses["behind"] > 0 and summary.statuses["on_track"] > 0
    with engine.connect() as conn:
        accepted = conn.scalar(select(func.count()).select_from(schema.Realisation)
                               .where(schema.Realisation.status == "accepted"))
        sroi = conn.scalar(select(func.count()).select_from(schema.InstrumentApplication)
                           .where(schema.InstrumentApplication.kind == "sroi_clause"))
    assert 12 <= accepted / sroi <= 28  # mean about 20
    engine.dispose()


def test_a_contract_does_not_depend_on_the_portfolio_size():
    registry = get_registry()
    small, large = Generator(registry, 1000), Generator(registry, 100_000)
    for i in (0, 7, 431):
        assert small.draft(i).record["reference"] == large.draft(i).record["reference"]
        assert small.draft(i).record["instruments"] == large.draft(i).record["instruments"]
    check_sample(registry, [small.draft(i) for i in range(50, 53)])  # a bundle's members
    assert small.draft(50).record["bundle"] == small.draft(52).record["bundle"] is not None
    assert date(2027, 6, 14) == AS_OF
