"""Faults with real processes: a sweep killed halfway and a delivery killed between sending and recording
end in the same state as uninterrupted runs, and every nudge arrives (at least once, with its key)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml
from receivers import point_to
from sqlalchemy import create_engine, select

from srr_engine.storage import schema

SWEEP = """
import os, signal, sys
from datetime import date
from srr_engine.registry import get_registry
from srr_engine.sweep import sweep
batches = []
def progress(done):
    batches.append(done)
    if len(batches) == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)  # killed halfway: after some batches were committed
sweep(date(2026, 9, 29), get_registry(), batch_size=10, progress=progress)
"""


def many_contracts(examples: Path, path: Path, count: int) -> Path:
    template = yaml.safe_load((examples / "contracts.yaml").read_text(encoding="utf-8"))
    contracts = []
    for n in range(count):
        for c in template:
            contracts.append({**c, "reference": f"{c['reference']}-{n:03d}", "contacts": {}})
    path.write_text(yaml.safe_dump(contracts, allow_unicode=True), encoding="utf-8")
    return path


def state(url: str) -> dict[str, Counter]:
    """What a sweep leaves behind, without ids and timestamps."""
    engine = create_engine(url)
    with engine.connect() as conn:
        a, c, e, k = schema.Assessment, schema.Contract, schema.Event, schema.Checkin
        found = {
            "assessments": Counter(conn.execute(select(c.reference, a.as_of, a.status, a.obligation_cents,
                                                       a.realised_cents).join(c, a.contract_id == c.id))),
            "events": Counter((t, ref, json.dumps(p, sort_keys=True)) for t, ref, p in
                              conn.execute(select(e.type, e.reference, e.payload))),
            "checkins": Counter(conn.execute(select(c.reference, k.rule, k.role, k.period).join(c, k.contract_id == c.id))),
        }
    engine.dispose()
    return found


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_a_sweep_killed_halfway_ends_like_an_uninterrupted_one(tmp_path, examples):
    portfolio = many_contracts(examples, tmp_path / "contracts.yaml", 30)  # 60 contracts, 6 batches of 10
    urls = {}
    for name in ("killed", "whole"):
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
        env = {**os.environ, "SRR_DATABASE_URL": url, "SRR_HOME": str(tmp_path / name), "SRR_ACTOR": "t"}
        cli = "from srr_engine.cli import main; main()"
        run(env, "-c", cli, "init")
        run(env, "-c", cli, "contracts", "add", str(portfolio))
        urls[name] = (url, env)
    killed_url, killed_env = urls["killed"]
    died = run(killed_env, "-c", SWEEP, "3", check=False)
    assert died.returncode == -signal.SIGKILL
    halfway = state(killed_url)
    assert 0 < sum(halfway["assessments"].values()) < 60 * 3 // 2  # some batches committed, not all

    run(killed_env, "-c", SWEEP, "0")  # the next run (never killed)
    whole_url, whole_env = urls["whole"]
    run(whole_env, "-c", SWEEP, "0")
    killed, whole = state(killed_url), state(whole_url)
    assert killed["assessments"] == whole["assessments"]
    assert killed["checkins"] == whole["checkins"]
    # contract.registered etc. differ only in ids; every status change is recorded exactly once
    assert killed["events"] == whole["events"]


def test_a_delivery_killed_between_sending_and_recording_is_sent_again_with_the_same_key(
        tmp_path, examples, smtp_inbox, http_inbox):
    url = f"sqlite:///{tmp_path / 'srr.db'}"
    env = {**os.environ, "SRR_DATABASE_URL": url, "SRR_HOME": str(tmp_path / "home"), "SRR_ACTOR": "t",
           "SRR_NUDGES__LEASE_SECONDS": "1", "SRR_NUDGES__RETRY_SECONDS": "[]"}
    cli = "from srr_engine.cli import main; main()"
    contracts = tmp_path / "contracts.yaml"
    contracts.write_text(point_to((examples / "contracts.yaml").read_text(encoding="utf-8"), smtp_inbox, http_inbox),
                         encoding="utf-8")
    run(env, "-c", cli, "init")
    run(env, "-c", cli, "contracts", "add", str(contracts))
    run(env, "-c", "from datetime import date; from srr_engine.registry import get_registry; "
                   "from srr_engine.sweep import sweep; sweep(date(2026, 6, 30), get_registry())")

    sender = subprocess.Popen([sys.executable, "-c", cli, "nudges", "send", "--at", "2026-06-30T09:00"], env=env)
    http_inbox.on_post = lambda: os.kill(sender.pid, signal.SIGKILL)  # dies once the webhook got the digest
    sender.wait(timeout=120)
    http_inbox.on_post = None
    assert sender.returncode == -signal.SIGKILL
    assert len(http_inbox.posts) == 1
    first_key = http_inbox.posts[0].headers["Idempotency-Key"]

    time.sleep(1.2)  # the half-sent digest's lease runs out
    run(env, "-c", cli, "nudges", "send", "--at", "2026-06-30T10:00")
    keys = [p.headers["Idempotency-Key"] for p in http_inbox.posts]
    assert keys.count(first_key) == 2  # sent again, recognisably the same message
    assert len(set(keys)) == 1
    listed = json.loads(run(env, "-c", cli, "nudges", "list", "--json").stdout)
    assert {d["status"] for d in listed} == {"sent"}
    assert smtp_inbox.to("cm@example.nl")  # the rest arrived as well
    run(env, "-c", cli, "nudges", "send", "--at", "2026-06-30T11:00")
    assert len(http_inbox.posts) == 2  # and nothing more after it was recorded
