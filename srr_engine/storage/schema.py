"""The database schema (SQLAlchemy 2, typed). Created and upgraded only by the Alembic migrations.

Money is stored as whole cents (BigInteger): exact on SQLite and PostgreSQL alike, and summed by the
database. Realisation values are stored once, as a daily rate over a counted window plus a lump sum,
so "realised as of D" is one SQL aggregate (see `srr_engine.valuation`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine


class JsonType(TypeDecorator[Any]):
    """JSON; JSONB on PostgreSQL. The PostgreSQL dialect is imported only when a PostgreSQL database
    is used, so commands on SQLite do not pay for loading it."""

    impl = JSON
    cache_ok = True
    should_evaluate_none = True  # as JSON(): None is stored as JSON null, not SQL NULL

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JsonType(), list[Any]: JsonType()}


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kvk: Mapped[str | None] = mapped_column(String(8))


class Contract(Base):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    cpv: Mapped[str] = mapped_column(String(10))
    value_cents: Mapped[int] = mapped_column(BigInteger)
    wage_sum_cents: Mapped[int | None] = mapped_column(BigInteger)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    phase: Mapped[str] = mapped_column(String(16), index=True)
    pilot: Mapped[bool] = mapped_column(Boolean, default=False)
    # Small contracts of one buyer and supplier pooled into one obligation share a bundle name.
    bundle: Mapped[str | None] = mapped_column(String(64), index=True)
    awarded_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("contract_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    # apprise URLs hold secrets: never print them whole (srr_engine.redact).
    notify: Mapped[list[Any]]
    language: Mapped[str | None] = mapped_column(String(2))


class InstrumentApplication(Base):
    """An instrument applied to a contract, with its validated config."""

    __tablename__ = "instrument_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    config: Mapped[dict[str, Any]]
    applied_in_phase: Mapped[str] = mapped_column(String(16))
    applied_on: Mapped[date] = mapped_column(Date)


class ImportBatch(Base):
    """One imported file (realisations), imported whole or not at all."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    rows: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Realisation(Base):
    """A realisation reported by a supplier; counts only once accepted by the buyer."""

    __tablename__ = "realisations"
    __table_args__ = (Index("ix_realisations_contract_status", "contract_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    line: Mapped[int | None] = mapped_column(Integer)
    # A pseudonym agreed with the supplier, never a name or a BSN.
    candidate: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    target_group: Mapped[str | None] = mapped_column(String(64))
    hours_per_week_centi: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    hours_centi: Mapped[int | None] = mapped_column(Integer)
    bonuses: Mapped[list[Any]]
    evidence: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    reported_on: Mapped[date] = mapped_column(Date)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_reason: Mapped[str | None] = mapped_column(Text)
    # The value, stored once: value in cents as of day D (a date ordinal) is
    # round_half_up(rate_num * days / RATE_DENOMINATOR) with days = the part of [win_start, win_end]
    # up to D, plus lump_cents once D >= lump_on.
    rate_num: Mapped[int] = mapped_column(BigInteger, default=0)
    win_start: Mapped[int | None] = mapped_column(Integer)
    win_end: Mapped[int | None] = mapped_column(Integer)
    lump_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    lump_on: Mapped[int | None] = mapped_column(Integer)
    employed_6m: Mapped[bool | None] = mapped_column(Boolean)
    employed_12m: Mapped[bool | None] = mapped_column(Boolean)


class Fact(Base):
    """Something recorded for an instrument on a contract (a session, a KPI count, new evidence...)."""

    __tablename__ = "facts"
    __table_args__ = (Index("ix_facts_contract_on", "contract_id", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("instrument_applications.id"))
    kind: Mapped[str] = mapped_column(String(64))
    on: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]]
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LeniencyDecision(Base):
    __tablename__ = "leniencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str | None] = mapped_column(String(64))
    percentage: Mapped[str | None] = mapped_column(String(16))
    until: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_on: Mapped[date] = mapped_column(Date)


class Assessment(Base):
    """Assessment history: one row per contract, instrument and as-of date (for trends)."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("application_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("instrument_applications.id", ondelete="CASCADE"))
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    obligation_cents: Mapped[int | None] = mapped_column(BigInteger)
    expected_cents: Mapped[int | None] = mapped_column(BigInteger)
    realised_cents: Mapped[int | None] = mapped_column(BigInteger)
    pending_cents: Mapped[int | None] = mapped_column(BigInteger)
    figures: Mapped[dict[str, Any]]
    reasons: Mapped[list[Any]]


class Evaluation(Base):
    """A contract's evaluation as of a date: every instrument's final figures, and who signed it off."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("contract_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    as_of: Mapped[date] = mapped_column(Date)
    results: Mapped[list[Any]]
    evaluated_by: Mapped[str] = mapped_column(String(100))
    signed_off_by: Mapped[str | None] = mapped_column(String(100))
    signed_off_on: Mapped[date | None] = mapped_column(Date)


class Checkin(Base):
    """A check-in due for one role on a contract: the nudge outbox.

    Written in the same transaction as the assessment that caused it. The unique key (contract, rule,
    role, period) is the idempotency key: re-runs and concurrent sweeps cannot plan it twice. It is
    delivered in a digest (one message per recipient per run) and may be answered.
    """

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("contract_id", "rule", "role", "period"),
        Index("ix_checkins_delivery", "delivery", "digest_id"),
        # A contract's check-ins by delivery and date: the sweep's "sent and still unanswered" per batch.
        # Leading with the contract, so SQLite uses it without statistics (it never runs ANALYZE).
        Index("ix_checkins_contract_delivery", "contract_id", "delivery", "planned_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(64))
    planned_on: Mapped[date] = mapped_column(Date)
    urgency: Mapped[int] = mapped_column(Integer)
    # {"nl": ..., "en": ...}: what is asked. Figures and codes only, never a candidate or a name.
    message: Mapped[dict[str, Any]]
    figures: Mapped[dict[str, Any]]
    expects_answer: Mapped[bool] = mapped_column(Boolean)
    # Answered by the next supplier report imported for the contract (the instrument says so).
    answered_by_report: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    delivery: Mapped[str] = mapped_column(String(16))  # pending | queued | sent | no_recipient
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id"))
    answer: Mapped[str | None] = mapped_column(String(32))
    answer_note: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_on: Mapped[date | None] = mapped_column(Date)


class Digest(Base):
    """One message to one recipient with the check-ins due for them, most urgent first.

    `key` travels in the message (and as an Idempotency-Key header to webhooks): a digest re-sent
    after a crash between sending and recording carries the same key, so a receiver can drop it.
    """

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    recipient: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the targets, not the targets
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), index=True)  # sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EventCursor(Base):
    """How far a relay (e.g. to Prefect) got through the event table: emission after commit."""

    __tablename__ = "event_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger)
    # Random per database: the ids emitted are derived from it, so two databases (or a database made
    # anew) never produce the same event ids.
    source: Mapped[str] = mapped_column(String(36))


class Event(Base):
    """Append-only domain events, written in the same transaction as the change they record.

    Payloads hold figures and codes, never personal data or notification URLs.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_contract_id", "contract_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    type: Mapped[str] = mapped_column(String(64), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    reference: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]]
