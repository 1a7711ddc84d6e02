"""Reading and writing contracts, their contacts and instrument applications."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from srr_engine import domain
from srr_engine.errors import UserError
from srr_engine.messages import msg
from srr_engine.storage import schema
from srr_engine.storage.db import core


@dataclass
class StoredApplication:
    id: int
    kind: str
    config: dict[str, Any]
    applied_on: date


@dataclass
class StoredContract:
    """A contract as stored: its id, the domain model and its instrument applications."""

    id: int
    contract: domain.Contract
    applications: list[StoredApplication] = field(default_factory=list)


def euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def organisation_id(session: Session, org: domain.Organisation) -> int:
    """The id of an organisation by name, created when new (its KvK number filled in when known)."""
    row = session.scalar(select(schema.Organisation).where(schema.Organisation.name == org.name))
    if row is None:
        row = schema.Organisation(name=org.name, kvk=org.kvk)
        session.add(row)
        session.flush()
    elif org.kvk and not row.kvk:
        row.kvk = org.kvk
    return row.id


def insert_contract(session: Session, contract: domain.Contract) -> schema.Contract:
    row = schema.Contract(
        reference=contract.reference,
        title=contract.title,
        buyer_id=organisation_id(session, contract.buyer),
        supplier_id=organisation_id(session, contract.supplier) if contract.supplier else None,
        category=str(contract.category),
        cpv=contract.cpv,
        value_cents=int(contract.value_eur * 100),
        wage_sum_cents=None if contract.wage_sum_eur is None else int(contract.wage_sum_eur * 100),
        start=contract.start,
        end=contract.end,
        phase=str(contract.phase),
        pilot=contract.pilot,
        bundle=contract.bundle,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    for role, contact in contract.contacts.items():
        session.add(
            schema.Contact(
                contract_id=row.id,
                role=str(role),
                name=contact.name,
                notify=[u.get_secret_value() for u in contact.notify],
                language=contact.language,
            )
        )
    return row


def insert_application(
    session: Session, contract: schema.Contract, kind: str, config: dict[str, Any], on: date
) -> schema.InstrumentApplication:
    row = schema.InstrumentApplication(
        contract_id=contract.id, kind=kind, config=config, applied_in_phase=contract.phase, applied_on=on
    )
    session.add(row)
    session.flush()
    return row


def existing_references(session: Session, references: list[str]) -> set[str]:
    rows = session.scalars(select(schema.Contract.reference).where(schema.Contract.reference.in_(references)))
    return set(rows)


def contract_row(session: Session, reference: str) -> schema.Contract | None:
    return session.scalar(select(schema.Contract).where(schema.Contract.reference == reference))


CONTRACT_COLUMNS = (
    schema.Contract.id, schema.Contract.reference, schema.Contract.title, schema.Contract.buyer_id,
    schema.Contract.supplier_id, schema.Contract.category, schema.Contract.cpv, schema.Contract.value_cents,
    schema.Contract.wage_sum_cents, schema.Contract.start, schema.Contract.end, schema.Contract.phase,
    schema.Contract.pilot, schema.Contract.bundle,
)


def load_contracts(session: Session, query: Select[tuple[schema.Contract]]) -> list[StoredContract]:
    """Contracts selected by `query`, with organisations, contacts and applications in three queries.

    Rows are read as plain tuples (no ORM object per row) and the domain models built without
    re-validation: everything stored was validated when it was written.
    """
    connection = core(session)
    rows = connection.execute(query.with_only_columns(*CONTRACT_COLUMNS)).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    org_ids = {r.buyer_id for r in rows} | {r.supplier_id for r in rows if r.supplier_id}
    o = schema.Organisation
    orgs = {oid: domain.Organisation.model_construct(name=name, kvk=kvk)
            for oid, name, kvk in connection.execute(select(o.id, o.name, o.kvk).where(o.id.in_(org_ids)))}
    c = schema.Contact
    contacts: dict[int, list[Any]] = {}
    for contact in connection.execute(
        select(c.contract_id, c.role, c.name, c.notify, c.language).where(c.contract_id.in_(ids))
        .order_by(c.contract_id, c.role)
    ):
        contacts.setdefault(contact.contract_id, []).append(contact)
    a = schema.InstrumentApplication
    apps: dict[int, list[StoredApplication]] = {}
    for app in connection.execute(
        select(a.id, a.contract_id, a.kind, a.config, a.applied_on).where(a.contract_id.in_(ids)).order_by(a.id)
    ):
        apps.setdefault(app.contract_id, []).append(StoredApplication(app.id, app.kind, app.config, app.applied_on))
    return [
        StoredContract(r.id, to_domain(r, orgs, contacts.get(r.id, []), apps.get(r.id, [])), apps.get(r.id, []))
        for r in rows
    ]


def to_domain(
    row: Any,
    orgs: dict[int, domain.Organisation],
    contacts: list[Any],
    apps: list[StoredApplication],
) -> domain.Contract:
    """The domain model of a stored contract row (a `schema.Contract` or a row with its columns); the
    contracts of a batch share one model per organisation."""
    return domain.Contract.model_construct(
        reference=row.reference,
        title=row.title,
        buyer=orgs[row.buyer_id],
        category=domain.Category(row.category),
        cpv=row.cpv,
        value_eur=euros(row.value_cents),
        wage_sum_eur=euros(row.wage_sum_cents),
        start=row.start,
        end=row.end,
        phase=domain.Phase(row.phase),
        pilot=row.pilot,
        bundle=row.bundle,
        supplier=None if row.supplier_id is None else orgs[row.supplier_id],
        contacts={
            domain.Role(c.role): domain.Contact.model_construct(
                name=c.name, notify=[SecretStr(u) for u in c.notify], language=c.language)
            for c in contacts
        },
        instruments=[
            domain.InstrumentSpec.model_construct({"kind", *a.config}, **{"kind": a.kind, **a.config}) for a in apps
        ],
    )


def bundle_members(session: Session, bundles: set[str]) -> dict[str, list[domain.Contract]]:
    """The stored contracts of each named bundle."""
    if not bundles:
        return {}
    found: dict[str, list[domain.Contract]] = {}
    for stored in load_contracts(session, select(schema.Contract).where(schema.Contract.bundle.in_(bundles))):
        found.setdefault(stored.contract.bundle or "", []).append(stored.contract)
    return found


def get_contract(session: Session, reference: str) -> StoredContract | None:
    found = load_contracts(session, select(schema.Contract).where(schema.Contract.reference == reference))
    return found[0] if found else None


def require_contract(session: Session, reference: str) -> StoredContract:
    """The stored contract, or a clear error when the reference is unknown."""
    stored = get_contract(session, reference)
    if stored is None:
        raise UserError(msg(f"contract {reference} bestaat niet (zie `srr contracts list`)",
                            f"contract {reference} does not exist (see `srr contracts list`)"))
    return stored


def contracts_query(
    phase: str | None = None, buyer: str | None = None, supplier: str | None = None
) -> Select[tuple[schema.Contract]]:
    """Contracts filtered by phase and by (part of) the buyer's or supplier's name, by reference."""
    buyer_org = aliased(schema.Organisation)
    supplier_org = aliased(schema.Organisation)
    query = select(schema.Contract).order_by(schema.Contract.reference)
    if phase:
        query = query.where(schema.Contract.phase == phase)
    if buyer:
        query = query.join(buyer_org, schema.Contract.buyer_id == buyer_org.id).where(
            buyer_org.name.ilike(f"%{buyer}%")
        )
    if supplier:
        query = query.join(supplier_org, schema.Contract.supplier_id == supplier_org.id).where(
            supplier_org.name.ilike(f"%{supplier}%")
        )
    return query
