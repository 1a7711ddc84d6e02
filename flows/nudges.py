"""Nudges: deliver the check-ins that are due, one digest per recipient (also on their own: the
weekly digest, and right after a contract fell behind)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, task

from flows.common import emit_events
from srr_engine.nudges import deliver
from srr_engine.settings import get_settings, local_now


@task(name="deliver-nudges")
def deliver_nudges(at: datetime) -> dict[str, Any]:
    """Send the digests that are due at `at` (local time); failures stay for the next run."""
    summary = deliver(at, get_settings())
    return {"digests_sent": summary.digests_sent, "digests_failed": summary.digests_failed,
            "checkins_sent": summary.checkins_sent,
            "held_back": summary.held_back.text(get_settings().language) if summary.held_back else None}


@flow(name="nudges")
def nudges_flow(at: datetime | None = None) -> dict[str, Any]:
    """Deliver what is due now (or at `at`, local time) and retry what failed before."""
    result = deliver_nudges(at or local_now())
    emit_events()
    return result
