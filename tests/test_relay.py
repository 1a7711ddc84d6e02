"""The event relay's bookkeeping, on SQLite and PostgreSQL: it runs beside a sweep that goes on writing
(without writing itself until the sweep is done), emits every committed event, and a relay that finds
the cursor moved under it never moves it back.
(`tests/flows/test_emission.py` relays to a real Prefect server; here `send` collects what would go.)"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, select

from srr_engine.emission import CURSOR, RelayInBackground, relay
from srr_engine.events import EventType, event_row
from srr_engine.registry import get_registry
from srr_engine.storage import schema
from srr_engine.storage.db import get_engine, unit_of_work
from srr_engine.sweep import sweep


def event_ids() -> list[int]:
    with unit_of_work(get_engine()) as session:
        return list(session.scalars(select(schema.Event.id).order_by(schema.Event.id)))


def cursor_at() -> int:
    with unit_of_work(get_engine()) as session:
        return session.scalar(select(schema.EventCursor.last_event_id).where(schema.EventCursor.name == CURSOR)) or 0


def test_a_relay_in_the_background_of_sweeps_emits_every_event_once(srr, examples):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    emitted: list[int] = []
    lock = threading.Lock()

    def collect(events) -> None:
        with lock:
            emitted.extend(e.payload["srr_event_id"] for e in events)

    with RelayInBackground(collect, every=0.01) as background:
        for day in ("2026-06-02", "2026-06-30", "2026-09-01", "2026-12-01", "2027-03-01"):
            sweep(date.fromisoformat(day), get_registry(), batch_size=1)
        deadline = time.monotonic() + 30  # its first batch imports Prefect's event model (about a second)
        while len(emitted) < len(event_ids()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert emitted and cursor_at() == 0  # it emits while the block runs, and only reads
    assert cursor_at() == max(emitted)  # the cursor moves once, when the block ends
    left = relay(collect)
    assert background.emitted > 0 and background.emitted + left == len(emitted)
    assert sorted(emitted) == event_ids() and len(set(emitted)) == len(emitted)
    assert cursor_at() == max(emitted)


def test_a_relay_that_finds_the_cursor_moved_stops_and_leaves_it(srr, examples):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    sweep(date(2026, 6, 30), get_registry())
    inner: list[int] = []

    def overtaken(events) -> None:  # while this batch is "in flight", another relay emits everything
        if not inner:
            inner.append(relay(lambda batch: None))

    assert relay(overtaken) == 0  # it emitted a batch, but the other relay moved the cursor first
    assert inner[0] == len(event_ids()) and cursor_at() == max(event_ids())
    with unit_of_work(get_engine()) as session:
        assert session.scalar(select(func.count()).select_from(schema.EventCursor)) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_postgresql_the_relay_waits_for_an_open_transaction_that_holds_a_lower_event_id(srr, examples):
    """Ids are handed out at insert, seen at commit: without waiting, the relay would read the later
    id, move past the earlier one and never emit it."""
    srr.ok("contracts", "add", examples / "contracts.yaml")
    relay(lambda batch: None)
    note = lambda n: event_row(EventType.operations_alert, "tester", 1, "RWS-2026-0042", {"n": n},  # noqa: E731
                               datetime.now(UTC))
    seen: list[int] = []
    with get_engine().connect() as slow:
        open_transaction = slow.begin()
        slow.execute(insert(schema.Event), [note(1)])  # the lower id, not committed yet
        with get_engine().begin() as quick:
            quick.execute(insert(schema.Event), [note(2)])  # the higher id, committed
        worker = threading.Thread(target=relay, args=(lambda events: seen.extend(e.payload["n"] for e in events),))
        worker.start()
        worker.join(1.0)
        assert worker.is_alive() and seen == []  # it waits for the open transaction
        open_transaction.commit()
    worker.join(30)
    assert seen == [1, 2] and cursor_at() == max(event_ids())
