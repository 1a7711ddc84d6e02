"""`srr export ocds`: a contract as an OCDS 1.1 release, with the sustainability and otherRequirements
extensions and `contracts[].implementation.milestones` of type `reporting`.

The tender carries what each instrument's `tender()` says for OCDS. Milestones are (1) the check-ins
planned for the contract (answered `on_track`/`done`: met; `needs_help`/`behind`: partiallyMet; still
unanswered after the grace period: notMet; otherwise scheduled) and (2) each instrument's obligations,
the final report deadline (before the due date: scheduled, or met when already met; after it: met,
partiallyMet when something was realised, notMet when nothing was). Statuses are as of `as_of`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srr_engine.assess import ContractResult, assess_contracts, batches
from srr_engine.domain import Organisation, Phase
from srr_engine.errors import ContractError, Problem
from srr_engine.messages import msg
from srr_engine.registry import Registry
from srr_engine.status import Status
from srr_engine.storage import schema

EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_sustainability_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_otherRequirements_extension/master/extension.json",
]
ANSWER_STATUS = {"on_track": "met", "done": "met", "needs_help": "partiallyMet", "behind": "partiallyMet"}
AWARDED = (Phase.awarded, Phase.active, Phase.evaluating, Phase.closed)
TENDER_STATUS = {Phase.planned: "planned", Phase.tendering: "active"}
CONTRACT_STATUS = {Phase.awarded: "pending", Phase.closed: "terminated"}


@dataclass
class ExportOptions:
    as_of: date
    ocid_prefix: str = "ocds-srr"
    timezone: str = "Europe/Amsterdam"
    unanswered_days: int = 14
    published: datetime = field(default_factory=lambda: datetime.now(ZoneInfo("UTC")))


def releases(session: Session, registry: Registry, references: list[str] | None, options: ExportOptions,
             warnings: list[Problem]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(reference, release) for the named contracts, or for every contract, in batches."""
    query = select(schema.Contract).order_by(schema.Contract.id)
    if references:
        query = query.where(schema.Contract.reference.in_(references))
    for batch in batches(session, query, 500):
        ids = [s.id for s in batch]
        checkins = _checkins(session, ids)
        events = dict(session.execute(
            select(schema.Event.contract_id, func.max(schema.Event.id))
            .where(schema.Event.contract_id.in_(ids)).group_by(schema.Event.contract_id)).all())
        awarded = dict(session.execute(select(schema.Contract.id, schema.Contract.awarded_on)
                                       .where(schema.Contract.id.in_(ids))).all())
        for result in assess_contracts(session, registry, batch, options.as_of):
            cid = result.stored.id
            yield result.stored.contract.reference, _release(
                result, registry, checkins.get(cid, []), events.get(cid, 0), awarded.get(cid), options, warnings)


def package(items: list[dict[str, Any]], publisher: str, uri: str, published: datetime) -> dict[str, Any]:
    """A release package around releases."""
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": EXTENSIONS,
        "publishedDate": published.isoformat(timespec="seconds"),
        "publisher": {"name": publisher},
        "releases": items,
    }


def ocid_of(reference: str, prefix: str) -> tuple[str, str]:
    """(ocid, local id): a contract imported from OCDS keeps its ocid (`ocid` or `ocid/contract`)."""
    if reference.lower().startswith("ocds-"):
        ocid, _, local = reference.partition("/")
        return ocid, local or "1"
    return f"{prefix}-{reference}", "1"


def _checkins(session: Session, ids: list[int]) -> dict[int, list[schema.Checkin]]:
    found: dict[int, list[schema.Checkin]] = {}
    c = schema.Checkin
    for row in session.scalars(select(c).where(c.contract_id.in_(ids)).order_by(c.planned_on, c.id)):
        found.setdefault(row.contract_id, []).append(row)
    return found


def _release(result: ContractResult, registry: Registry, checkins: list[schema.Checkin], last_event: int,
             awarded_on: date | None, options: ExportOptions, warnings: list[Problem]) -> dict[str, Any]:
    contract = result.stored.contract
    tz = ZoneInfo(options.timezone)
    ocid, local = ocid_of(contract.reference, options.ocid_prefix)
    value = {"amount": _amount(contract.value_eur), "currency": "EUR"}
    period = {"startDate": _at(contract.start, tz), "endDate": _at(contract.end, tz, end=True)}
    items = [{"id": "1", "classification": {"scheme": "CPV", "id": contract.cpv}}]
    phase = Phase(contract.phase)
    tender: dict[str, Any] = {
        "id": contract.reference,
        "title": contract.title,
        "status": TENDER_STATUS.get(phase, "complete"),
        "mainProcurementCategory": "goods" if contract.category == "supplies" else str(contract.category),
        "items": items,
        "value": value,
        "contractPeriod": period,
    }
    for app in result.stored.applications:
        instrument = registry.instruments.get(app.kind)
        if instrument is None:
            continue
        try:
            output = instrument.tender(contract, instrument.config_model.model_validate(app.config))
        except (ContractError, ValueError) as exc:
            warnings.append(Problem(f"{contract.reference}, {app.kind}", msg(
                f"geen OCDS-velden: {exc}", f"no OCDS fields: {exc}")))
            continue
        _merge(tender, output.ocds)
    if tender.get("sustainability"):
        tender["hasSustainability"] = True
    parties = {}
    buyer = _party(contract.buyer, "buyer")
    parties[buyer["id"]] = buyer
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{local}-{options.as_of:%Y%m%d}-e{last_event}".replace("#", "-"),
        "date": options.published.isoformat(timespec="seconds"),
        "tag": ["tender"] if phase not in AWARDED else ["award", "contract"] if phase == Phase.awarded
        else ["contract", "implementation"],
        "initiationType": "tender",
        "language": "nl",
        "parties": [],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": tender,
    }
    if phase in AWARDED and contract.supplier is not None:
        supplier = _party(contract.supplier, "supplier")
        parties.setdefault(supplier["id"], {**supplier, "roles": []})["roles"] += ["supplier"]
        award: dict[str, Any] = {"id": local, "status": "active", "suppliers": [
            {"id": supplier["id"], "name": supplier["name"]}], "value": value, "contractPeriod": period}
        if awarded_on is not None:
            award["date"] = _at(awarded_on, tz)
        milestones = [_checkin_milestone(row, options, tz) for row in checkins]
        milestones += _obligation_milestones(result, registry, options, tz, warnings)
        release["awards"] = [award]
        release["contracts"] = [{
            "id": local, "awardID": local, "title": contract.title,
            "status": CONTRACT_STATUS.get(phase, "active"),
            "value": value, "period": period, "items": items,
            "implementation": {"milestones": milestones},
        }]
    release["parties"] = list(parties.values())
    return release


def _amount(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _at(day: date, tz: ZoneInfo, end: bool = False) -> str:
    return datetime.combine(day, time(23, 59, 59) if end else time(0), tzinfo=tz).isoformat()


def _party(org: Organisation, role: str) -> dict[str, Any]:
    if org.kvk:
        return {"id": f"NL-KVK-{org.kvk}", "name": org.name, "roles": [role],
                "identifier": {"scheme": "NL-KVK", "id": org.kvk, "legalName": org.name}}
    return {"id": "srr-" + (re.sub(r"[^a-z0-9]+", "-", org.name.lower()).strip("-") or "org"), "name": org.name,
            "roles": [role]}


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    """Deep-merge instrument OCDS fields: objects merged, lists joined without repeats."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, list) and isinstance(into.get(key), list):
            into[key] += [v for v in value if v not in into[key]]
        else:
            into[key] = value


def _checkin_milestone(row: schema.Checkin, options: ExportOptions, tz: ZoneInfo) -> dict[str, Any]:
    answerable = row.expects_answer or row.answered_by_report
    due = row.planned_on + timedelta(days=options.unanswered_days) if answerable else row.planned_on
    milestone: dict[str, Any] = {
        "id": f"checkin-{row.id}",
        "title": row.message.get("nl") or row.rule,
        "type": "reporting",
        "code": row.rule,
        "dueDate": _at(due, tz, end=True),
    }
    if row.message.get("en"):
        milestone["title_en"] = row.message["en"]
    if row.answer is not None and row.answered_on is not None and row.answered_on <= options.as_of:
        milestone["status"] = ANSWER_STATUS.get(row.answer, "met")
        milestone["dateModified"] = _at(row.answered_on, tz)
        if milestone["status"] == "met":
            milestone["dateMet"] = _at(row.answered_on, tz)
    elif answerable:
        milestone["status"] = "notMet" if options.as_of > due else "scheduled"
    elif row.delivery == "sent":
        milestone["status"], milestone["dateMet"] = "met", _at(row.planned_on, tz)
    else:
        milestone["status"] = "scheduled"
    return milestone


def _obligation_milestones(result: ContractResult, registry: Registry, options: ExportOptions, tz: ZoneInfo,
                           warnings: list[Problem]) -> list[dict[str, Any]]:
    found = []
    for item in result.instruments:
        instrument = registry.instruments.get(item.application.kind)
        if instrument is None or item.config is None or item.assessment.status == Status.error:
            continue
        try:
            obligations = instrument.obligations(result.facts, item.config)
        except Exception as exc:  # noqa: BLE001 (a plugin's rule failing must not stop the export)
            warnings.append(Problem(f"{result.stored.contract.reference}, {item.application.kind}", msg(
                f"verplichtingen niet te bepalen ({type(exc).__name__})",
                f"obligations could not be determined ({type(exc).__name__})")))
            continue
        a = item.assessment
        for n, ob in enumerate(obligations, start=1):
            milestone: dict[str, Any] = {
                "id": f"{item.application.kind}-{item.application.id}-{n}",
                "title": f"Eindrapportage: {ob.description.nl}",
                "title_en": f"Final report: {ob.description.en}",
                "type": "reporting",
                "code": f"{item.application.kind}.obligation",
                "dueDate": _at(ob.due, tz, end=True),
                "status": _obligation_status(a.status, a.realised_eur, ob.due, options.as_of),
            }
            if ob.amount_eur is not None:
                realised = a.realised_eur or Decimal(0)
                milestone["description"] = (f"Verplichting EUR {ob.amount_eur:,.2f}; gerealiseerd EUR {realised:,.2f} "
                                            f"per {options.as_of}")
                milestone["description_en"] = (f"Obligation EUR {ob.amount_eur:,.2f}; realised EUR {realised:,.2f} "
                                               f"as of {options.as_of}")
            found.append(milestone)
    return found


def _obligation_status(status: Status, realised: Decimal | None, due: date, as_of: date) -> str:
    if status == Status.met:
        return "met"
    if as_of <= due:
        return "scheduled"
    if (realised or 0) > 0 or status in (Status.on_track, Status.at_risk, Status.behind):
        return "partiallyMet"
    return "notMet"
