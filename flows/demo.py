"""`srr demo`: a sample portfolio modelled on the seed articles, run through a whole year on the
embedded default (SQLite, Prefect without a server), on real flow runs.

Tender and award (a supplier offers 10 % where 5 % was asked), then 2026 week by week: supplier
reports arrive (one late), the buyer reviews them, partnership sessions are held (one is missed), a
partnership starts on a running catering contract (route 1), one leniency is granted, check-ins go
out and some are answered; finally the contracts that ended are evaluated. Nudges are delivered to a
local inbox the demo starts itself (files in `$SRR_HOME/demo/inbox`). It runs in a database of its own
under `$SRR_HOME/demo`, made anew on every run.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from srr_engine.settings import config_dir

ACTOR = "demo"
YEAR_END = date(2026, 12, 31)


@dataclass
class DemoResult:
    folder: Path
    reports: list[Path] = field(default_factory=list)
    inbox: Path | None = None
    messages: int = 0


class LocalInbox:
    """An HTTP endpoint on 127.0.0.1 that stores every nudge it receives as a text file."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        inbox = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                inbox.store(self.path.strip("/").replace("/", "-"), body)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.count = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/inbox"

    def store(self, recipient: str, body: dict[str, Any]) -> None:
        with self.lock:
            self.count += 1
            path = self.folder / f"{self.count:03d}-{recipient}.txt"
        path.write_text(f"{body.get('title', '')}\n\n{body.get('message', '')}", encoding="utf-8")

    def __enter__(self) -> LocalInbox:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def demo_environment(folder: Path) -> Iterator[None]:
    """Point the engine at the demo's own database for the length of the run, and back."""
    from srr_engine.plugins import get_plugins
    from srr_engine.registry import get_registry
    from srr_engine.settings import get_settings

    saved = {k: os.environ.get(k) for k in ("SRR_HOME", "SRR_DATABASE_URL", "SRR_ACTOR")}
    os.environ["SRR_HOME"] = str(folder)
    os.environ["SRR_DATABASE_URL"] = f"sqlite:///{folder / 'srr.db'}"
    os.environ["SRR_ACTOR"] = ACTOR
    caches = (get_settings, get_plugins, get_registry)
    for cache in caches:
        cache.cache_clear()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for cache in caches:
            cache.cache_clear()


def tuesdays(year: int) -> list[date]:
    """The weekly monitoring days (Tuesdays: Monday holidays such as King's Day 2026 are skipped)."""
    day = date(year, 1, 1)
    day += timedelta(days=(1 - day.weekday()) % 7)
    return [day + timedelta(weeks=n) for n in range((date(year, 12, 31) - day).days // 7 + 1)]


def submitted_id(reference: str, kind: str) -> int:
    """The id of the first submitted realisation of a kind on a contract (what a reviewer picks)."""
    from sqlalchemy import select

    from srr_engine.storage import schema
    from srr_engine.storage.db import unit_of_work

    r = schema.Realisation
    with unit_of_work() as db:
        return db.scalars(select(r.id).join(schema.Contract).where(
            schema.Contract.reference == reference, r.kind == kind, r.status == "submitted").order_by(r.id)).first()


def what_happens(source: Path) -> dict[date, list[Callable[[], object]]]:
    """The year's events, by the Tuesday on which the demo lets them happen."""
    from srr_engine.checkins import answer
    from srr_engine.contracts import apply_instruments
    from srr_engine.facts import grant_leniency, record_fact, record_note
    from srr_engine.files import read_records
    from srr_engine.realisations import import_file, review
    from srr_engine.registry import get_registry

    registry = get_registry()

    def session(reference: str, held: date, notes: str | None = None) -> Callable[[], object]:
        return lambda: record_fact(reference, "partnership.session", held, {"notes": notes, "actions": []}, ACTOR)

    def report(name: str, reported_on: date, reject: tuple[str, str, str] | None = None) -> Callable[[], object]:
        """Import a supplier report and review it: accept everything, except (reference, kind, reason)."""
        def run() -> None:
            result = import_file(source / "reports" / name, registry, "leverancier", reported_on)
            if reject:
                reference, kind, reason = reject
                review(reference, "inkoop", reject=[submitted_id(reference, kind)], reason=reason)
            for reference in result.per_contract:
                review(reference, "inkoop", accept_all=True)
        return run

    def answer_open(on: date) -> Callable[[], object]:
        def run() -> None:
            from sqlalchemy import select

            from srr_engine.storage import schema
            from srr_engine.storage.db import unit_of_work

            with unit_of_work() as db:
                ids = list(db.scalars(select(schema.Checkin.id).where(
                    schema.Checkin.expects_answer.is_(True), schema.Checkin.answer.is_(None),
                    schema.Checkin.delivery == "sent").order_by(schema.Checkin.id)))
            for checkin_id in ids[: max(1, len(ids) // 2)]:  # the coordinator answers about half of them
                answer(checkin_id, "on_track", "loopt volgens afspraak", "coordinator", on)
        return run

    return {
        date(2026, 2, 3): [lambda: apply_instruments("GEM-2026-0101", read_records(source / "route1-partnership.yaml"),
                                                     registry, "inkoop", date(2026, 2, 3))],
        date(2026, 3, 10): [answer_open(date(2026, 3, 10))],
        date(2026, 3, 31): [session("RWS-2026-0042", date(2026, 3, 27), "Kennismaking, afspraken over leerwerkplekken"),
                            session("GEM-2026-0101", date(2026, 3, 30))],
        date(2026, 4, 14): [report("2026-q1.csv", date(2026, 4, 10))],
        date(2026, 5, 12): [session("RWS-2026-0042", date(2026, 5, 12))],
        date(2026, 5, 26): [session("GEM-2026-0101", date(2026, 5, 25))],
        date(2026, 6, 2): [lambda: record_fact("GEM-2026-0101", "partnership.kpi", date(2026, 6, 1),
                                               {"kpi": "work_experience_places", "count": 1}, ACTOR),
                           lambda: record_fact("RWS-2026-0042", "partnership.kpi", date(2026, 6, 1),
                                               {"kpi": "learning_places", "count": 1}, ACTOR)],
        date(2026, 6, 9): [answer_open(date(2026, 6, 9))],
        date(2026, 6, 23): [session("RWS-2026-0042", date(2026, 6, 20))],
        date(2026, 7, 14): [report("2026-q2.csv", date(2026, 7, 10),
                                   reject=("UNI-2026-0201", "learning", "stageovereenkomst ontbreekt"))],
        date(2026, 7, 21): [session("GEM-2026-0101", date(2026, 7, 20))],
        date(2026, 9, 8): [lambda: grant_leniency("GEM-2026-0102", "directeur inkoop",
                                                  "grondstoffen duurder, minder omzet: afgesproken 7 %", date(2026, 9, 8),
                                                  percentage=Decimal("7")),
                           answer_open(date(2026, 9, 8))],
        date(2026, 9, 15): [session("RWS-2026-0042", date(2026, 9, 15)), session("GEM-2026-0101", date(2026, 9, 14)),
                            lambda: record_fact("RWS-2026-0042", "partnership.kpi", date(2026, 9, 1),
                                                {"kpi": "banenafspraak_jobs", "count": 1}, ACTOR)],
        date(2026, 10, 6): [lambda: record_note("RWS-2026-0042", "contract.story", date(2026, 10, 6),
                                                "Een kandidaat uit de Participatiewet werkt nu als voorman.", ACTOR),
                            lambda: record_fact("GEM-2026-0101", "partnership.kpi", date(2026, 10, 1),
                                                {"kpi": "work_experience_places", "count": 2}, ACTOR)],
        date(2026, 10, 27): [session("RWS-2026-0042", date(2026, 10, 24)),
                             lambda: record_fact("RWS-2026-0042", "partnership.kpi", date(2026, 10, 26),
                                                 {"kpi": "learning_places", "count": 2}, ACTOR)],
        date(2026, 11, 10): [report("2026-q3.csv", date(2026, 11, 10)), session("GEM-2026-0101", date(2026, 11, 9)),
                             lambda: record_fact("RWS-2026-0042", "partnership.kpi", date(2026, 11, 2),
                                                 {"kpi": "banenafspraak_jobs", "count": 2}, ACTOR)],
        date(2026, 12, 8): [session("RWS-2026-0042", date(2026, 12, 4)), answer_open(date(2026, 12, 8))],
        date(2026, 12, 15): [
            lambda: record_fact("DJI-2026-0007", "reservation.evidence", date(2026, 12, 15),
                                {"share_disadvantaged": "0.44", "source": "Accountantsverklaring 2026"}, ACTOR),
            lambda: record_note("GRO-2026-0301", "contract.lesson", date(2026, 12, 15),
                                "Bundelen maakte social return haalbaar voor een kleine groenaannemer.", ACTOR)],
    }


def run_demo(home: Path, progress: Callable[[date], None] = lambda _: None) -> DemoResult:
    """Run the whole demo; returns where its database, inbox and reports are."""
    from flows.award import award_flow
    from flows.common import without_heartbeats
    from flows.evaluate import evaluate_flow
    from flows.monitor import monitor_flow
    from flows.tender import tender_flow
    from srr_engine.contracts import check_file, register_contracts
    from srr_engine.registry import get_registry
    from srr_engine.reports import write_portfolio_report
    from srr_engine.storage.db import get_engine, upgrade

    folder = home / "demo"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = config_dir() / "demo"
    result = DemoResult(folder, inbox=folder / "inbox")
    with demo_environment(folder), LocalInbox(folder / "inbox") as inbox, without_heartbeats():
        upgrade(get_engine())
        portfolio = folder / "portfolio.yaml"
        portfolio.write_text((source / "portfolio.yaml").read_text(encoding="utf-8").replace("{inbox}", inbox.url),
                             encoding="utf-8")
        register_contracts(check_file(portfolio, get_registry()), ACTOR)
        tender_flow("GEM-2026-0102", date(2025, 11, 3))
        award_flow("GEM-2026-0102", "Hygiëne Groep", {"sroi_clause": {"percentage": "10"}}, date(2026, 1, 5))
        events = what_happens(source)
        for tuesday in tuesdays(2026):
            for happen in events.get(tuesday, []):
                happen()
            monitor_flow(as_of=tuesday, deliver_at=datetime.combine(tuesday, time(9, 0)))
            progress(tuesday)
        for reference in ("GEM-2026-0102", "UNI-2026-0201", "GRO-2026-0301", "GRO-2026-0302", "GRO-2026-0303"):
            evaluated = evaluate_flow(reference, YEAR_END, "inkoop" if reference.startswith("GRO") else None)
            result.reports.append(Path(evaluated["html"]))
        result.reports += write_portfolio_report(YEAR_END, folder / "reports")
        result.messages = inbox.count
    return result
