"""Events reach Prefect after commit, once each, and wait in the outbox while Prefect is down."""

from __future__ import annotations

import time

import uuid

import httpx
import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import select

from srr_engine.emission import NAMESPACE, pending, relay_to_prefect
from srr_engine.storage import schema
from srr_engine.storage.db import get_engine, unit_of_work


def our_ids() -> set[str]:
    """The Prefect ids of this database's events (other tests' databases share the Prefect server)."""
    with unit_of_work(get_engine()) as session:
        source = session.get_one(schema.EventCursor, "prefect").source
        ids = session.scalars(select(schema.Event.id))
        return {str(uuid.uuid5(NAMESPACE, f"{source}:{i}")) for i in ids}


def prefect_events(reference: str, expected: int) -> list[dict]:
    """This database's events for a contract as Prefect stored them (persisted asynchronously)."""
    deadline = time.monotonic() + 30
    found: list[dict] = []
    while time.monotonic() < deadline:
        response = httpx.post(f"{PREFECT_API_URL.value()}/events/filter", json={
            "filter": {"resource": {"id": [f"srr.contract.{reference}"]}, "any_resource": None,
                       "occurred": {"since": "2000-01-01T00:00:00Z"}}, "limit": 50})
        response.raise_for_status()
        found = [e for e in response.json()["events"] if e["id"] in our_ids()]
        if len(found) >= expected:
            break
        time.sleep(0.5)
    return found


def test_prefect_down_then_up_emits_each_event_once(srr_sqlite, examples):
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    waiting = pending()
    assert waiting == 5  # two contracts registered, three instruments applied

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):  # nothing listens on port 9
        with pytest.raises(Exception):
            relay_to_prefect()
    assert pending() == waiting  # nothing lost, nothing marked as sent

    assert relay_to_prefect() == waiting
    assert pending() == 0
    first = prefect_events("RWS-2026-0042", 3)
    assert sorted(e["event"] for e in first) == ["srr.contract.registered", "srr.instrument.applied",
                                                 "srr.instrument.applied"]
    registered = next(e for e in first if e["event"] == "srr.contract.registered")
    roles = {r["prefect.resource.role"]: r["prefect.resource.id"] for r in registered["related"]}
    assert roles == {"buyer": "srr.organisation.rijkswaterstaat", "supplier": "srr.organisation.schoon-sociaal-bv"}

    # A crash between emitting and moving the cursor: the next relay emits the batch again, and
    # Prefect keeps each event once (the ids are derived from the engine's event ids).
    with unit_of_work(get_engine()) as session:
        session.get_one(schema.EventCursor, "prefect").last_event_id = 0
    assert relay_to_prefect() == waiting
    time.sleep(2)
    again = prefect_events("RWS-2026-0042", 3)
    assert sorted(e["id"] for e in again) == sorted(e["id"] for e in first)
