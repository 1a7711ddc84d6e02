"""Privacy (AVG/GDPR): candidates are pseudonyms; real identifiers are refused or replaced by a keyed
hash; links to candidates are purged after the retention period; a subject access request is answered
from what is stored under a pseudonym.

Target-group membership can be health data (art. 9 GDPR): nothing here prints more than the pseudonym,
and events record counts only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, select, update

from srr_engine.errors import UserError
from srr_engine.events import EventType, record_event
from srr_engine.messages import msg
from srr_engine.storage import schema
from srr_engine.storage.db import unit_of_work

PSEUDONYM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
BSN_LIKE = re.compile(r"^\d{8,9}$")
_DURATION = re.compile(r"^(\d+)\s*([dwmy])$")
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def identifying(value: str) -> bool:
    """Whether a candidate reference looks like a real identifier (a BSN-like number, or a name with
    spaces or other characters a pseudonym does not have) rather than an agreed pseudonym."""
    return bool(BSN_LIKE.match(value)) or not PSEUDONYM.match(value)


def pseudonymise(value: str, key: str) -> str:
    """A stable pseudonym for an identifier: HMAC-SHA256 with the key from the settings. The same
    person gets the same pseudonym (so double counting is still caught); without the key it cannot
    be traced back."""
    digest = hmac.new(key.encode(), value.strip().lower().encode(), hashlib.sha256).hexdigest()
    return f"H-{digest[:16]}"


def parse_duration(text: str) -> timedelta:
    """`7y`, `18m`, `90d`, `6w` -> a timedelta (a month counts 30 days, a year 365)."""
    found = _DURATION.match(text.strip().lower())
    if not found:
        raise UserError(msg(f"{text!r} is geen duur; schrijf bijv. 7y, 18m, 90d of 6w",
                            f"{text!r} is not a duration; write e.g. 7y, 18m, 90d or 6w"))
    return timedelta(days=int(found.group(1)) * _DAYS[found.group(2)])


@dataclass
class PurgeResult:
    realisations: int
    before: date


def purge(older_than: timedelta, as_of: date, actor: str, engine: Engine | None = None) -> PurgeResult:
    """Remove the link to the candidate from realisations that ended before `as_of - older_than`.
    Their values stay, so every total and report stays the same."""
    before = as_of - older_than
    r = schema.Realisation
    with unit_of_work(engine) as session:
        done = session.connection().execute(
            update(r).where(r.end < before, r.candidate.is_not(None)).values(candidate=None)).rowcount or 0
        record_event(session, EventType.privacy_purged, actor, None,
                     {"realisations": done, "ended_before": before.isoformat()})
    return PurgeResult(done, before)


def subject_access(pseudonym: str, engine: Engine | None = None) -> list[dict[str, Any]]:
    """Everything stored under a pseudonym: contract, kind, target group, period, status and review."""
    r = schema.Realisation
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(schema.Contract.reference, r.kind, r.target_group, r.hours_per_week_centi, r.start, r.end,
                   r.bonuses, r.status, r.reported_on, r.reviewed_at, r.review_reason, r.employed_6m, r.employed_12m)
            .join(schema.Contract).where(r.candidate == pseudonym).order_by(r.start))
        found = [{"contract": ref, "kind": kind, "target_group": group,
                  "hours_per_week": None if hours is None else hours / 100, "start": start.isoformat(),
                  "end": end.isoformat(), "bonuses": bonuses, "status": status, "reported_on": reported.isoformat(),
                  "reviewed_at": reviewed.isoformat() if reviewed else None, "review_reason": reason,
                  "employed_6m": e6, "employed_12m": e12}
                 for ref, kind, group, hours, start, end, bonuses, status, reported, reviewed, reason, e6, e12 in rows]
    return found
