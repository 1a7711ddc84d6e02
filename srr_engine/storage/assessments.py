"""Assessment history: stored per contract, instrument and as-of date."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srr_engine.status import SEVERITY, Status
from srr_engine.storage import schema


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
    rows = session.execute(
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
