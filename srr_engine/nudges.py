"""Delivering check-ins: one digest per recipient per run, through apprise, with retries.

Guarantee: **at least once, with an idempotency key**. A digest is claimed and committed (with its
key and a lease) before it is sent, and marked sent after; a crash in between leaves it claimed, and
once its lease runs out the next run sends it again with the same key (in the text, and as an
`Idempotency-Key` header to webhooks), so a receiver can drop the repeat. Planning cannot duplicate:
check-ins are unique per (contract, rule, role, period). A failed send stays visible (`srr nudges
list --failed`) and is retried by every following run.

Nudges go out on business days within the configured hours only, judged by the moment passed in
(`at`), so a simulated date behaves like a real one.
"""

from __future__ import annotations

import hashlib
import logging
import time as clock
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from srr_engine.events import EventType, event_row
from srr_engine.messages import Message, msg
from srr_engine.redact import redact_notify_url
from srr_engine.settings import NudgeSettings, Settings, config_dir
from srr_engine.storage import schema
from srr_engine.storage.db import unit_of_work

log = logging.getLogger(__name__)
HEADER_SCHEMES = ("json://", "jsons://", "form://", "forms://", "xml://", "xmls://")


@dataclass
class DeliverySummary:
    digests_sent: int = 0
    digests_failed: int = 0
    checkins_sent: int = 0
    held_back: Message | None = None
    errors: list[str] = field(default_factory=list)


def held_back(at: datetime, settings: NudgeSettings) -> Message | None:
    """Why no nudge may go out at `at` (local time): a weekend, a public holiday, outside hours."""
    import holidays

    day = at.date()
    if settings.business_days_only:
        if day.weekday() >= 5:
            return msg(f"{day} valt in het weekend", f"{day} is a weekend day")
        holiday = holidays.country_holidays(settings.holidays_country, years=day.year).get(day)
        if holiday:
            return msg(f"{day} is een feestdag ({holiday})", f"{day} is a public holiday ({holiday})")
    if not settings.send_from <= at.time() <= settings.send_until:
        return msg(f"buiten de verzendtijden ({settings.send_from:%H:%M}-{settings.send_until:%H:%M})",
                   f"outside sending hours ({settings.send_from:%H:%M}-{settings.send_until:%H:%M})")
    return None


@dataclass(frozen=True)
class Recipient:
    targets: tuple[str, ...]  # apprise URLs or tag:NAME; secrets, never logged whole
    language: str

    @property
    def key(self) -> str:
        return hashlib.sha256("\n".join(sorted(self.targets)).encode()).hexdigest()


def recipients(session: Session, pairs: set[tuple[int, str]], settings: Settings) -> dict[tuple[int, str], Recipient]:
    """Who receives each (contract, role): the contract's contact, else the organisation-wide default."""
    found = {(c.contract_id, c.role): c for ids in chunked(sorted({cid for cid, _ in pairs}))
             for c in session.scalars(select(schema.Contact).where(schema.Contact.contract_id.in_(ids)))}
    result = {}
    for pair in pairs:
        contact = found.get(pair)
        if contact is not None and contact.notify:
            result[pair] = Recipient(tuple(contact.notify), contact.language or settings.language)
        elif defaults := settings.nudges.defaults.get(pair[1]):
            result[pair] = Recipient(tuple(u.get_secret_value() for u in defaults), settings.language)
    return result


def chunked(ids: list[int], size: int = 900) -> Iterator[list[int]]:
    """Ids in slices small enough for one statement's bind parameters (a big portfolio has many)."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def claim(session: Session, settings: Settings, now: datetime) -> list[tuple[int, Recipient]]:
    """Group pending check-ins into one new digest per recipient, and take over failed digests and
    half-sent ones whose lease ran out. Committed before anything is sent."""
    c = schema.Checkin
    pending = session.execute(select(c.id, c.contract_id, c.role).where(c.delivery == "pending").order_by(c.id)).all()
    targets = recipients(session, {(cid, role) for _, cid, role in pending}, settings)
    groups: dict[Recipient, list[int]] = defaultdict(list)
    lonely = []
    for checkin_id, cid, role in pending:
        if recipient := targets.get((cid, role)):
            groups[recipient].append(checkin_id)
        else:
            lonely.append(checkin_id)
    for ids in chunked(lonely):
        session.execute(update(c).where(c.id.in_(ids), c.delivery == "pending").values(delivery="no_recipient"))
    lease = now + timedelta(seconds=settings.nudges.lease_seconds)
    claimed: list[tuple[int, Recipient]] = []
    for recipient, ids in groups.items():
        digest = schema.Digest(key=str(uuid.uuid4()), recipient=recipient.key, language=recipient.language,
                               status="sending", attempts=0, lease_until=lease, created_at=now)
        session.add(digest)
        session.flush()
        taken = sum(session.connection().execute(update(c).where(c.id.in_(part), c.delivery == "pending")
                                                 .values(delivery="queued", digest_id=digest.id)).rowcount
                    for part in chunked(ids))
        if taken != len(ids):  # another run got there first: leave this group to it
            raise RuntimeError("check-ins claimed by a concurrent delivery; retry")
        claimed.append((digest.id, recipient))
    d = schema.Digest
    retry = session.scalars(select(d).where(
        (d.status == "failed") | ((d.status == "sending") & (d.lease_until < now))).with_for_update(skip_locked=True))
    for digest in retry:
        first = session.execute(select(c.contract_id, c.role).where(c.digest_id == digest.id).limit(1)).first()
        recipient = recipients(session, {(first.contract_id, first.role)}, settings).get(
            (first.contract_id, first.role)) if first else None
        if recipient is not None:
            digest.status, digest.lease_until = "sending", lease
            claimed.append((digest.id, recipient))
    return claimed


def environment(settings: NudgeSettings) -> Any:
    """Jinja2's sandbox over the user's template folder (if any), then the shipped one."""
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    folders = ([settings.templates] if settings.templates else []) + [config_dir() / "templates"]
    return SandboxedEnvironment(loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
                                undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)


def render(digest: schema.Digest, items: list[schema.Checkin], settings: NudgeSettings) -> dict[str, str]:
    """Subject, plain text and HTML of a digest in its language."""
    env = environment(settings)
    ordered = sorted(items, key=lambda i: (-i.urgency, i.figures.get("reference", ""), i.id))
    context = {"items": ordered, "key": digest.key, "language": digest.language, "count": len(ordered),
               "contracts": len({i.contract_id for i in ordered})}
    folder = f"nudges/{digest.language}"
    text = env.get_template(f"{folder}/digest.txt.j2").render(context)
    env.autoescape = True
    html = env.get_template(f"{folder}/digest.html.j2").render(context)
    subject = env.get_template(f"{folder}/subject.txt.j2").render(context).strip()
    return {"subject": subject, "text": text, "html": html}


def outcome(result: Any) -> str:
    """`sent`, `failed` or `no_match` from apprise 1.x (`True`/`False`/`None` when no service matched
    a tag) and 2.x (`AppriseResult` with a status; NOMATCH is not a delivery failure)."""
    if result is None:
        return "no_match"
    if isinstance(result, bool):
        return "sent" if result else "failed"
    status = getattr(getattr(result, "status", None), "name", "")
    return {"SUCCESS": "sent", "NOMATCH": "no_match"}.get(status, "failed")


def with_key(target: str, key: str) -> str:
    """Webhook URLs carry the idempotency key as a header (apprise's `+Header=value` parameters)."""
    if not target.startswith(HEADER_SCHEMES):
        return target
    return f"{target}{'&' if '?' in target else '?'}+Idempotency-Key={key}"


def send(recipient: Recipient, content: dict[str, str], key: str, settings: NudgeSettings) -> str:
    """Send one digest to all of the recipient's targets; email gets HTML, the rest plain text."""
    import apprise

    results = []
    for html in (True, False):
        targets = [t for t in recipient.targets if t.startswith("mailto") == html and not t.startswith("tag:")]
        tags = [t.removeprefix("tag:") for t in recipient.targets if t.startswith("tag:")] if not html else []
        if not targets and not tags:
            continue
        sender = apprise.Apprise()
        for target in targets:
            sender.add(with_key(target, key))
        if tags and settings.apprise_config:
            config = apprise.AppriseConfig()
            config.add(str(settings.apprise_config))
            sender.add(config)
        body, fmt = (content["html"], apprise.NotifyFormat.HTML) if html else (content["text"], apprise.NotifyFormat.TEXT)
        results.append(outcome(sender.notify(title=content["subject"], body=body, body_format=fmt,
                                             tag=tags or apprise.common.MATCH_ALL_TAG)))
    if "failed" in results:
        return "failed"
    return "sent" if "sent" in results else "no_match"


def deliver_one(digest_id: int, recipient: Recipient, settings: Settings, engine: Engine | None) -> str:
    with unit_of_work(engine) as session:
        digest = session.get_one(schema.Digest, digest_id)
        items = list(session.scalars(select(schema.Checkin).where(schema.Checkin.digest_id == digest_id)))
        content = render(digest, items, settings.nudges)
        key = digest.key
    result, error, tries = "failed", "", 0
    for wait in [0.0, *settings.nudges.retry_seconds]:
        clock.sleep(wait)
        tries += 1
        try:
            result = send(recipient, content, key, settings.nudges)
        except Exception as exc:  # apprise raises rarely; count it as a failed try
            result, error = "failed", type(exc).__name__
        if result != "failed":
            break
    shown = ", ".join(redact_notify_url(t) if "://" in t else t for t in recipient.targets)
    with unit_of_work(engine) as session:
        digest = session.get_one(schema.Digest, digest_id)
        digest.attempts += tries
        now = datetime.now(UTC)
        c = schema.Checkin
        if result == "failed":
            digest.status, digest.last_error = "failed", f"niet afgeleverd aan / not delivered to {shown} {error}".strip()
            log.warning("digest %s not delivered to %s", digest.key, shown)
            return result
        digest.status, digest.sent_at, digest.last_error = "sent", now, None
        delivery = "sent" if result == "sent" else "no_recipient"
        session.execute(update(c).where(c.digest_id == digest_id).values(delivery=delivery))
        items = session.execute(select(c.id, c.contract_id, c.rule, c.role, c.figures).where(c.digest_id == digest_id))
        session.execute(schema.Event.__table__.insert(), [
            event_row(EventType.checkin_sent, "nudges", cid, figures.get("reference", ""),
                      {"checkin_id": i, "rule": rule, "role": role, "digest": digest.key}, now)
            for i, cid, rule, role, figures in items])
        return delivery


def deliver(at: datetime, settings: Settings, engine: Engine | None = None) -> DeliverySummary:
    """Send what is due, if `at` (local time) allows it; what cannot go now waits for the next run."""
    summary = DeliverySummary()
    if reason := held_back(at, settings.nudges):
        summary.held_back = reason
        return summary
    with unit_of_work(engine) as session:
        claimed = claim(session, settings, datetime.now(UTC))
    for digest_id, recipient in claimed:
        result = deliver_one(digest_id, recipient, settings, engine)
        if result == "failed":
            summary.digests_failed += 1
        else:
            summary.digests_sent += 1
    with unit_of_work(engine) as session:
        summary.checkins_sent = session.scalar(select(func.count()).select_from(schema.Checkin).where(
            schema.Checkin.digest_id.in_([d for d, _ in claimed]), schema.Checkin.delivery == "sent")) or 0
    return summary

