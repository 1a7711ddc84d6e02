"""Monitor: the portfolio sweep, one task per batch of contracts (never one per contract)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.common import emit_events
from flows.nudges import deliver_nudges
from srr_engine.emission import RelayInBackground, send_to_prefect
from srr_engine.registry import get_registry
from srr_engine.reports import sweep_tables
from srr_engine.settings import get_settings, local_now, local_today
from srr_engine.sweep import SweepSummary, batch_bounds, sweep_batch


@task(name="assess-batch", retries=2, retry_delay_seconds=[5, 30])
def assess_batch(bounds: tuple[int, int], as_of: date, references: list[str] | None) -> SweepSummary:
    """Assess one batch of contracts and store assessments and status changes (one transaction)."""
    return sweep_batch(bounds, as_of, get_registry(), references, actor="flow:monitor")


@flow(name="monitor")
def monitor_flow(
    as_of: date | None = None, references: list[str] | None = None, batch_size: int = 1000,
    deliver_at: datetime | None = None,
) -> dict[str, Any]:
    """Assess every active contract (or the named ones) as of a date (default today in the configured
    time zone), plan the check-ins due and deliver them (judged at `deliver_at`, default the as-of date
    at the current local time). Running it again for the same date changes nothing."""
    day = as_of or local_today()
    summary = SweepSummary(day)
    with RelayInBackground(send_to_prefect):  # Prefect takes each batch's events while the next is assessed
        for bounds in batch_bounds(day, batch_size, references):
            summary.merge(assess_batch(bounds, day, references))
        counts, attention = sweep_tables(summary, get_settings().language)
        create_table_artifact(counts, key="monitor-status-counts", description=f"Contracten per status, {day}")
        if attention:
            create_table_artifact(attention, key="monitor-attention", description=f"Eerst aandacht nodig, {day}")
        else:
            create_markdown_artifact(f"Geen contracten die aandacht vragen per {day}. / No contract needs attention.",
                                     key="monitor-attention")
        delivered = deliver_nudges(deliver_at or datetime.combine(day, local_now().time()))
    emit_events()
    return {"as_of": day.isoformat(), "contracts": summary.contracts, "statuses": dict(summary.statuses),
            "stored": summary.stored, "changes": summary.changes, "ended": summary.ended,
            "checkins": summary.checkins, "nudges": delivered}


@flow(name="reassess")
def reassess_flow(reference: str, as_of: date | None = None) -> dict[str, Any]:
    """Reassess one contract, e.g. when a realisation on it was accepted (an event trigger)."""
    return monitor_flow(as_of=as_of, references=[reference])
