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

import logging
import multiprocessing
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import repeat
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from srr_engine.events import EventType, event_row
from srr_engine.messages import Message, msg
from srr_engine.redact import redact_notify_url
from srr_engine.sender import Attempt, Job, Recipient, send_digest
from srr_engine.settings import NudgeSettings, Settings
from srr_engine.storage import schema
from srr_engine.storage.db import core, unit_of_work

log = logging.getLogger(__name__)
RECORD_EVERY = 200  # digests whose outcome is committed together
PROCESSES_FROM = 100  # digests in a run from which sender processes pay off
SENDER_CHUNK = 20  # digests handed to a sender process at once


@dataclass
class DeliverySummary:
    digests_sent: int = 0
    digests_failed: int = 0
    checkins_sent: int = 0
    held_back: Message | None = None


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


def open_digests(session: Session, groups: dict[Recipient, list[int]], lease: datetime,
                 now: datetime) -> list[tuple[int, Recipient]]:
    """A new digest per recipient with its check-ins queued on it, in a few bulk statements; raises
    when another delivery queued any of them first (the transaction then changes nothing)."""
    if not groups:
        return []
    new = list(groups)
    digests, checkins = schema.Digest.__table__, schema.Checkin.__table__
    digest_ids = list(core(session).execute(insert(digests).returning(digests.c.id, sort_by_parameter_order=True), [
        {"key": str(uuid.uuid4()), "recipient": r.key, "language": r.language, "status": "sending",
         "attempts": 0, "lease_until": lease, "created_at": now} for r in new]).scalars())
    core(session).execute(
        update(checkins).where(checkins.c.id == bindparam("checkin"), checkins.c.delivery == "pending")
        .values(delivery="queued", digest_id=bindparam("digest")),
        [{"checkin": i, "digest": digest_id} for digest_id, r in zip(digest_ids, new) for i in groups[r]])
    queued = sum(session.scalar(select(func.count()).select_from(checkins).where(checkins.c.digest_id.in_(part))) or 0
                 for part in chunked(digest_ids))
    if queued != sum(len(ids) for ids in groups.values()):
        raise RuntimeError("check-ins claimed by a concurrent delivery; retry")
    return list(zip(digest_ids, new))


def claim(session: Session, settings: Settings, now: datetime) -> list[tuple[int, Recipient]]:
    """Group pending check-ins into one new digest per recipient, and take over failed digests and
    half-sent ones whose lease ran out. Committed before anything is sent. On PostgreSQL, check-ins
    another delivery is claiming right now are skipped (they are that delivery's); on SQLite, whose
    writers take turns, a delivery that finds its check-ins taken raises and changes nothing."""
    c, d = schema.Checkin, schema.Digest
    pending = session.execute(select(c.id, c.contract_id, c.role).where(c.delivery == "pending").order_by(c.id)
                              .with_for_update(skip_locked=True)).all()
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
    claimed = open_digests(session, groups, lease, now)
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


def jobs(part: list[tuple[int, Recipient]], session: Session) -> list[Job]:
    """What the sender needs for each claimed digest of `part` (two queries for the part)."""
    ids = [digest_id for digest_id, _ in part]
    digests = {row.id: row for row in session.execute(
        select(schema.Digest.id, schema.Digest.key, schema.Digest.language).where(schema.Digest.id.in_(ids)))}
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    c = schema.Checkin.__table__
    for row in core(session).execute(select(c).where(c.c.digest_id.in_(ids))):
        items[row.digest_id].append(dict(row._mapping))
    return [Job(i, recipient, digests[i].key, digests[i].language, items[i]) for i, recipient in part]


def record(attempts: list[Attempt], sent: dict[int, Job], session: Session, now: datetime) -> int:
    """Store what became of the digests (`sent`: the jobs they were sent as): sent ones with their
    check-ins and a `checkin.sent` event each, failed ones with the (redacted) reason, for the next run
    to retry. Returns how many check-ins went out."""
    digests, checkins, c = schema.Digest.__table__, schema.Checkin.__table__, schema.Checkin
    for a in attempts:
        if a.result == "failed":
            shown = ", ".join(redact_notify_url(t) if "://" in t else t for t in sent[a.digest_id].recipient.targets)
            a.error = f"niet afgeleverd aan / not delivered to {shown} {a.error}".strip()
            log.warning("digest %s not delivered to %s", a.digest_id, shown)
    connection = core(session)
    connection.execute(update(digests).where(digests.c.id == bindparam("digest")).values(
        status=bindparam("status"), attempts=digests.c.attempts + bindparam("tries"),
        sent_at=bindparam("sent_at"), last_error=bindparam("error")),
        [{"digest": a.digest_id, "status": "failed" if a.result == "failed" else "sent", "tries": a.tries,
          "sent_at": None if a.result == "failed" else now, "error": a.error or None} for a in attempts])
    checkins_sent = 0
    for result, delivery in (("sent", "sent"), ("no_match", "no_recipient")):
        ids = [a.digest_id for a in attempts if a.result == result]
        if not ids:
            continue
        connection.execute(update(checkins).where(checkins.c.digest_id.in_(ids)).values(delivery=delivery))
        items = connection.execute(select(c.id, c.contract_id, c.rule, c.role, c.figures, c.digest_id)
                                   .where(c.digest_id.in_(ids)).order_by(c.id)).all()
        if items:  # an empty executemany would be one INSERT of default values
            connection.execute(schema.Event.__table__.insert(), [
                event_row(EventType.checkin_sent, "nudges", cid, figures.get("reference", ""),
                          {"checkin_id": i, "rule": rule, "role": role, "digest": sent[digest_id].key}, now)
                for i, cid, rule, role, figures, digest_id in items])
        if result == "sent":
            checkins_sent = len(items)
    return checkins_sent


@contextmanager
def leases_kept(ids: list[int], lease_seconds: int, engine: Engine | None) -> Iterator[None]:
    """Renew the lease of the digests this run holds (those still `sending`) every third of the lease
    while it sends: a long run (slow or failing webhooks) would otherwise see another delivery take
    over digests it is still sending, and both would send them. The lease still ends a crashed run's
    hold, as it should."""
    stop = threading.Event()
    digests = schema.Digest.__table__

    def keep() -> None:
        while not stop.wait(lease_seconds / 3):
            until = datetime.now(UTC) + timedelta(seconds=lease_seconds)
            try:
                with unit_of_work(engine) as session:
                    for part in chunked(ids):
                        session.execute(update(digests).where(digests.c.id.in_(part), digests.c.status == "sending")
                                        .values(lease_until=until))
            except Exception as exc:  # the database busy: try again at the next third
                log.warning("digest leases not renewed: %s", type(exc).__name__)

    keeper = threading.Thread(target=keep, name="srr-leases", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()


def senders(digests: int, settings: NudgeSettings) -> Executor:
    """Sender processes for a big run (started fresh, never forked from a process that runs threads);
    a small run sends from this process, where starting them would cost more than it saves."""
    if digests < PROCESSES_FROM or settings.sender_processes < 2:
        return ThreadPoolExecutor(1, thread_name_prefix="nudge")
    return ProcessPoolExecutor(settings.sender_processes, mp_context=multiprocessing.get_context("spawn"))


def deliver(at: datetime, settings: Settings, engine: Engine | None = None) -> DeliverySummary:
    """Send what is due, if `at` (local time) allows it; what cannot go now waits for the next run.

    Claimed digests go to the senders `RECORD_EVERY` at a time, and what became of them is committed
    per part while the next part is being sent; a crash re-sends at most the parts in flight (with
    their keys) once the lease ends. While the run goes on it renews the lease of what it holds."""
    summary = DeliverySummary()
    if reason := held_back(at, settings.nudges):
        summary.held_back = reason
        return summary
    with unit_of_work(engine) as session:
        claimed = claim(session, settings, datetime.now(UTC))

    def finish(work: list[Job], results: Iterator[Attempt]) -> None:
        """Record the outcomes of a part; if a sender broke, those that came back before it."""
        attempts: list[Attempt] = []
        try:
            attempts.extend(results)
        finally:
            if attempts:
                with unit_of_work(engine) as session:
                    summary.checkins_sent += record(attempts, {j.digest_id: j for j in work}, session,
                                                    datetime.now(UTC))
                summary.digests_failed += sum(a.result == "failed" for a in attempts)
                summary.digests_sent += sum(a.result != "failed" for a in attempts)

    pool = senders(len(claimed), settings.nudges)
    with leases_kept([d for d, _ in claimed], settings.nudges.lease_seconds, engine):
        try:
            in_flight: tuple[list[Job], Iterator[Attempt]] | None = None
            for start in range(0, len(claimed), RECORD_EVERY):
                with unit_of_work(engine) as session:
                    work = jobs(claimed[start:start + RECORD_EVERY], session)
                sending = pool.map(send_digest, work, repeat(settings.nudges), chunksize=SENDER_CHUNK)
                if in_flight:
                    finish(*in_flight)
                in_flight = (work, sending)
            if in_flight:
                finish(*in_flight)
        finally:
            pool.shutdown(cancel_futures=True)
    return summary
