"""Event-driven: a real `prefect server start`, `srr serve` serving prefect.yaml's deployments, and a
realisation accepted with `srr realisations review` that makes the trigger reassess the contract."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

from flows.serve import start_local_server
from srr_engine.storage import schema


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def srr_command(env: dict[str, str], *args: str | Path) -> str:
    done = subprocess.run([sys.executable, "-c", "from srr_engine.cli import main; main()", *map(str, args)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"srr {args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def wait_for(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(1)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def assessments_of(url: str, reference: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(schema.Assessment).join(schema.Contract)
                               .where(schema.Contract.reference == reference)) or 0
    finally:
        engine.dispose()


def test_accepted_realisation_triggers_a_reassessment(tmp_path, examples):
    url = f"sqlite:///{tmp_path / 'srr.db'}"
    server, api = start_local_server(free_port(), tmp_path / "prefect-server")
    env = {**os.environ, "SRR_HOME": str(tmp_path / "home"), "SRR_DATABASE_URL": url, "SRR_ACTOR": "tester",
           "PREFECT_API_URL": api, "PREFECT_HOME": str(tmp_path / "prefect-client"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "SRR_NUDGES__RETRY_SECONDS": "[]"}
    serving = None
    try:
        srr_command(env, "init")
        srr_command(env, "contracts", "add", examples / "contracts.yaml")
        srr_command(env, "realisations", "import", examples / "realisations.csv", "--reported-on",
                    date.today().isoformat())
        serving = subprocess.Popen([sys.executable, "-c", "from srr_engine.cli import main; main()", "serve"],
                                   env=env, stdout=open(tmp_path / "serve.log", "wb"), stderr=subprocess.STDOUT)

        def automations() -> list[dict]:
            response = httpx.post(f"{api}/automations/filter", json={})
            names = [a["name"] for a in response.json()] if response.status_code == 200 else []
            return [n for n in names if n.startswith("reassess-on-accepted-realisation")]

        wait_for(automations, 90, "srr serve to register the deployments and their triggers")
        time.sleep(3)  # let the triggers service load the new automation
        assert assessments_of(url, "RWS-2026-0042") == 0

        srr_command(env, "realisations", "review", "RWS-2026-0042", "--accept-all")
        assert srr_command(env, "events", "pending").strip() == "0"  # emitted right after the commit

        wait_for(lambda: assessments_of(url, "RWS-2026-0042"), 120, "the triggered reassessment")
        assert assessments_of(url, "DJI-2026-0007") == 0  # only the contract the event was about
    finally:
        if serving is not None:
            serving.terminate()
            serving.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)
        log = tmp_path / "serve.log"
        if log.exists():
            sys.stdout.write(log.read_text(errors="replace")[-3000:])
