"""`srr demo`: a sample portfolio run through its year on the embedded default (SQLite).

It uses the same commands' services a contract manager uses: register contracts, import a supplier
report, review it, and follow the status month by month. It runs in a database of its own under
`SRR_HOME/demo`, made anew on every run.
"""

from __future__ import annotations

import calendar
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from srr_engine.assess import ContractResult, assess_contracts, batches, monitored_query
from srr_engine.contracts import check_file, register_contracts
from srr_engine.facts import record_fact
from srr_engine.realisations import import_file, review
from srr_engine.registry import Registry
from srr_engine.settings import config_dir
from srr_engine.storage.db import make_engine, unit_of_work, upgrade

ACTOR = "demo"
SESSIONS_HELD = [date(2026, 3, 27), date(2026, 5, 12), date(2026, 6, 20), date(2026, 9, 15), date(2026, 10, 24),
                 date(2026, 12, 4)]


@dataclass
class DemoRun:
    database: Path
    months: list[date]
    final: list[ContractResult]


def month_ends(year: int) -> list[date]:
    return [date(year, month, calendar.monthrange(year, month)[1]) for month in range(1, 13)]


def run_demo(home: Path, registry: Registry, progress: Callable[[date], None] = lambda _: None) -> DemoRun:
    """Register the demo portfolio, import and accept the supplier's report, follow 2026 month by month."""
    folder = home / "demo"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    database = folder / "srr.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    source = config_dir() / "demo"
    register_contracts(check_file(source / "contracts.yaml", registry), ACTOR, engine)
    for held in SESSIONS_HELD:  # the partnership's sessions (the one due early August was missed)
        record_fact("RWS-2026-0042", "partnership.session", held, {"notes": None, "actions": []}, ACTOR, engine)
    record_fact("RWS-2026-0042", "partnership.kpi", date(2026, 9, 15), {"kpi": "learning_places", "count": 1}, ACTOR,
                engine)
    months = month_ends(2026)
    final: list[ContractResult] = []
    for as_of in months:
        if as_of == date(2026, 6, 30):  # the supplier's half-yearly report arrives and is reviewed
            import_file(source / "realisations.csv", registry, ACTOR, date(2026, 6, 15), engine)
            review("RWS-2026-0042", ACTOR, accept_all=True, engine=engine)
        with unit_of_work(engine) as session:
            final = [r for batch in batches(session, monitored_query(), 500)
                     for r in assess_contracts(session, registry, batch, as_of)]
        progress(as_of)
    engine.dispose()
    return DemoRun(database, months, final)
