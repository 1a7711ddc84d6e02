"""What the flows share: the relay of events to Prefect, and where report files go."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prefect import get_run_logger, task

from srr_engine.emission import relay_to_prefect


@task(name="emit-events")
def emit_events() -> int:
    """Emit the events committed since the last relay (after commit: the event table is the outbox).
    If Prefect cannot take them now, the run still succeeds: the events wait for the next relay."""
    try:
        return relay_to_prefect()
    except Exception as exc:
        get_run_logger().warning("events wait for the next relay: Prefect did not take them (%s)", type(exc).__name__)
        return 0


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """For a flow run once from the command line: no heartbeat thread, which a synchronous run
    otherwise waits ~1 s for at exit. Served deployments keep them (they detect crashed runs)."""
    from prefect.context import SettingsContext, get_settings_context

    context = get_settings_context()
    settings = context.settings
    quiet = settings.model_copy(update={"flows": settings.flows.model_copy(update={"heartbeat_frequency": None})})
    with SettingsContext(profile=context.profile, settings=quiet):
        yield
