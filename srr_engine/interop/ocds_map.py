"""From a compiled OCDS release to contract records as a contract file has them, plus instruments.

One process becomes one contract per OCDS contract (or per award when there are no contracts, or one
for the tender when there is neither). Buyer, supplier, value, period and CPV come from the most
specific place that has them (contract, award, lot, tender). Instruments come from the import rules
(`config/ocds/import-rules.yaml`): reserved participation and sustainability entries with social goals.
What cannot be mapped is said in plain words, per contract; nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from srr_engine.errors import Problem, UserError, problems_from_validation
from srr_engine.messages import Message, msg

CATEGORIES = {"goods": "supplies", "works": "works", "services": "services"}
ENDED = {"cancelled", "unsuccessful", "withdrawn", "terminated"}
TITLE_MAX = 300
_CPV = re.compile(r"^(\d{8})(?:\.0+)?(-\d)?$")
_KVK = re.compile(r"^\d{8}$")


class SustainabilityMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strategy: str | None = None
    goal: str | None = None


class ImportRule(BaseModel):
    """One rule: an OCDS signal and the instrument (kind plus config) it becomes."""

    model_config = ConfigDict(extra="forbid")

    reserved_participation: list[str] | None = None
    sustainability: SustainabilityMatch | None = None
    instrument: dict[str, Any]
    assumed: list[str] = Field(default_factory=list)

    @field_validator("reserved_participation", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_signal(self) -> ImportRule:
        if (self.reserved_participation is None) == (self.sustainability is None):
            raise ValueError("give exactly one of reserved_participation and sustainability")
        if not isinstance(self.instrument.get("kind"), str):
            raise ValueError("instrument needs a kind")
        return self

    def matches(self, signal: Signal) -> bool:
        if self.reserved_participation is not None:
            return signal.field == "reservedParticipation" and signal.code in self.reserved_participation
        rule = self.sustainability
        assert rule is not None
        return (signal.field == "sustainability" and (rule.strategy is None or rule.strategy == signal.code)
                and (rule.goal is None or _goal_within(signal.goal, rule.goal)))


class ImportRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[ImportRule]


def load_rules(path: Path | None = None) -> list[ImportRule]:
    """The import rules from `path`, or the defaults in `config/ocds/import-rules.yaml`."""
    import yaml

    from srr_engine.settings import config_dir

    path = path or config_dir() / "ocds" / "import-rules.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError([Problem(str(path), msg(f"kan niet lezen: {exc.strerror}", f"cannot read: {exc.strerror}"))])
    except yaml.YAMLError as exc:
        raise UserError([Problem(str(path), msg(f"geen geldige YAML: {exc}", f"not valid YAML: {exc}"))]) from None
    try:
        return ImportRules.model_validate(data).rules
    except ValidationError as exc:
        raise UserError(problems_from_validation(exc, str(path))) from None


def _goal_within(goal: str | None, wanted: str) -> bool:
    return goal is not None and (goal == wanted or goal.startswith(wanted + "."))


@dataclass(frozen=True)
class Signal:
    """Something the data says about social procurement, and where."""

    field: str  # reservedParticipation | sustainability
    code: str | None  # the reserved-participation code, or the sustainability strategy
    goal: str | None
    where: str  # tender, or lot LOT-0001

    @property
    def social(self) -> bool:
        return (self.field == "reservedParticipation" or self.code == "reservedParticipation"
                or _goal_within(self.goal, "social"))

    def text(self) -> str:
        if self.field == "reservedParticipation":
            return f"{self.where}.otherRequirements.reservedParticipation = {self.code}"
        return f"{self.where}.sustainability: {self.code or '-'} ({self.goal or '-'})"


@dataclass
class MappedInstrument:
    spec: dict[str, Any]
    signal: Signal
    assumed: list[str]

    @property
    def kind(self) -> str:
        return str(self.spec["kind"])


@dataclass
class MappedContract:
    """One contract a process becomes: the record a contract file would hold, and what it left out."""

    ocid: str
    reference: str
    record: dict[str, Any]
    instruments: list[MappedInstrument] = field(default_factory=list)
    awarded_on: date | None = None
    notes: list[Message] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)
    skipped: Message | None = None

    @property
    def supplier(self) -> str | None:
        supplier = self.record.get("supplier")
        return supplier["name"] if supplier else None


def map_process(ocid: str, release: dict[str, Any], rules: list[ImportRule]) -> list[MappedContract]:
    """The contracts of one process (see the module docstring)."""
    tender = _dict(release.get("tender"))
    awards = {str(a.get("id")): a for a in _dicts(release.get("awards"))}
    units: list[tuple[str, dict[str, Any], dict[str, Any]]] = []  # (unit id, contract, award)
    contracts = _dicts(release.get("contracts"))
    if contracts:
        units = [(str(c.get("id", n)), c, awards.get(str(c.get("awardID")), {})) for n, c in enumerate(contracts, 1)]
    elif awards:
        units = [(key, {}, award) for key, award in awards.items()]
    else:
        units = [("tender", {}, {})]
    single = len(units) == 1
    return [_map_unit(ocid, release, tender, unit_id, contract, award, single, rules)
            for unit_id, contract, award in units]


def _map_unit(ocid: str, release: dict[str, Any], tender: dict[str, Any], unit_id: str, contract: dict[str, Any],
              award: dict[str, Any], single: bool, rules: list[ImportRule]) -> MappedContract:
    reference = ocid if single else f"{ocid}/{unit_id}"
    mapped = MappedContract(ocid, reference, {"reference": reference})
    lots = _related_lots(tender, contract, award)
    status = contract.get("status") or award.get("status") or (None if award else tender.get("status"))
    if status in ENDED:
        mapped.skipped = msg(f"status {status}: er loopt (nog) geen contract om te volgen",
                             f"status {status}: there is no running contract to follow")
        return mapped
    parties = {str(p.get("id")): p for p in _dicts(release.get("parties"))}
    record = mapped.record
    record["title"] = _title(mapped, [lots[0].get("title") if len(lots) == 1 and not single else None,
                                      tender.get("title"), contract.get("title"), award.get("title"), ocid])
    buyer = _organisation(_dict(release.get("buyer")), parties) or _party_with_role(parties, "buyer") \
        or _organisation(_dict(tender.get("procuringEntity")), parties)
    if buyer:
        record["buyer"] = buyer
    else:
        mapped.problems.append(msg("geen opdrachtgever (buyer) gevonden", "no buyer found"))
    found = (_organisation(o, parties) for o in _dicts(contract.get("suppliers")) or _dicts(award.get("suppliers")))
    # by name: releases merged without organisation ids repeat the same supplier
    suppliers = list({s["name"]: s for s in found if s}.values())
    if suppliers:
        record["supplier"] = suppliers[0]
        if len(suppliers) > 1:
            mapped.notes.append(msg(
                f"{len(suppliers)} leveranciers (combinatie); alleen {suppliers[0]['name']} is vastgelegd",
                f"{len(suppliers)} suppliers (a consortium); only {suppliers[0]['name']} is recorded"))
        pending = "pending" in (contract.get("status"), award.get("status"))
        record["phase"] = "awarded" if pending else "active"
        mapped.awarded_on = _date(award.get("date")) or _date(contract.get("dateSigned"))
    else:
        record["phase"] = "tendering" if tender.get("status") in ("active", "complete") else "planned"
    lot = lots[0] if len(lots) == 1 else {}
    whole = tender if single else {}
    _value(mapped, [contract.get("value"), award.get("value"), lot.get("value"), whole.get("value")])
    _period(mapped, [contract.get("period"), award.get("contractPeriod"), lot.get("contractPeriod"),
                     whole.get("contractPeriod")])
    _cpv_and_category(mapped, tender, lots, contract, award, single)
    _instruments(mapped, tender, lots, rules)
    return mapped


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _related_lots(tender: dict[str, Any], contract: dict[str, Any], award: dict[str, Any]) -> list[dict[str, Any]]:
    lots = {str(lot.get("id")): lot for lot in _dicts(tender.get("lots"))}
    ids = [str(i) for i in award.get("relatedLots") or [] if str(i) in lots]
    ids += [str(i["relatedLot"]) for i in _dicts(contract.get("items")) + _dicts(award.get("items"))
            if str(i.get("relatedLot")) in lots and str(i["relatedLot"]) not in ids]
    if not ids and len(lots) == 1:
        ids = list(lots)
    return [lots[i] for i in ids]


def _title(mapped: MappedContract, options: list[Any]) -> str:
    title = next((str(t).strip() for t in options if isinstance(t, str) and t.strip()), mapped.ocid)
    if len(title) > TITLE_MAX:
        mapped.notes.append(msg(f"titel ingekort tot {TITLE_MAX} tekens", f"title shortened to {TITLE_MAX} characters"))
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    return title


def _organisation(ref: dict[str, Any], parties: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """An organisation reference (or party) as the engine stores it: name, and the KvK number if given."""
    party = parties.get(str(ref.get("id")), {}) if ref.get("id") is not None else {}
    name = ref.get("name") or party.get("name") or _dict(ref.get("identifier")).get("legalName")
    if not isinstance(name, str) or not name.strip():
        return None
    found: dict[str, Any] = {"name": name.strip()[:200]}
    identifiers = [_dict(ref.get("identifier")), _dict(party.get("identifier"))]
    identifiers += _dicts(ref.get("additionalIdentifiers")) + _dicts(party.get("additionalIdentifiers"))
    for identifier in identifiers:
        number = str(identifier.get("id", "")).strip()
        if str(identifier.get("scheme", "")).upper() == "NL-KVK" and _KVK.match(number):
            found["kvk"] = number
            break
    return found


def _party_with_role(parties: dict[str, dict[str, Any]], role: str) -> dict[str, Any] | None:
    party = next((p for p in parties.values() if role in (p.get("roles") or [])), None)
    return _organisation(party, parties) if party else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _value(mapped: MappedContract, options: list[Any]) -> None:
    values = [v for v in options if isinstance(v, dict) and v.get("amount") is not None]
    if not values:
        mapped.problems.append(msg("geen waarde (value.amount) bij contract, gunning, perceel of aanbesteding",
                                   "no value (value.amount) on the contract, award, lot or tender"))
        return
    value = values[0]
    currency = str(value.get("currency") or "").upper()
    if currency != "EUR":
        mapped.problems.append(msg(f"de waarde is in {currency or 'een onbekende munt'}, niet in EUR; de engine "
                                   "rekent in euro's en rekent niet om",
                                   f"the value is in {currency or 'an unknown currency'}, not EUR; the engine "
                                   "works in euros and does not convert"))
        return
    try:
        amount = Decimal(str(value["amount"])).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        mapped.problems.append(msg(f"waarde {value['amount']!r} is geen bedrag", f"value {value['amount']!r} is not an amount"))
        return
    mapped.record["value_eur"] = str(amount)


def _period(mapped: MappedContract, options: list[Any]) -> None:
    for period in (p for p in options if isinstance(p, dict)):
        start = _date(period.get("startDate"))
        end = _date(period.get("endDate"))
        days = period.get("durationInDays")
        if start and end is None and isinstance(days, int) and days > 0:
            end = start + timedelta(days=days - 1)
        if start and end is None and _date(period.get("maxExtentDate")):
            end = _date(period.get("maxExtentDate"))
            mapped.notes.append(msg("einddatum is de uiterste datum (maxExtentDate) van de looptijd",
                                    "the end date is the period's maximum extent (maxExtentDate)"))
        if start and end:
            mapped.record["start"], mapped.record["end"] = start.isoformat(), end.isoformat()
            return
    mapped.problems.append(msg("geen looptijd met begin- en einddatum (period / contractPeriod)",
                               "no period with a start and end date (period / contractPeriod)"))


def _cpv_and_category(mapped: MappedContract, tender: dict[str, Any], lots: list[dict[str, Any]],
                      contract: dict[str, Any], award: dict[str, Any], single: bool) -> None:
    lot_ids = {str(lot.get("id")) for lot in lots}
    tender_items = _dicts(tender.get("items"))
    item_lists = [_dicts(contract.get("items")), _dicts(award.get("items")),
                  [i for i in tender_items if str(i.get("relatedLot")) in lot_ids]]
    if single or not lot_ids:
        item_lists.append(tender_items)
    classifications = [c for items in item_lists for i in items
                       for c in [_dict(i.get("classification")), *_dicts(i.get("additionalClassifications"))]]
    classifications += [_dict(tender.get("classification"))]
    cpv = next((m.group(1) + (m.group(2) or "") for c in classifications
                if str(c.get("scheme", "")).upper() == "CPV" and (m := _CPV.match(str(c.get("id", "")).strip()))), None)
    if cpv is None:
        schemes = sorted({str(c.get("scheme") or c.get("schema")) for c in classifications if c} - {"None"})
        hint = msg(f" (wel: {', '.join(schemes)})", f" (found: {', '.join(schemes)})") if schemes else msg("", "")
        mapped.problems.append(msg(f"geen CPV-code in de items{hint.nl}", f"no CPV code in the items{hint.en}"))
    else:
        mapped.record["cpv"] = cpv
    category = CATEGORIES.get(str(tender.get("mainProcurementCategory")))
    if category is None and cpv:
        division = int(cpv[:2])
        category = "works" if division == 45 else "supplies" if division < 45 or division == 48 else "services"
        mapped.notes.append(msg(f"soort opdracht ({category}) afgeleid uit de CPV-code",
                                f"category ({category}) derived from the CPV code"))
    if category:
        mapped.record["category"] = category
    elif cpv is not None:
        mapped.problems.append(msg("geen soort opdracht (mainProcurementCategory)", "no mainProcurementCategory"))


def signals(tender: dict[str, Any], lots: list[dict[str, Any]]) -> list[Signal]:
    """What the tender and the contract's lots say about reservation and sustainability."""
    found: list[Signal] = []
    for where, holder in [("tender", tender)] + [(f"lot {lot.get('id')}", lot) for lot in lots]:
        codes = _dict(holder.get("otherRequirements")).get("reservedParticipation")
        for code in codes if isinstance(codes, list) else []:
            found.append(Signal("reservedParticipation", str(code), None, where))
        for entry in _dicts(holder.get("sustainability")):
            goal = entry.get("goal") if isinstance(entry.get("goal"), str) else None
            strategies = entry.get("strategies") if isinstance(entry.get("strategies"), list) else []
            for strategy in strategies or [None]:
                found.append(Signal("sustainability", strategy if isinstance(strategy, str) else None, goal, where))
    return list(dict.fromkeys(found))


def _instruments(mapped: MappedContract, tender: dict[str, Any], lots: list[dict[str, Any]],
                 rules: list[ImportRule]) -> None:
    for signal in signals(tender, lots):
        rule = next((r for r in rules if r.matches(signal)), None)
        if rule is None:
            if signal.social:
                mapped.notes.append(msg(f"niet vertaald naar een instrument: {signal.text()} (geen importregel)",
                                        f"not mapped to an instrument: {signal.text()} (no import rule)"))
            continue
        kind = rule.instrument["kind"]
        if any(i.kind == kind for i in mapped.instruments):
            continue
        mapped.instruments.append(MappedInstrument(dict(rule.instrument), signal, list(rule.assumed)))
