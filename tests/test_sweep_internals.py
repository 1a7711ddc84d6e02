"""What the sweep's speed-ups must not change: stored models equal validated ones, partnership slots and
SROI contract years as before, one config validation per assessment, the collector paused only during a
batch, JSON columns as before (and no PostgreSQL dialect loaded on SQLite)."""

from __future__ import annotations

import gc
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from instruments.partnership import GRACE_DAYS, PartnershipConfig, Slot, plan
from instruments.sroi_figures import contract_years
from srr_engine.domain import Contract
from srr_engine.storage import schema
from srr_engine.storage.db import make_engine, unit_of_work
from srr_engine.valuation import add_years

ROOT = Path(__file__).resolve().parent.parent


def test_stored_contracts_equal_validated_ones(srr, examples):
    """Contracts are read back without re-validation; what comes back is what validation would give."""
    from srr_engine.storage.contracts import contracts_query, load_contracts

    srr.ok("contracts", "add", examples / "contracts.yaml")
    with unit_of_work(make_engine(srr.url)) as session:
        stored = load_contracts(session, contracts_query())
    assert stored
    for item in stored:
        again = Contract.model_validate(item.contract.model_dump(mode="json"))
        assert item.contract == again
        assert list(item.contract.contacts) == sorted(item.contract.contacts)  # in (contract, role) order
        assert [s.config for s in item.contract.instruments] == [a.config for a in item.applications]


def test_bulk_reads_see_pending_changes(srr, examples):
    """Core reads flush pending ORM changes first, as session.execute does."""
    from srr_engine.storage.contracts import get_contract

    srr.ok("contracts", "add", examples / "contracts.yaml")
    with unit_of_work(make_engine(srr.url)) as session:
        row = session.scalar(select(schema.Contract).where(schema.Contract.reference == "RWS-2026-0042"))
        row.title = "Nieuwe titel"
        assert get_contract(session, "RWS-2026-0042").contract.title == "Nieuwe titel"
        session.rollback()


def _plan_as_before(config: PartnershipConfig, end: date, held: list[date]) -> list[Slot]:
    slots: list[Slot] = []
    opens = date.min
    while (due := config.letter_of_intent + timedelta(weeks=config.session_every_weeks * (len(slots) + 1))) <= end:
        closes = due + timedelta(days=GRACE_DAYS)
        slots.append(Slot(opens, due, next((d for d in held if opens <= d <= closes), None)))
        opens = closes + timedelta(days=1)
    return slots


@given(
    every=st.integers(1, 12),
    offsets=st.lists(st.integers(-30, 900), max_size=25),
    ordered=st.booleans(),
)
def test_partnership_slots_as_before(every, offsets, ordered):
    loi = date(2026, 2, 15)
    config = PartnershipConfig(letter_of_intent=loi, session_every_weeks=every)
    contract = Contract.model_validate({
        "reference": "P-1", "title": "t", "buyer": "b", "category": "services", "cpv": "90910000",
        "value_eur": "1000", "start": date(2026, 1, 1), "end": date(2028, 6, 30)})
    held = [loi + timedelta(days=o) for o in offsets]
    if ordered:
        held.sort()
    assert plan(config, contract, held) == _plan_as_before(config, contract.end, held)


@given(start=st.dates(date(2020, 1, 1), date(2030, 12, 31)), days=st.integers(0, 3000))
def test_contract_years_as_before(start, days):
    end = start + timedelta(days=days)
    before = []
    while (first := add_years(start, len(before))) <= end:
        before.append((first, min(add_years(start, len(before) + 1) - timedelta(days=1), end)))
    years = contract_years(start, end)
    assert years == before
    years.append((end, end))  # a caller's copy: the remembered years stay as they were
    assert contract_years(start, end) == before


def test_checkins_reuse_the_config_validated_for_the_assessment(srr, examples, monkeypatch):
    from srr_engine.assess import assess_contracts, monitored_query
    from srr_engine.checkins import instrument_checkins
    from srr_engine.registry import get_registry
    from srr_engine.storage.contracts import load_contracts

    srr.ok("contracts", "add", examples / "contracts.yaml")
    registry = get_registry()
    with unit_of_work(make_engine(srr.url)) as session:
        results = assess_contracts(session, registry, load_contracts(session, monitored_query()), date(2026, 9, 1))
    for result in results:
        for item in result.instruments:
            assert isinstance(item.config, registry.instruments[item.application.kind].config_model)
    for kind in registry.instruments:
        model = registry.instruments[kind].config_model
        monkeypatch.setattr(model, "model_validate", classmethod(lambda cls, *a, **k: pytest.fail("validated twice")))
    for result in results:
        instrument_checkins(result, registry)


def test_collector_paused_only_during_a_batch():
    from srr_engine.sweep import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("batch failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # switched off by someone else: left off
    finally:
        gc.enable()


def test_json_columns_store_none_as_json_null(tmp_path):
    from sqlalchemy import text

    from srr_engine.storage.db import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'srr.db'}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(schema.Event.__table__.insert(), [{
            "occurred_at": date(2026, 1, 1), "type": "t", "actor": "a", "payload": None}])
        assert conn.scalar(text("SELECT payload FROM events")) == "null"
    engine.dispose()


def test_postgresql_dialect_not_loaded_for_sqlite():
    """`srr status` on SQLite does not pay for loading the PostgreSQL dialect; PostgreSQL still gets JSONB."""
    code = ("import sys, srr_engine.assess, srr_engine.sweep; "
            "print('sqlalchemy.dialects.postgresql' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
    from sqlalchemy.dialects import postgresql, sqlite

    column = schema.Event.__table__.c.payload
    assert column.type.compile(dialect=postgresql.dialect()) == "JSONB"
    assert column.type.compile(dialect=sqlite.dialect()) == "JSON"


def test_store_checkins_inserts_each_new_one_once_in_order(srr, examples):
    """The same on SQLite and PostgreSQL (where the rows go in as one JSON array)."""
    from srr_engine.checkins import PlannedCheckin, store_checkins
    from srr_engine.domain import Role
    from srr_engine.messages import msg

    srr.ok("contracts", "add", examples / "contracts.yaml")
    engine = make_engine(srr.url)
    with unit_of_work(engine) as session:
        ids = list(session.scalars(select(schema.Contract.id).order_by(schema.Contract.id)))
    figures = {"reference": "RWS-2026-0042", "amount": "12.50", "nested": [{"é": None, "n": 1}]}
    planned = [PlannedCheckin(cid, rule, Role.contract_manager, "2026-W10", 3, msg(f"nl {rule} ’", f"en {rule}"),
                              figures, expects_answer=rule == "a")
               for cid in ids for rule in ("a", "b")]
    day = date(2026, 3, 2)
    with unit_of_work(engine) as session:
        assert store_checkins(session, planned + planned[:1], day) == len(planned)
    with unit_of_work(engine) as session:
        assert store_checkins(session, planned, day) == 0
        c = schema.Checkin
        rows = session.execute(select(c.contract_id, c.rule, c.role, c.period, c.planned_on, c.urgency, c.message,
                                      c.figures, c.expects_answer, c.delivery).order_by(c.id)).all()
    assert [tuple(r) for r in rows] == [
        (p.contract_id, p.rule, "contract_manager", "2026-W10", day, 3, p.message.model_dump(), figures,
         p.expects_answer, "pending") for p in planned]
    engine.dispose()
