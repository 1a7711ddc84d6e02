"""A deterministic synthetic portfolio, written straight into the schema with bulk inserts.

`load(engine, n)` writes `n` active contracts in the shape the engine itself writes them (compare
`srr_engine.contracts.register_contracts`, `srr_engine.realisations`, `srr_engine.facts`): organisations,
contacts, instrument applications with configs as the instruments dump them (SROI tables pinned),
realisations valued once with `srr_engine.valuation.value_realisation` and stored as rate/window/lump,
imports per supplier report, facts (partnership sessions, KPI counts and finished actions, reservation
evidence, invoiced turnover), a few leniency decisions, and the events all of that records.

The mix: about 60 % SROI clause, 20 % partnership, 10 % reservation and 10 % combinations; an SROI
contract has 0-60 accepted realisations (mean about 20) plus some pending and rejected ones. Each
contract is drawn from its own seeded random generator, so contract `i` is the same whatever `n` or the
chunk size (but for which of the `n / 20` suppliers it has); a share is behind (contract values are chosen so that the realised value is a drawn
fraction of what is expected by now).

A sample of the generated contracts is checked with the engine's own registration check
(`srr_engine.contracts.check_contract`: the domain model and every instrument's config model), and the
configs it produces must equal the ones written.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, insert, select, text

from srr_engine.registry import Registry
from srr_engine.status import elapsed_days
from srr_engine.storage import schema
from srr_engine.valuation import StoredValue, ValuationTable, add_years, value_realisation

AS_OF = date(2027, 6, 14)  # a Monday: the date the portfolio is "now"
SEED = 2027
CHUNK = 1000
BUYERS = [f"Gemeente {n}" for n in (
    "Utrecht", "Amersfoort", "Zeist", "Nieuwegein", "Houten", "Enschede", "Hengelo", "Almelo", "Deventer",
    "Zwolle", "Apeldoorn", "Leiden", "Alphen aan den Rijn", "Katwijk", "Noordwijk", "Teylingen", "Oegstgeest",
    "Leiderdorp", "Kaag en Braassem", "Hillegom")] + [
    "Rijkswaterstaat", "Dienst Justitiele Inrichtingen", "Rijksvastgoedbedrijf", "Defensie", "Provincie Utrecht",
    "Provincie Overijssel", "Provincie Zuid-Holland", "Hoogheemraadschap Rijnland", "Waterschap Vechtstromen",
    "Politie Nederland"]
REGIONS = ("utrecht", "oost-nederland", "holland-rijnland")
CPV = {"works": ["45000000", "45233000", "45453000"], "services": ["90910000", "55520000", "77310000", "79710000"],
       "supplies": ["39830000", "30192000"]}
ART_77_CPV = ["85310000", "85320000"]
KPIS = ["learning_places", "banenafspraak_jobs", "internships", "bbl_places", "guest_lectures"]
MIX = [("sroi",), ("partnership",), ("reservation",), ("sroi", "partnership"), ("reservation", "partnership"),
       ("sroi", "reservation")]
MIX_WEIGHTS = [60, 20, 10, 6, 2, 2]
KIND = {"sroi": "sroi_clause", "partnership": "partnership", "reservation": "reservation"}


def moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


@dataclass
class Realisation:
    row: dict[str, Any]  # the columns, without id, contract and import
    value: StoredValue


@dataclass
class Report:
    """One supplier report (an import) of a contract, and how the buyer reviewed it."""

    on: date
    rows: list[Realisation] = field(default_factory=list)


@dataclass
class Draft:
    """One generated contract, before ids are given out."""

    index: int
    record: dict[str, Any]  # as a contract file writes it (instruments with their configs)
    buyer_id: int
    supplier_id: int
    awarded_on: date | None
    applied_on: dict[str, date]
    reports: list[Report] = field(default_factory=list)
    facts: list[tuple[str, date, dict[str, Any]]] = field(default_factory=list)
    leniencies: list[dict[str, Any]] = field(default_factory=list)


class Generator:
    """Draws contract `i` of the portfolio (deterministically) with the registry's valuation tables."""

    def __init__(self, registry: Registry, n: int, seed: int = SEED, as_of: date = AS_OF):
        self.registry, self.n, self.seed, self.as_of = registry, n, seed, as_of
        self.suppliers = max(10, n // 20)

    def draft(self, i: int) -> Draft:
        rng = random.Random(self.seed * 10_000_019 + i)
        bundle = f"BUNDEL-{i // 100:05d}" if i % 100 in (50, 51, 52) and i // 100 * 100 + 52 < self.n else None
        kinds = ("sroi",) if bundle else rng.choices(MIX, MIX_WEIGHTS)[0]
        group = random.Random(self.seed * 7 + i // 100) if bundle else rng
        buyer = group.randrange(len(BUYERS))
        supplier = int(group.random() * self.suppliers)  # one draw whatever the number of suppliers
        region = group.choice(REGIONS)
        start, end = self._term(rng)
        category = "services" if "reservation" in kinds or rng.random() < 0.55 else "works"
        cpv = rng.choice(CPV[category])
        record: dict[str, Any] = {
            "reference": f"BM-{i + 1:06d}", "title": f"Perceel {i + 1} {category} {BUYERS[buyer]}",
            "buyer": BUYERS[buyer], "category": category, "cpv": cpv, "start": start, "end": end, "phase": "active",
            "supplier": supplier_name(supplier), "bundle": bundle,
            "contacts": {"contract_manager": {"name": f"Contractmanager {buyer}-{i % 37}", "notify": []},
                         "supplier": {"name": f"Contactpersoon leverancier {supplier}", "notify": []}},
            "instruments": [],
        }
        if rng.random() < 0.3:
            record["contacts"]["escalation"] = {"name": f"Inkoopmanager {buyer}", "notify": []}
        draft = Draft(i, record, buyer + 1, len(BUYERS) + supplier + 1,
                      start - timedelta(days=rng.randint(14, 90)) if rng.random() < 0.3 else None, {})
        value_cents = rng.randint(250_000, 5_000_000) * 100
        if "reservation" in kinds:
            self._reservation(rng, draft, record, kinds)
        if "sroi" in kinds:
            value_cents = self._sroi(rng, draft, region)
        if "partnership" in kinds:
            self._partnership(rng, draft, route_1=len(kinds) > 1)
        record["value_eur"] = cents_text(value_cents)
        return draft

    def _term(self, rng: random.Random) -> tuple[date, date]:
        years = rng.choice([1, 2, 2, 3, 3, 4, 5])
        if rng.random() < 0.04:  # ended already, not yet evaluated
            end = self.as_of - timedelta(days=rng.randint(1, 120))
            return add_years(end + timedelta(days=1), -years), end
        start = self.as_of - timedelta(days=rng.randint(20, min(years * 365 - 20, 3 * 365)))
        return start, add_years(start, years) - timedelta(days=1)

    # --- SROI clause -------------------------------------------------------------------------------
    def _sroi(self, rng: random.Random, draft: Draft, region: str) -> int:
        record, as_of = draft.record, self.as_of
        start, end = record["start"], record["end"]
        table = self.registry.tables.valid_on(region, start)
        pct = Decimal(rng.choice(["2", "3", "4", "5", "5", "5", "6", "8", "10"]))
        base = "contract_value" if record["bundle"] else rng.choices(
            ["contract_value", "wage_sum", "invoiced_turnover"], [82, 12, 6])[0]
        config: dict[str, Any] = {"percentage": str(pct), "base": base, "valuation_table": region,
                                  "valuation_table_version": table.version}
        if rng.random() < 0.1:
            config["offered_percentage"] = str(pct + rng.randint(1, 3))
        elif rng.random() < 0.05:
            config["ramp"] = [str(pct), str(pct + 1), str(pct + 2)]
        record["instruments"].append({"kind": "sroi_clause", **config})
        draft.applied_on["sroi_clause"] = start
        plan = rng.choices(["on_track", "at_risk", "behind", "met", "none"], [56, 17, 12, 7, 8])[0]
        accepted = 0 if plan == "none" else max(1, min(60, int(rng.gammavariate(2.2, 10.6))))
        quiet = plan == "behind" and rng.random() < 0.4  # stopped reporting: "report overdue"
        last = min(as_of, end) - timedelta(days=rng.randint(100, 200) if quiet else 0)
        if last < start + timedelta(days=20):
            last = min(as_of, end)
        rounds = [d for j in range(1, 40) if (d := start + timedelta(days=91 * j)) <= last]
        if accepted and (not rounds or rounds[-1] < last - timedelta(days=60)):
            rounds.append(last - timedelta(days=rng.randint(0, 20)))
        draft.reports = [Report(d) for d in rounds]
        realised = 0
        if draft.reports:
            extra = (rng.randint(1, 3) if rng.random() < 0.3 else 0) + (rng.randint(1, 2) if rng.random() < 0.2 else 0)
            for j in range(accepted + extra):
                status = "accepted" if j < accepted else ("submitted" if j < accepted + extra // 2 + extra % 2
                                                          else "rejected")
                item, report = self._realisation(rng, table, start, end, draft.reports, status)
                report.rows.append(item)
                if status == "accepted":
                    realised += item.value.cents_as_of(as_of)
        elapsed = Decimal(elapsed_days(start, end, as_of)) / ((end - start).days + 1)
        if realised == 0:
            base_cents = rng.randint(250_000, 5_000_000) * 100
        elif plan == "met":
            base_cents = int(realised * rng.uniform(0.6, 0.95) * 100 / float(pct))
        else:
            ratio = {"on_track": (0.92, 1.6), "at_risk": (0.62, 0.88), "behind": (0.1, 0.58)}.get(plan, (0.92, 1.6))
            obligation = realised / (rng.uniform(*ratio) * float(elapsed))
            base_cents = int(obligation * 100 / float(pct))
        value_cents = base_cents
        if base == "wage_sum":
            record["wage_sum_eur"] = cents_text(base_cents)
            value_cents = int(base_cents * rng.uniform(1.3, 2.5))
        elif base == "invoiced_turnover":
            value_cents = int(base_cents * rng.uniform(1.5, 3))
            self._turnover(rng, draft, base_cents)
        if rng.random() < 0.02:
            granted = start + timedelta(days=rng.randint(0, max(0, (min(as_of, end) - start).days)))
            lowered = rng.random() < 0.75
            draft.leniencies.append({
                "kind": "sroi_clause" if rng.random() < 0.5 else None,
                "percentage": str(max(Decimal(1), pct - 2)) if lowered else None,
                "until": None if lowered else end + timedelta(days=rng.randint(90, 365)),
                "reason": "krapte op de arbeidsmarkt in de sector", "granted_by": "Inkoopmanager",
                "granted_on": granted})
        return value_cents

    def _realisation(self, rng: random.Random, table: ValuationTable, start: date, end: date,
                     reports: list[Report], status: str) -> tuple[Realisation, Report]:
        kind = rng.choices(["placement", "learning", "purchase", "activity"], [62, 16, 14, 8])[0]
        report = reports[-1] if status == "submitted" else rng.choice(reports)
        earliest = reports[reports.index(report) - 1].on if reports.index(report) else start - timedelta(days=60)
        first = max(earliest, start - timedelta(days=60)) if kind in ("placement", "learning") else max(earliest, start)
        day = first + timedelta(days=rng.randint(0, max(0, (report.on - first).days)))
        hours_per_week = hours = amount = None
        bonuses: list[str] = []
        if kind in ("placement", "learning"):
            groups = list(table.target_groups)
            learning = [g for g in groups if g.startswith(("mbo", "praktijk", "work_exp"))] or groups
            group: str | None = rng.choice(learning if kind == "learning" else groups)
            stop = day + timedelta(days=rng.randint(60, 900))
            hours_per_week = Decimal(rng.choice([16, 20, 24, 28, 32, 36, 38]))
            if table.bonuses and rng.random() < 0.1:
                bonuses = [rng.choice(list(table.bonuses))]
        elif kind == "purchase":
            group, stop = rng.choice(list(table.purchases)), day
            amount = Decimal(rng.randint(100_000, 6_000_000)).scaleb(-2)
        else:
            group, stop = None, day
            if table.activity_hour_eur is not None:
                hours = Decimal(rng.randint(4, 120))
            else:
                amount = Decimal(rng.randint(50_000, 250_000)).scaleb(-2)
        value = value_realisation(table, kind, group, day, stop, (start, end), hours_per_week, bonuses, amount, hours)
        reviewed = report.on + timedelta(days=rng.randint(1, 14))
        employed = stop <= self.as_of - timedelta(days=183) and kind == "placement"
        row = {
            "line": len(report.rows) + 2, "candidate": f"P{rng.randrange(36**6):06X}" if kind in ("placement", "learning")
            else None, "kind": kind, "target_group": group,
            "hours_per_week_centi": None if hours_per_week is None else int(hours_per_week * 100),
            "start": day, "end": stop, "amount_cents": None if amount is None else int(amount * 100),
            "hours_centi": None if hours is None else int(hours * 100), "bonuses": bonuses,
            "evidence": rng.choice(["loonstrook", "arbeidsovereenkomst", "factuur", "presentielijst"]),
            "status": status, "reported_on": report.on,
            "reviewed_by": None if status == "submitted" else "Contractmanager",
            "reviewed_at": None if status == "submitted" else moment(min(reviewed, self.as_of)),
            "review_reason": "bewijs ontbreekt" if status == "rejected" else None,
            "rate_num": value.rate_num, "win_start": value.win_start.toordinal() if value.win_start else None,
            "win_end": value.win_end.toordinal() if value.win_end else None, "lump_cents": value.lump_cents,
            "lump_on": value.lump_on.toordinal() if value.lump_on else None,
            "employed_6m": rng.random() < 0.7 if employed else None, "employed_12m": None}
        return Realisation(row, value), report

    def _turnover(self, rng: random.Random, draft: Draft, total_cents: int) -> None:
        start, end = draft.record["start"], draft.record["end"]
        months = [d for j in range(1, 61) if (d := start + timedelta(days=30 * j)) <= min(self.as_of, end)]
        if not months:
            return
        weights = [rng.uniform(0.5, 1.5) for _ in months]
        for day, weight in zip(months, weights, strict=True):
            amount = int(total_cents * weight / sum(weights))
            draft.facts.append(("sroi_clause.invoiced_turnover", day,
                                {"amount_eur": cents_text(amount), "invoice": f"F{day:%Y%m}-{draft.index}"}))

    # --- partnership -------------------------------------------------------------------------------
    def _partnership(self, rng: random.Random, draft: Draft, route_1: bool) -> None:
        record, as_of = draft.record, self.as_of
        start, end = record["start"], record["end"]
        room = max(0, (min(as_of, end) - start).days - 10)
        loi = start + timedelta(days=rng.randint(min(room, 60), min(room, 400)) if route_1 else rng.randint(0, min(room, 45)))
        every = rng.choice([4, 6, 6, 8, 8, 12])
        goals = []
        for kpi in rng.sample(KPIS, rng.randint(1, 3)):
            by = loi + timedelta(days=rng.randint(180, 1100))
            goals.append({"horizon": "short" if (by - loi).days < 400 else "long", "text": f"Doel {kpi}",
                          "kpi": kpi, "target": rng.randint(2, 20), "by": by.isoformat()})
        actions = [{"id": f"intentie.{n}", "text": f"Actiepunt {n}", "owner": "Leverancier",
                    "due": (loi + timedelta(days=rng.randint(30, 200))).isoformat()} for n in range(1, rng.randint(1, 3))]
        record["instruments"].append({"kind": "partnership", "letter_of_intent": loi.isoformat(),
                                      "session_every_weeks": every, "goals": goals, "actions": actions})
        draft.applied_on["partnership"] = max(start, loi - timedelta(days=rng.randint(0, 30))) if route_1 else start
        reliability = rng.choices([0.97, 0.85, 0.5], [65, 20, 15])[0]
        due = loi + timedelta(weeks=every)
        created = [(loi, a) for a in actions]
        while due <= min(end, as_of):
            if rng.random() < reliability and (held := due + timedelta(days=rng.randint(-7, 10))) <= as_of:
                new = [{"id": f"{held}.1", "text": "Leerwerkplek inrichten", "owner": "Leverancier",
                        "due": (held + timedelta(days=rng.randint(14, 90))).isoformat()}] if rng.random() < 0.4 else []
                draft.facts.append(("partnership.session", held, {"notes": "Voortgang besproken", "actions": new}))
                created += [(held, a) for a in new]
            due += timedelta(weeks=every)
        for made, action in created:
            done = date.fromisoformat(action["due"]) - timedelta(days=rng.randint(-10, 20))
            if rng.random() < reliability and made <= done <= as_of:
                draft.facts.append(("partnership.action_done", done, {"action_id": action["id"]}))
        effort = {0.97: (1.0, 1.5), 0.85: (0.7, 1.1)}.get(reliability, (0.3, 0.7))
        for goal in goals:
            by, day = date.fromisoformat(goal["by"]), loi + timedelta(days=90)
            while day <= as_of:
                pace = min(1.0, (day - loi).days / max(1, (by - loi).days))
                count = min(goal["target"], round(goal["target"] * pace * rng.uniform(*effort)))
                draft.facts.append(("partnership.kpi", day, {"kpi": goal["kpi"], "count": count}))
                day += timedelta(days=91)

    # --- reservation -------------------------------------------------------------------------------
    def _reservation(self, rng: random.Random, draft: Draft, record: dict[str, Any], kinds: tuple[str, ...]) -> None:
        art_77 = rng.random() < 0.15
        if art_77:
            record["cpv"] = rng.choice(ART_77_CPV)
        start = record["start"]
        shown = start - timedelta(days=rng.randint(10, 330))
        every = 12 if rng.random() < 0.8 else 6
        record["instruments"].append({
            "kind": "reservation", "basis": "art_77" if art_77 else "art_2_82",
            "evidence": {"share_disadvantaged": f"{rng.uniform(0.31, 0.75):.2f}", "as_of": shown.isoformat(),
                         "source": f"Accountantsverklaring {shown.year}"},
            "reverify_every_months": every, "reserved_execution": not art_77 and rng.random() < 0.2})
        draft.applied_on["reservation"] = start
        while (due := add_months(shown, every)) <= self.as_of:
            if rng.random() < 0.1:  # not renewed: overdue from here on
                return
            shown = due + timedelta(days=rng.randint(-25, 40 if rng.random() < 0.2 else -1))
            if shown > self.as_of:
                return
            share = rng.uniform(0.22, 0.29) if rng.random() < 0.03 else rng.uniform(0.31, 0.75)
            draft.facts.append(("reservation.evidence", shown, {"share_disadvantaged": f"{share:.2f}",
                                                                "source": f"Accountantsverklaring {shown.year}"}))


def add_months(day: date, months: int) -> date:
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def supplier_name(k: int) -> str:
    return f"Leverancier {k:05d} BV"


def cents_text(cents: int) -> str:
    return f"{Decimal(cents).scaleb(-2):.2f}"


def configs(registry: Registry, record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each instrument's config as the engine stores it: validated by the instrument's config model and
    dumped as JSON (what `register_contracts` writes)."""
    found = []
    for spec in record["instruments"]:
        kind = spec["kind"]
        model = registry.instruments[kind].config_model
        found.append((kind, model.model_validate({k: v for k, v in spec.items() if k != "kind"}).model_dump(mode="json")))
    return found


def check_sample(registry: Registry, drafts: list[Draft]) -> int:
    """Run the engine's registration check on the drafts; the configs it produces must be the ones stored."""
    from srr_engine.contracts import check_contract

    for draft in drafts:
        checked = check_contract(dict(draft.record), registry, f"synthetic contract {draft.index}")
        produced = [(c.kind, c.config.model_dump(mode="json")) for c in checked.instruments]
        if produced != configs(registry, draft.record):
            raise AssertionError(f"{draft.record['reference']}: configs differ from the engine's: {produced}")
    return len(drafts)


@dataclass
class Counts:
    rows: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    checked: int = 0


class Writer:
    """Gives out ids and writes drafts chunk by chunk (executemany per table)."""

    def __init__(self, engine: Engine, registry: Registry):
        self.engine, self.registry = engine, registry
        self.next = Counter({"app": 1, "import": 1, "realisation": 1, "fact": 1, "leniency": 1})
        self.counts = Counts()

    def organisations(self, suppliers: int) -> None:
        rows = [{"id": k + 1, "name": name, "kvk": None} for k, name in enumerate(BUYERS)]
        rows += [{"id": len(BUYERS) + k + 1, "name": supplier_name(k), "kvk": f"{10_000_000 + k:08d}"}
                 for k in range(suppliers)]
        with self.engine.begin() as conn:
            conn.execute(insert(schema.Organisation), rows)
        self.counts.rows["organisations"] += len(rows)

    def write(self, drafts: list[Draft]) -> None:
        t: dict[str, list[dict[str, Any]]] = {name: [] for name in (
            "contracts", "contacts", "applications", "imports", "realisations", "facts", "leniencies", "events")}
        for d in drafts:
            self._rows(d, t)
        with self.engine.begin() as conn:
            for name, table in (("contracts", schema.Contract), ("contacts", schema.Contact),
                                ("applications", schema.InstrumentApplication), ("imports", schema.ImportBatch),
                                ("realisations", schema.Realisation), ("facts", schema.Fact),
                                ("leniencies", schema.LeniencyDecision), ("events", schema.Event)):
                if t[name]:
                    conn.execute(insert(table.__table__), t[name])
                self.counts.rows[name] += len(t[name])

    def _id(self, name: str) -> int:
        value = self.next[name]
        self.next[name] += 1
        return value

    def _rows(self, d: Draft, t: dict[str, list[dict[str, Any]]]) -> None:
        r, cid = d.record, d.index + 1
        self.counts.kinds["+".join(s["kind"] for s in r["instruments"])] += 1
        registered = min([d.awarded_on or r["start"], *d.applied_on.values()]) - timedelta(days=7)
        t["contracts"].append({
            "id": cid, "reference": r["reference"], "title": r["title"], "buyer_id": d.buyer_id, "supplier_id": d.supplier_id,
            "category": r["category"], "cpv": r["cpv"], "value_cents": int(Decimal(r["value_eur"]) * 100),
            "wage_sum_cents": int(Decimal(r["wage_sum_eur"]) * 100) if r.get("wage_sum_eur") else None,
            "start": r["start"], "end": r["end"], "phase": "active", "pilot": False, "bundle": r["bundle"], "awarded_on": d.awarded_on,
            "created_at": moment(registered)})
        t["contacts"] += [{"contract_id": cid, "role": role, "name": c["name"], "notify": c["notify"], "language": None}
                          for role, c in r["contacts"].items()]

        def event(type_: str, on: date, payload: dict[str, Any], actor: str = "benchmark") -> None:
            t["events"].append({"occurred_at": moment(on), "type": type_, "contract_id": cid,
                                "reference": r["reference"], "actor": actor, "payload": payload})

        event("contract.registered", registered, {"phase": "planned" if d.awarded_on else "active"})
        apps = {}
        for kind, config in configs(self.registry, r):
            app_id = apps[kind] = self._id("app")
            on = d.applied_on[kind]
            late = on > r["start"]
            t["applications"].append({"id": app_id, "contract_id": cid, "kind": kind, "config": config,
                                          "applied_in_phase": "active" if late or not d.awarded_on else "planned",
                                          "applied_on": on})
            event("instrument.applied", on if late else registered,
                  {"kind": kind, "application_id": app_id, **({"phase": "active"} if late else {})})
        if d.awarded_on:
            event("contract.awarded", d.awarded_on, {"supplier": r["supplier"], "on": d.awarded_on.isoformat(),
                                                     "offers": {}})
            event("phase.changed", d.awarded_on, {"from": "planned", "to": "active"})
        for report in d.reports:
            if not report.rows:
                continue
            import_id = self._id("import")
            digest = hashlib.sha256(f"{r['reference']}:{report.on}".encode()).hexdigest()
            t["imports"].append({"id": import_id, "file_name": f"rapportage-{r['reference']}-{report.on}.csv",
                                     "sha256": digest, "rows": len(report.rows), "imported_by": "Leverancier",
                                     "imported_at": moment(report.on)})
            ids: dict[str, list[int]] = {"accepted": [], "rejected": [], "submitted": []}
            for item in report.rows:
                rid = self._id("realisation")
                ids[item.row["status"]].append(rid)
                t["realisations"].append({"id": rid, "contract_id": cid, "import_id": import_id, **item.row})
            value = sum(item.value.cents_as_of(r["end"]) for item in report.rows)
            event("realisation.reported", report.on, {"rows": len(report.rows), "value_eur": f"{value / 100:.2f}",
                                                      "import_id": import_id}, "Leverancier")
            if ids["accepted"]:
                event("realisation.accepted", report.on, {"realisation_ids": ids["accepted"]}, "Contractmanager")
            if ids["rejected"]:
                event("realisation.rejected", report.on, {"realisation_ids": ids["rejected"],
                                                          "reason": "bewijs ontbreekt"}, "Contractmanager")
        for kind, on, data in d.facts:
            fact_id = self._id("fact")
            t["facts"].append({"id": fact_id, "contract_id": cid, "application_id": apps[kind.split(".", 1)[0]], "kind": kind,
                                   "on": on, "data": data, "recorded_by": "Contractmanager", "recorded_at": moment(on)})
            event("fact.recorded", on, {"kind": kind, "on": on.isoformat(), "fact_id": fact_id}, "Contractmanager")
        for leniency in d.leniencies:
            lid = self._id("leniency")
            t["leniencies"].append({"id": lid, "contract_id": cid, **leniency})
            event("leniency.granted", leniency["granted_on"], {
                "kind": leniency["kind"], "percentage": leniency["percentage"],
                "until": leniency["until"].isoformat() if leniency["until"] else None, "reason": leniency["reason"]},
                  "Inkoopmanager")


def load(engine: Engine, n: int, registry: Registry, seed: int = SEED, as_of: date = AS_OF,
         sample_every: int = 97, progress: Any = None) -> Counts:
    """Create the schema (migrations) and write a portfolio of `n` contracts into an empty database."""
    from srr_engine.storage.db import upgrade

    upgrade(engine)
    generator = Generator(registry, n, seed, as_of)
    writer = Writer(engine, registry)
    writer.organisations(generator.suppliers)
    sample: list[Draft] = []
    for first in range(0, n, CHUNK):
        drafts = [generator.draft(i) for i in range(first, min(first + CHUNK, n))]
        sample += [d for d in drafts if d.index % sample_every == 0]
        writer.write(drafts)
        if progress:
            progress(min(first + CHUNK, n))
    writer.counts.checked = check_sample(registry, sample)
    if engine.dialect.name == "postgresql":  # ids were given explicitly: move the sequences past them
        with engine.begin() as conn:
            for table in ("organisations", "contracts", "instrument_applications", "imports", "realisations", "facts",
                          "leniencies"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
            conn.execute(text("ANALYZE"))  # autovacuum would, on a live server
    # SQLite: no ANALYZE, as the engine never runs it (the query plans are the ones users get).
    return writer.counts


def accepted_per_sroi_contract(engine: Engine) -> tuple[int, float, int]:
    """(SROI contracts, mean and max accepted realisations per SROI contract), to check the shape."""
    r, a = schema.Realisation, schema.InstrumentApplication
    with engine.connect() as conn:
        sroi = conn.scalar(select(func.count()).select_from(a).where(a.kind == "sroi_clause")) or 0
        counts = [c for (c,) in conn.execute(select(func.count()).where(r.status == "accepted").group_by(r.contract_id))]
    return sroi, (sum(counts) / sroi if sroi else 0.0), max(counts, default=0)
