"""Assessment history: stored per contract, instrument and as-of date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srr_engine.status import SEVERITY, Status
from srr_engine.storage import schema
from srr_engine.storage.db import core


def latest_statuses(session: Session, contract_ids: list[int]) -> dict[int, str]:
    """Each contract's status at its latest stored assessment (the worst of its instruments)."""
    if not contract_ids:
        return {}
    latest = (
        select(schema.Assessment.contract_id, func.max(schema.Assessment.as_of).label("as_of"))
        .where(schema.Assessment.contract_id.in_(contract_ids))
        .group_by(schema.Assessment.contract_id)
        .subquery()
    )
    rows = core(session).execute(
        select(schema.Assessment.contract_id, schema.Assessment.status).join(
            latest,
            (schema.Assessment.contract_id == latest.c.contract_id) & (schema.Assessment.as_of == latest.c.as_of),
        )
    )
    result: dict[int, str] = {}
    for contract_id, status in rows:
        current = result.get(contract_id)
        if current is None or SEVERITY[Status(status)] > SEVERITY[Status(current)]:
            result[contract_id] = status
    return result


def assessments_on(session: Session, application_ids: list[int], as_of: date) -> dict[int, schema.Assessment]:
    """The stored assessments of these instrument applications for exactly `as_of`."""
    if not application_ids:
        return {}
    a = schema.Assessment
    rows = session.scalars(select(a).where(a.application_id.in_(application_ids), a.as_of == as_of))
    return {row.application_id: row for row in rows}


def statuses_before(session: Session, application_ids: list[int], as_of: date) -> dict[int, str]:
    """Each application's status at its latest assessment before `as_of` (what a change is measured from)."""
    if not application_ids:
        return {}
    a = schema.Assessment
    latest = (
        select(a.application_id, func.max(a.as_of).label("as_of"))
        .where(a.application_id.in_(application_ids), a.as_of < as_of)
        .group_by(a.application_id)
        .subquery()
    )
    rows = core(session).execute(
        select(a.application_id, a.status).join(
            latest, (a.application_id == latest.c.application_id) & (a.as_of == latest.c.as_of)
        )
    )
    return {application_id: status for application_id, status in rows}
