"""The monitoring sweep measured on a synthetic portfolio: `python -m benchmarks.sweep --contracts N --db sqlite`.

In one run:

1. **load** (not counted): a fresh database gets the portfolio (`benchmarks.portfolio`), then one
   priming sweep three weeks before the measured date through the core, so the measured sweeps have a
   history to compare with (status changes, unanswered check-ins). The priming check-ins are marked
   delivered (three in four answered) and the event relay cursor is moved past every event so far, as if
   the relay had run: the flow emits only the events of its own sweep.
2. **copies**: one copy of that database per measurement (a file copy on SQLite, `CREATE DATABASE ...
   TEMPLATE` on PostgreSQL), so every sweep assesses the same data on the same date and really writes.
3. **measurements**, each in a process of its own (its peak RSS is its own):
   - `sweep`: `srr_engine.sweep.sweep` (assess, store assessments and events, plan check-ins);
   - `flow`: `flows.monitor.monitor_flow` in-process with an ephemeral Prefect server (started before
     the clock runs by a trivial flow), with the defaults `srr monitor` runs with; it also relays its
     events to Prefect. Nudge delivery is **excluded**: the flow's `deliver_at` is a Saturday evening,
     when no nudge may go out, so its delivery task judges the moment and returns (the synthetic
     contacts have no notify URLs either);
   - `floor`: one SQL aggregate summing the accepted value per contract as of the date (best of 3);
   - `naive` (at 1k only): one Prefect task per contract.

`--json` prints `{"contracts", "db", "sweep_s", "flow_s", "floor_s", "naive_s", "peak_rss_mb"}`; peak RSS is
the largest of the measured processes (sweep, flow, naive).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from benchmarks.portfolio import AS_OF

PRIME = AS_OF - timedelta(days=21)
DEFAULT_PG = "postgresql://postgres@127.0.0.1:55433/postgres"
ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- measured phases (run in a child process each) ------------------------------------------------

def timed(spent: dict[str, float], name: str, function: Any) -> Any:
    """`function`, adding the seconds each call takes to `spent[name]`."""
    def call(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
    return call


def phase_sweep(url: str, as_of: date, batch_size: int) -> dict[str, Any]:
    import srr_engine.assess
    import srr_engine.sweep
    from srr_engine.registry import get_registry
    from srr_engine.storage.db import make_engine
    from srr_engine.sweep import sweep

    # Where the time goes (the timers cost microseconds per batch).
    spent: dict[str, float] = {}
    for module, name in ((srr_engine.sweep, "load_contracts"), (srr_engine.assess, "load_facts"),
                         (srr_engine.sweep, "assess_contracts"), (srr_engine.sweep, "store_results"),
                         (srr_engine.sweep, "record_ended"), (srr_engine.sweep, "plan_checkins"),
                         (srr_engine.sweep, "store_checkins")):
        setattr(module, name, timed(spent, name, getattr(module, name)))
    registry, engine = get_registry(), make_engine(url)
    started = time.perf_counter()
    summary = sweep(as_of, registry, batch_size=batch_size, engine=engine)
    seconds = time.perf_counter() - started
    parts = {"read contracts": spent["load_contracts"], "read facts": spent["load_facts"],
             "rules (assess)": spent["assess_contracts"] - spent["load_facts"],
             "write assessments and events": spent["store_results"] + spent["record_ended"],
             "rules (check-ins) and unanswered": spent["plan_checkins"] - spent["store_checkins"],
             "write check-ins": spent["store_checkins"]}
    parts["batches, commits, rest"] = seconds - sum(parts.values())
    return {"seconds": seconds, "contracts": summary.contracts, "stored": summary.stored,
            "changes": summary.changes, "checkins": summary.checkins, "ended": summary.ended,
            "statuses": dict(summary.statuses), "parts": {k: round(v, 2) for k, v in parts.items()}}


def _prefect_env() -> None:
    # The defaults `srr monitor` runs with (flows/cli.py::run_once); no server configured.
    os.environ.pop("PREFECT_API_URL", None)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _start_prefect() -> float:
    """A trivial flow run first, so the ephemeral server's start-up is not measured."""
    from prefect import flow

    @flow(name="warm-up")
    def warm_up() -> int:
        return 1

    started = time.perf_counter()
    warm_up()
    return time.perf_counter() - started


def outside_sending_hours(as_of: date) -> datetime:
    """A moment at which no nudge may go out (the Saturday after `as_of`, 20:00): the flow's delivery
    task judges it and returns, so nudge delivery is not part of the measurement."""
    return datetime.combine(as_of + timedelta(days=(5 - as_of.weekday()) % 7), clock_time(20))


def phase_flow(url: str, as_of: date, batch_size: int) -> dict[str, Any]:
    _prefect_env()
    os.environ["SRR_DATABASE_URL"] = url
    import flows.common
    import flows.monitor
    from flows.common import without_heartbeats
    from flows.monitor import monitor_flow
    from srr_engine.registry import get_registry

    # Where the flow's time goes: in the core (sweep_batch), and relaying its events to Prefect after
    # the sweep (what the relay in the background during the sweep left).
    spent = {"in_core_s": 0.0, "relay_s": 0.0}
    relayed: list[int] = []
    background: list[Any] = []
    flows.monitor.sweep_batch = timed(spent, "in_core_s", flows.monitor.sweep_batch)  # type: ignore[assignment]
    relay = timed(spent, "relay_s", flows.common.relay_to_prefect)
    flows.common.relay_to_prefect = lambda *a, **k: relayed.append(relay(*a, **k)) or relayed[-1]  # type: ignore[assignment]
    in_background = flows.monitor.RelayInBackground
    flows.monitor.RelayInBackground = lambda *a, **k: background.append(in_background(*a, **k)) or background[-1]  # type: ignore
    get_registry()
    with without_heartbeats():
        startup = _start_prefect()
        started = time.perf_counter()
        result = monitor_flow(as_of=as_of, batch_size=batch_size, deliver_at=outside_sending_hours(as_of))
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "prefect_startup_s": startup, **spent, "events_relayed_after": sum(relayed),
            "events_relayed_during": sum(b.emitted for b in background),
            **{k: result[k] for k in ("contracts", "stored", "changes", "checkins", "ended", "statuses", "nudges")}}


def phase_naive(url: str, as_of: date, batch_size: int) -> dict[str, Any]:
    """The shape the monitor flow avoids: one Prefect task per contract."""
    _prefect_env()
    os.environ["SRR_DATABASE_URL"] = url
    from prefect import flow, task

    from flows.common import without_heartbeats
    from srr_engine.registry import get_registry
    from srr_engine.sweep import SweepSummary, batch_bounds, sweep_batch

    @task(name="assess-contract")
    def assess_contract(contract_id: int, day: date) -> SweepSummary:
        return sweep_batch((contract_id, contract_id), day, get_registry(), actor="flow:naive")

    @flow(name="naive-monitor")
    def naive_monitor(day: date) -> int:
        summary = SweepSummary(day)
        for first, _ in batch_bounds(day, 1):
            summary.merge(assess_contract(first, day))
        return summary.contracts

    get_registry()
    with without_heartbeats():
        _start_prefect()
        started = time.perf_counter()
        contracts = naive_monitor(as_of)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "contracts": contracts}


def phase_floor(url: str, as_of: date, batch_size: int) -> dict[str, Any]:
    """One SQL aggregate: the accepted value per contract as of the date, every row fetched."""
    from sqlalchemy import func, select

    from srr_engine.storage import schema
    from srr_engine.storage.db import make_engine
    from srr_engine.storage.realisations import value_as_of

    r = schema.Realisation
    query = (select(r.contract_id, func.sum(value_as_of(as_of)))
             .where(r.status == "accepted", r.reported_on <= as_of).group_by(r.contract_id))
    engine = make_engine(url)
    runs = []
    for _ in range(3):
        with engine.connect() as conn:
            started = time.perf_counter()
            rows = conn.execute(query).all()
            runs.append(time.perf_counter() - started)
    return {"seconds": min(runs), "runs": runs, "contracts": len(rows)}


PHASES = {"sweep": phase_sweep, "flow": phase_flow, "naive": phase_naive, "floor": phase_floor}


def run_phase(name: str, url: str, home: Path, batch_size: int) -> dict[str, Any]:
    """Run one measurement in a fresh Python process; returns what it printed (JSON) and its peak RSS."""
    (home / "prefect").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SRR_HOME": str(home), "PREFECT_HOME": str(home / "prefect"),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    env.pop("SRR_DATABASE_URL", None)
    command = [sys.executable, "-m", "benchmarks.sweep", "--phase", name, "--url", url,
               "--as-of", AS_OF.isoformat(), "--batch-size", str(batch_size)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- preparing the databases ------------------------------------------------------------------------

class Store:
    """The base database and its copies, on SQLite (files) or PostgreSQL (template databases)."""

    def __init__(self, db: str, n: int, work: Path, pg_url: str):
        self.db, self.n, self.work, self.pg_url = db, n, work, pg_url

    def url(self, name: str) -> str:
        if self.db == "sqlite":
            return f"sqlite:///{self.work / f'{name}.db'}"
        return self.pg_url.rsplit("/", 1)[0] + f"/srr_bench_{self.n}_{name}"

    def _admin(self) -> Any:
        from sqlalchemy import create_engine

        return create_engine(self.pg_url.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")

    def fresh(self, name: str, template: str | None = None) -> str:
        """An empty database `name`, or a copy of `template`."""
        from sqlalchemy import text

        if self.db == "sqlite":
            path = self.work / f"{name}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            if template:
                shutil.copyfile(self.work / f"{template}.db", path)
            return self.url(name)
        admin = self._admin()
        with admin.connect() as conn:
            target = self.url(name).rsplit("/", 1)[1]
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            source = f' TEMPLATE "{self.url(template).rsplit("/", 1)[1]}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{target}"{source}'))
        admin.dispose()
        return self.url(name)

    def drop(self, name: str) -> None:
        from sqlalchemy import text

        if self.db == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.work / name}.db{suffix}").unlink(missing_ok=True)
            return
        admin = self._admin()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.url(name).rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()


def prepare(store: Store, n: int, say: Any) -> dict[str, Any]:
    """Generate the portfolio into the base database and prime it; returns what was loaded and how long."""
    from sqlalchemy import func, select, update

    from benchmarks.portfolio import accepted_per_sroi_contract, load
    from srr_engine.registry import get_registry
    from srr_engine.storage import schema
    from srr_engine.storage.db import make_engine
    from srr_engine.sweep import sweep

    url = store.fresh("base")
    engine = make_engine(url)
    registry = get_registry()
    started = time.perf_counter()
    counts = load(engine, n, registry, progress=lambda k: say(f"\r  loading {k}/{n} contracts", end=""))
    loaded = time.perf_counter() - started
    say("")
    started = time.perf_counter()
    primed = sweep(PRIME, registry, engine=engine)
    c = schema.Checkin
    with engine.begin() as conn:
        conn.execute(update(c).values(delivery="sent"))
        conn.execute(update(c).where(c.expects_answer.is_(True), c.id % 4 != 0).values(
            answer="on_track", answered_by="Contractmanager", answered_on=PRIME + timedelta(days=2)))
        last = conn.scalar(select(func.max(schema.Event.id))) or 0
        conn.execute(schema.EventCursor.__table__.insert(),
                     [{"name": "prefect", "last_event_id": last, "source": str(uuid.uuid4())}])
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    sroi, mean, most = accepted_per_sroi_contract(engine)
    engine.dispose()
    return {"load_s": loaded, "prime_s": time.perf_counter() - started, "rows": dict(counts.rows),
            "mix": dict(counts.kinds), "checked_with_engine": counts.checked, "sroi_contracts": sroi,
            "accepted_per_sroi_mean": round(mean, 1), "accepted_per_sroi_max": most,
            "primed_statuses": dict(primed.statuses)}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    import sqlite3

    return (f"{os.cpu_count()} cores ({cpu}), {memory} GiB RAM, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--json", action="store_true", help="print only the figures as JSON")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "srr-bench")
    parser.add_argument("--postgresql-url", default=os.environ.get("SRR_BENCH_POSTGRESQL_URL", DEFAULT_PG),
                        help="a server the benchmark may create databases on")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:  # a child process: one measurement
        result = PHASES[args.phase](args.url, args.as_of, args.batch_size)
        print(json.dumps({**result, "peak_rss_mb": round(peak_rss_mb(), 1)}, default=str))
        return

    def say(text: str = "", end: str = "\n") -> None:
        if not args.json:
            print(text, end=end, file=sys.stderr, flush=True)

    n = args.contracts
    work = args.workdir / f"{args.db}-{n}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    store = Store(args.db, n, work, args.postgresql_url)
    say(f"portfolio of {n} contracts on {args.db} ({machine()})")
    loaded = prepare(store, n, say)
    say(f"  load {loaded['load_s']:.1f} s + priming sweep {loaded['prime_s']:.1f} s (not counted); rows: "
        f"{loaded['rows']}; mix: {loaded['mix']}; accepted realisations per SROI contract: mean "
        f"{loaded['accepted_per_sroi_mean']}, max {loaded['accepted_per_sroi_max']}")
    phases = ["sweep", "flow", "floor"] + (["naive"] if n <= 1000 else [])
    results: dict[str, dict[str, Any]] = {}
    for name in phases:
        url = store.fresh(name, "base") if name != "floor" else store.url("base")
        say(f"  measuring {name} ...", end="")
        results[name] = run_phase(name, url, work / f"home-{name}", args.batch_size)
        say(f" {results[name]['seconds']:.2f} s, peak RSS {results[name]['peak_rss_mb']:.0f} MB")
        if name != "floor" and not args.keep:
            store.drop(name)
    if not args.keep:
        store.drop("base")
    figures = {
        "contracts": n, "db": args.db,
        "sweep_s": round(results["sweep"]["seconds"], 3), "flow_s": round(results["flow"]["seconds"], 3),
        "floor_s": round(results["floor"]["seconds"], 3),
        "naive_s": round(results["naive"]["seconds"], 3) if "naive" in results else None,
        "peak_rss_mb": max(results[p]["peak_rss_mb"] for p in ("sweep", "flow", "naive") if p in results),
    }
    if args.json:
        print(json.dumps(figures))
        return
    sweep_s = figures["sweep_s"]
    print(f"\n{n} contracts on {args.db}, as of {AS_OF} ({machine()})")
    print(f"  sweep (core)   {sweep_s:8.2f} s   {n / sweep_s:8.0f} contracts/s   peak RSS "
          f"{results['sweep']['peak_rss_mb']:.0f} MB   ({results['sweep']['stored']} assessments, "
          f"{results['sweep']['changes']} status changes, {results['sweep']['checkins']} check-ins)")
    print("                 " + ", ".join(f"{k} {v:.2f} s" for k, v in results["sweep"]["parts"].items()))
    print("                 statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(results["sweep"]["statuses"].items())))
    flow = results["flow"]
    print(f"  flow (Prefect) {figures['flow_s']:8.2f} s   {n / figures['flow_s']:8.0f} contracts/s   peak RSS "
          f"{flow['peak_rss_mb']:.0f} MB   (+{100 * (figures['flow_s'] / sweep_s - 1):.0f} % over the "
          f"sweep; Prefect start-up {flow['prefect_startup_s']:.1f} s not counted)")
    print(f"                 in the core {flow['in_core_s']:.1f} s; events relayed to Prefect during the sweep "
          f"{flow['events_relayed_during']}, after it {flow['events_relayed_after']} in {flow['relay_s']:.1f} s; "
          f"Prefect's tasks, artifacts and the rest {figures['flow_s'] - flow['in_core_s'] - flow['relay_s']:.1f} s")
    print(f"  floor (SQL)    {figures['floor_s']:8.2f} s   sweep = {sweep_s / figures['floor_s']:.1f} x floor")
    if figures["naive_s"] is not None:
        print(f"  naive (task per contract) {figures['naive_s']:.2f} s   = {figures['naive_s'] / sweep_s:.0f} x sweep")
    print(f"  peak RSS {figures['peak_rss_mb']:.0f} MB; load {loaded['load_s']:.1f} s and priming "
          f"{loaded['prime_s']:.1f} s not counted")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
