"""Two sweeps at once on PostgreSQL: no duplicates, no deadlock. A busy SQLite database: the sweep
waits its turn instead of failing."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date

import pytest
from srr_test_support import row_counts

from srr_engine.registry import get_registry
from srr_engine.sweep import sweep


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_sweeps_at_once_store_everything_once(srr, examples):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    srr.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-06-01")
    srr.ok("realisations", "review", "RWS-2026-0042", "--accept-all")
    registry = get_registry()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            sweep(date(2026, 9, 29), registry, batch_size=1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and not any(t.is_alive() for t in threads)
    once = row_counts(srr.url)
    sweep(date(2026, 9, 29), registry)
    assert row_counts(srr.url) == once  # as if one sweep had run
    assert once["assessments"] == 3


def test_a_busy_sqlite_database_makes_the_sweep_wait(srr_sqlite, examples):
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    holder = sqlite3.connect(srr_sqlite.url.removeprefix("sqlite:///"), isolation_level=None,
                             check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database, and then commits a change
    holder.execute("INSERT INTO organisations (name) VALUES ('Andere schrijver')")
    threading.Timer(1.5, lambda: holder.execute("COMMIT")).start()
    started = time.monotonic()
    summary = sweep(date(2026, 9, 29), get_registry())
    assert summary.contracts == 2 and time.monotonic() - started >= 1.0
    holder.close()
    assert row_counts(srr_sqlite.url)["assessments"] == 3
