"""Nudge delivery measured: `python -m benchmarks.nudges --digests 10000 --db sqlite`.

1. **load** (not counted): a portfolio of `--contracts` contracts (default: as many as digests) from
   `benchmarks.portfolio`, swept as of its date through the core, so check-ins are planned and pending.
   The first `--digests` (contract, role) pairs with pending check-ins get a contact with a webhook of
   their own (`json://127.0.0.1:PORT/<role>/<contract id>`): one digest each. Other contacts keep no
   address, so their check-ins end as `no_recipient`.
2. **receiver**: a real HTTP endpoint on 127.0.0.1 (`tests/receivers.py`, the one the tests use) runs in
   this process.
3. **deliver** (measured, in a process of its own): `srr_engine.nudges.deliver` on the portfolio's date
   at 10:00 local time, as `srr nudges send` runs it: claim, render, send, record.

Peak RSS is the delivering process's; the largest sender process's is printed beside it.

Afterwards every digest must have arrived exactly once (one POST per digest, distinct idempotency keys)
and be marked sent; the run fails otherwise. `--json` prints `{"digests", "db", "deliver_s",
"digests_per_s", "checkins_sent", "peak_rss_mb"}`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from benchmarks.portfolio import AS_OF
from benchmarks.sweep import DEFAULT_PG, ROOT, Store, machine, peak_rss_mb

DELIVER_AT = datetime.combine(AS_OF, clock_time(10))  # a Monday morning: nudges may go out


def prepare(store: Store, contracts: int, digests: int, port: int, say: Any) -> dict[str, Any]:
    """Load and sweep the portfolio, then give `digests` recipients a webhook on `port`."""
    from sqlalchemy import select, update

    from benchmarks.portfolio import load
    from srr_engine.registry import get_registry
    from srr_engine.storage import schema
    from srr_engine.storage.db import make_engine
    from srr_engine.sweep import sweep

    engine = make_engine(store.fresh("base"))
    registry = get_registry()
    started = time.perf_counter()
    load(engine, contracts, registry, progress=lambda k: say(f"\r  loading {k}/{contracts} contracts", end=""))
    say("")
    swept = sweep(AS_OF, registry, engine=engine)
    c, k = schema.Checkin, schema.Contact
    with engine.begin() as conn:
        pairs = conn.execute(select(c.contract_id, c.role).distinct()
                             .join(k, (k.contract_id == c.contract_id) & (k.role == c.role))
                             .where(c.delivery == "pending").order_by(c.contract_id, c.role).limit(digests)).all()
        if len(pairs) < digests:
            raise SystemExit(f"only {len(pairs)} recipients have check-ins pending; ask for more --contracts")
        for contract_id, role in pairs:
            conn.execute(update(k).where(k.contract_id == contract_id, k.role == role)
                         .values(notify=[f"json://127.0.0.1:{port}/{role}/{contract_id}"]))
    engine.dispose()
    return {"load_s": time.perf_counter() - started, "checkins_planned": swept.checkins}


def phase_deliver(url: str) -> dict[str, Any]:
    from srr_engine.nudges import deliver
    from srr_engine.settings import get_settings
    from srr_engine.storage.db import make_engine

    settings, engine = get_settings(), make_engine(url)
    started = time.perf_counter()
    summary = deliver(DELIVER_AT, settings, engine)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "digests_sent": summary.digests_sent, "digests_failed": summary.digests_failed,
            "checkins_sent": summary.checkins_sent}


def run_deliver(url: str, home: Path) -> dict[str, Any]:
    """The delivery in a fresh Python process; returns what it printed (JSON) and its peak RSS."""
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SRR_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    env.pop("SRR_DATABASE_URL", None)
    command = [sys.executable, "-m", "benchmarks.nudges", "--phase", "--url", url]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"delivery failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_arrivals(inbox: Any, url: str, digests: int) -> None:
    """Every digest arrived once and is marked sent, or the run fails."""
    from sqlalchemy import func, select

    from srr_engine.storage import schema
    from srr_engine.storage.db import make_engine

    keys = [post.headers.get("Idempotency-Key") for post in inbox.posts]
    engine = make_engine(url)
    with engine.connect() as conn:
        sent = conn.scalar(select(func.count()).select_from(schema.Digest).where(schema.Digest.status == "sent"))
    engine.dispose()
    if not (len(keys) == len(set(keys)) == sent == digests):
        raise SystemExit(f"expected {digests} digests, each once: {len(keys)} posts, {len(set(keys))} keys, "
                         f"{sent} marked sent")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.nudges", description=__doc__.split("\n\n")[0])
    parser.add_argument("--digests", type=int, default=10000)
    parser.add_argument("--contracts", type=int, help="portfolio size (default: as many as digests)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--json", action="store_true", help="print only the figures as JSON")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "srr-bench")
    parser.add_argument("--postgresql-url", default=os.environ.get("SRR_BENCH_POSTGRESQL_URL", DEFAULT_PG),
                        help="a server the benchmark may create databases on")
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:  # the child process: the measured delivery
        result = phase_deliver(args.url)
        senders_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest sender process
        print(json.dumps({**result, "peak_rss_mb": round(peak_rss_mb(), 1), "sender_rss_mb": round(senders_mb, 1)}))
        return

    def say(text: str = "", end: str = "\n") -> None:
        if not args.json:
            print(text, end=end, file=sys.stderr, flush=True)

    sys.path.insert(0, str(ROOT / "tests"))
    from receivers import HttpInbox

    digests, contracts = args.digests, args.contracts or args.digests
    work = args.workdir / f"nudges-{args.db}-{digests}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    store = Store(args.db, contracts, work, args.postgresql_url)
    inbox = HttpInbox()
    inbox.start()
    say(f"{digests} digests from a portfolio of {contracts} contracts on {args.db} ({machine()})")
    loaded = prepare(store, contracts, digests, inbox.port, say)
    say(f"  load and sweep {loaded['load_s']:.1f} s (not counted), {loaded['checkins_planned']} check-ins planned")
    say("  measuring delivery ...", end="")
    result = run_deliver(store.url("base"), work / "home")
    say(f" {result['seconds']:.2f} s")
    inbox.stop()
    check_arrivals(inbox, store.url("base"), digests)
    store.drop("base")
    figures = {"digests": digests, "db": args.db, "deliver_s": round(result["seconds"], 3),
               "digests_per_s": round(digests / result["seconds"]), "checkins_sent": result["checkins_sent"],
               "peak_rss_mb": result["peak_rss_mb"]}
    if not args.json:
        print(f"\n{digests} digests to a local HTTP endpoint on {args.db}, at {DELIVER_AT} ({machine()})")
        print(f"  deliver {figures['deliver_s']:.2f} s, {figures['digests_per_s']} digests/s, "
              f"{figures['checkins_sent']} check-ins sent, peak RSS {figures['peak_rss_mb']:.0f} MB (senders "
              f"{result['sender_rss_mb']:.0f} MB each at most); "
              f"{len(inbox.posts)} posts received, each digest once")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
