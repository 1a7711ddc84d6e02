"""Domain events: appended in the same transaction as the change they record (DESIGN rule 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from srr_engine.storage import schema


class EventType(StrEnum):
    contract_registered = "contract.registered"
    instrument_applied = "instrument.applied"
    realisation_reported = "realisation.reported"
    realisation_accepted = "realisation.accepted"
    realisation_rejected = "realisation.rejected"
    fact_recorded = "fact.recorded"
    leniency_granted = "leniency.granted"
    status_changed = "status.changed"
    phase_changed = "phase.changed"
    tender_published = "tender.published"
    contract_awarded = "contract.awarded"
    contract_ended = "contract.ended"
    evaluation_done = "evaluation.done"
    checkin_sent = "checkin.sent"
    checkin_answered = "checkin.answered"
    privacy_purged = "privacy.purged"
    operations_alert = "operations.alert"


def record_event(
    session: Session,
    type: EventType,
    actor: str,
    contract: schema.Contract | None = None,
    payload: dict[str, Any] | None = None,
) -> schema.Event:
    """Append an event to the session's transaction. The payload holds codes and figures only:
    never a candidate reference, a name or a notification URL."""
    event = schema.Event(
        occurred_at=datetime.now(UTC),
        type=str(type),
        contract_id=contract.id if contract else None,
        reference=contract.reference if contract else None,
        actor=actor,
        payload=payload or {},
    )
    session.add(event)
    return event


def event_row(
    type: EventType, actor: str, contract_id: int, reference: str, payload: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """An event as a row for a bulk insert (a sweep writes thousands in one statement)."""
    return {"occurred_at": at, "type": str(type), "contract_id": contract_id, "reference": reference,
            "actor": actor, "payload": payload}
