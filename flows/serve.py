"""`srr serve`: serve every deployment in `prefect.yaml` (schedules and triggers) from one process.

`prefect.yaml` is the one place deployments are written down: `prefect deploy --all` reads it for
workers, and `srr serve` reads the same file. Schedules need a Prefect server; when `PREFECT_API_URL`
is unset, a local one is started with its own SQLite database under `SRR_HOME/prefect` (separate
from the engine's database).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILE = Path(__file__).resolve().parent.parent / "prefect.yaml"


def deployment_specs(path: Path = PROJECT_FILE) -> list[dict[str, Any]]:
    """The deployments written in `prefect.yaml`."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["deployments"])


def load_entrypoint(entrypoint: str) -> Any:
    """`flows/monitor.py:monitor_flow` -> the flow object (imported as a module, wherever we run)."""
    file, _, name = entrypoint.partition(":")
    return getattr(importlib.import_module(file.removesuffix(".py").replace("/", ".")), name)


def runner_deployments(specs: list[dict[str, Any]]) -> list[Any]:
    from prefect.events import DeploymentEventTrigger
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    deployments = []
    for spec in specs:
        flow = load_entrypoint(spec["entrypoint"])
        schedules = [Cron(s["cron"], timezone=s.get("timezone")) for s in spec.get("schedules") or []]
        triggers = [DeploymentEventTrigger(**{k: v for k, v in t.items() if k != "type"})
                    for t in spec.get("triggers") or []]
        deployments.append(flow.to_deployment(
            name=spec["name"], description=spec.get("description"), tags=spec.get("tags"),
            parameters=spec.get("parameters") or {}, schedules=schedules or None, triggers=triggers or None,
            entrypoint_type=EntrypointType.MODULE_PATH))
    return deployments


def start_local_server(port: int, home: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A Prefect server on 127.0.0.1 with its database under `home`; returns it and its API URL."""
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home),
           "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}"}
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}/api"
    wait_healthy(api, process)
    return process, api


def wait_healthy(api: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"Prefect server stopped (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"Prefect server at {api} did not answer within {timeout:.0f} s")


def serve_all(port: int) -> None:
    """Serve every deployment; start a local server first when none is configured."""
    from srr_engine.settings import get_settings

    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server, api = start_local_server(port, get_settings().home / "prefect")
        os.environ["PREFECT_API_URL"] = api
        print(f"Prefect UI: http://127.0.0.1:{port}  (server log: {get_settings().home / 'prefect' / 'server.log'})")
    from prefect import serve

    try:
        serve(*runner_deployments(deployment_specs()))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
