"""The reserved contract (voorbehouden opdracht) for social enterprises.

Aanbestedingswet art. 2.82 / Directive 2014/24/EU art. 20: participation is reserved to operators of
whom at least 30 % of the staff are disabled or disadvantaged (a setting: `ReservationSettings`).
Art. 77 of the Directive reserves some health, social and cultural services (a closed CPV list) to
public-service-mission organisations. The engine checks the supplier's evidence at award and asks for
it again during the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from instruments._common import add_months, days_en, days_nl, number_en, number_nl, refuse_unknown_offer
from srr_engine.domain import Contract, Role
from srr_engine.errors import ContractError, problems_from_validation
from srr_engine.hookspecs import hookimpl
from srr_engine.instrument import (
    Assessment,
    CheckinDue,
    ContractFacts,
    Evaluation,
    Instrument,
    Obligation,
    TenderOutput,
)
from srr_engine.messages import Message, msg
from srr_engine.status import Status

NAME = "reservation"
EVIDENCE_FACT = "reservation.evidence"

# Directive 2014/24/EU art. 77(1): the CPV codes (first 8 digits) of services that may be reserved.
ART_77_CPV = frozenset(
    {
        "75121000",
        "75122000",
        "75123000",
        "79622000",
        "79624000",
        "79625000",
        "80110000",
        "80300000",
        "80420000",
        "80430000",
        "80511000",
        "80520000",
        "80590000",
        "92500000",
        "92600000",
        "98133000",
        "98133110",
    }
)
ART_77_CPV_RANGE = (85000000, 85323000)  # "85000000-9 to 85323000-9"

Basis = Literal["art_2_82", "art_77"]
BASIS_WORDS: dict[str, tuple[str, str]] = {
    "art_2_82": ("artikel 2.82 Aanbestedingswet", "article 2.82 of the Dutch Procurement Act"),
    "art_77": ("artikel 77 van Richtlijn 2014/24/EU", "article 77 of Directive 2014/24/EU"),
}


class ReservationSettings(BaseModel):
    """The bars of a reservation (`[instruments.reservation]` in the settings).

    `min_share` is the minimum share of disabled or disadvantaged staff: 30 % in art. 2.82
    Aanbestedingswet and art. 20 Directive 2014/24/EU (50 % before 2016), a setting so the engine can
    follow the law without a release. The evidence shown at award may be at most
    `max_evidence_age_months` old; the engine warns `due_warning_days` before renewed evidence is due.
    """

    model_config = ConfigDict(extra="forbid")

    min_share: Decimal = Field(Decimal("0.30"), gt=0, le=1, description="0.30 is 30 % of the staff")
    max_evidence_age_months: int = Field(12, ge=1, description="The evidence shown at award may be at most this old.")
    due_warning_days: int = Field(30, ge=0, description="Warn this many days before renewed evidence is due.")


class Evidence(BaseModel):
    """The supplier's proof of its share of disadvantaged staff: how much, as of when, and from where."""

    model_config = ConfigDict(extra="forbid")

    share_disadvantaged: Decimal = Field(ge=0, le=1, description="0.42 is 42 % of the staff")
    as_of: date
    source: str = Field(min_length=1)


class ReservationConfig(BaseModel):
    """The reservation as written in a contract file. `evidence` may follow at award."""

    model_config = ConfigDict(extra="forbid")

    basis: Basis
    evidence: Evidence | None = None
    reverify_every_months: int = Field(12, ge=1)
    reserved_execution: bool = Field(False, description="Execution within sheltered employment (BT-736)")

    @model_validator(mode="after")
    def _execution_only_for_sheltered(self) -> ReservationConfig:
        if self.reserved_execution and self.basis != "art_2_82":
            raise ContractError(
                msg(
                    "uitvoering in het kader van beschermde arbeid (reserved_execution) kan alleen bij "
                    "art_2_82",
                    "execution within sheltered employment (reserved_execution) is only possible with "
                    "art_2_82",
                )
            )
        return self


def art_77_allows(cpv: str) -> bool:
    """Whether art. 77 allows reserving a contract with this CPV code (compared on 8 digits)."""
    code = cpv[:8]
    return code in ART_77_CPV or ART_77_CPV_RANGE[0] <= int(code) <= ART_77_CPV_RANGE[1]


def bar(config: ReservationConfig, settings: ReservationSettings) -> Decimal | None:
    """The minimum share of disadvantaged staff; art. 77 has none (it rests on the mission)."""
    return settings.min_share if config.basis == "art_2_82" else None


def percent(share: Decimal) -> tuple[str, str]:
    """A share as a percentage in Dutch and English: 0.425 -> ("42,5", "42.5")."""
    return number_nl(share * 100), number_en(share * 100)


def evidence_history(facts: ContractFacts, config: ReservationConfig) -> list[Evidence]:
    """The config's evidence and newer evidence recorded as facts (on or before as_of), oldest first."""
    recorded = [
        Evidence(
            share_disadvantaged=f.data["share_disadvantaged"], as_of=f.on, source=f.data.get("source") or "-"
        )
        for f in facts.facts_of(EVIDENCE_FACT)
    ]
    given = [config.evidence] if config.evidence is not None else []
    return sorted(given + recorded, key=lambda e: e.as_of)


@dataclass(frozen=True)
class Standing:
    """Where the evidence stands as of a date."""

    latest: Evidence
    due: date
    below_bar: Message | None  # why the latest evidence falls short of the bar, if it does


def standing(history: list[Evidence], config: ReservationConfig, minimum: Decimal | None) -> Standing:
    latest = history[-1]
    return Standing(
        latest,
        add_months(latest.as_of, config.reverify_every_months),
        below_bar(latest, config, minimum),
    )


def lapses(
    history: list[Evidence],
    config: ReservationConfig,
    minimum: Decimal | None,
    contract: Contract,
    until: date,
) -> list[Message]:
    """Every time during the term the evidence was below the bar or not renewed in time, up to `until`.

    Evidence superseded on or before the contract's start does not count.
    """
    chain = [
        e for i, e in enumerate(history) if i == len(history) - 1 or history[i + 1].as_of > contract.start
    ]
    found = [problem for e in chain if (problem := below_bar(e, config, minimum)) is not None]
    for previous, following in pairwise(chain):
        due = add_months(previous.as_of, config.reverify_every_months)
        if following.as_of > due:
            found.append(
                msg(
                    f"het bewijs verliep op {due}; nieuw bewijs kwam pas op {following.as_of}",
                    f"the evidence expired on {due}; new evidence only came on {following.as_of}",
                )
            )
    if chain and (due := add_months(chain[-1].as_of, config.reverify_every_months)) < until:
        found.append(msg(f"het bewijs verliep op {due}", f"the evidence expired on {due}"))
    return found


def below_bar(evidence: Evidence, config: ReservationConfig, minimum: Decimal | None) -> Message | None:
    """Why the evidence falls short of the minimum share (None when it does not, or there is none)."""
    if minimum is None or evidence.share_disadvantaged >= minimum:
        return None
    nl, en = percent(evidence.share_disadvantaged)
    bar_nl, bar_en = percent(minimum)
    article_nl, article_en = BASIS_WORDS[config.basis]
    return msg(
        f"minimaal {bar_nl} % van het personeel moet tot de doelgroep behoren ({article_nl}); aangetoond "
        f"{nl} % op {evidence.as_of}",
        f"at least {bar_en} % of the staff must be disabled or disadvantaged ({article_en}); shown {en} % "
        f"on {evidence.as_of}",
    )


NO_EVIDENCE = msg(
    "er is nog geen bewijs dat de opdrachtnemer aan de voorwaarden van de voorbehouden opdracht voldoet",
    "there is no evidence yet that the supplier meets the conditions of the reserved contract",
)


class Reservation(Instrument):
    name = NAME
    title = msg("Voorbehouden opdracht", "Reserved contract")
    description = msg(
        "Alleen sociale werkplaatsen en ondernemingen waarvan een minimumaandeel van de medewerkers tot de "
        "doelgroep behoort mogen inschrijven (of, bij art. 77, organisaties met een publieke opdracht). De "
        "engine controleert het bewijs bij gunning en vraagt het tijdens het contract opnieuw op.",
        "Only sheltered workshops and enterprises with a minimum share of disadvantaged staff may bid (or, "
        "under art. 77, public-service-mission organisations). The engine checks the evidence at award and "
        "asks for it again during the contract.",
    )
    config_model = ReservationConfig
    settings_model = ReservationSettings
    settings: ReservationSettings  # validated with `settings_model` by the engine
    warns_with: ClassVar[dict[str, Message]] = {
        "sroi_clause": msg(
            "een voorbehouden opdracht gaat al naar een sociale onderneming; een social return-bepaling "
            "daarbovenop vraagt dubbele inzet van dezelfde leverancier. Combineer alleen als dat bewust is.",
            "a reserved contract already goes to a social enterprise; a social return clause on top asks the "
            "same supplier for double effort. Combine them only on purpose.",
        )
    }

    def prepare(self, contract: Contract, config: ReservationConfig) -> ReservationConfig:  # type: ignore[override]
        """Art. 77 may only be used for the services that article lists."""
        if config.basis == "art_77" and not art_77_allows(contract.cpv):
            raise ContractError(
                msg(
                    f"artikel 77 (publieke dienstverlening) mag niet voor CPV-code {contract.cpv}: alleen "
                    "voor "
                    f"de gezondheids-, sociale en culturele diensten uit dat artikel; gebruik art_2_82",
                    f"article 77 (public-service mission) is not allowed for CPV code {contract.cpv}: only "
                    "for "
                    f"the health, social and cultural services that article lists; use art_2_82",
                )
            )
        return config

    def award_problems(self, contract: Contract, config: ReservationConfig, as_of: date) -> list[Message]:  # type: ignore[override]
        evidence = config.evidence
        if evidence is None:
            return [NO_EVIDENCE]
        problems = []
        if (problem := below_bar(evidence, config, bar(config, self.settings))) is not None:
            problems.append(problem)
        months = self.settings.max_evidence_age_months
        if as_of > add_months(evidence.as_of, months):
            problems.append(
                msg(
                    f"het bewijs van {evidence.as_of} is bij gunning op {as_of} ouder dan {months} maanden; "
                    "vraag een actuele verklaring",
                    f"the evidence of {evidence.as_of} is older than {months} months at the award on {as_of}; "
                    "ask for a current statement",
                )
            )
        return problems

    def award(
        self, contract: Contract, config: ReservationConfig, offer: dict[str, Any]
    ) -> ReservationConfig:  # type: ignore[override]
        """The winning bidder's evidence, e.g. `{"evidence": {"share_disadvantaged": "0.4", ...}}`."""
        refuse_unknown_offer(offer, {"evidence"})
        if "evidence" not in offer:
            return config
        try:
            return config.model_copy(update={"evidence": Evidence.model_validate(offer["evidence"])})
        except ValidationError as exc:
            raise ContractError(problems_from_validation(exc)[0].what) from None

    def tender(self, contract: Contract, config: ReservationConfig) -> TenderOutput:  # type: ignore[override]
        article_nl, article_en = BASIS_WORDS[config.basis]
        if config.basis == "art_2_82":
            share_nl, share_en = percent(self.settings.min_share)
            months = self.settings.max_evidence_age_months
            clause = msg(
                f"Deelname aan deze opdracht is voorbehouden aan sociale werkplaatsen en ondernemers die de "
                f"maatschappelijke en beroepsmatige integratie van personen met een handicap of kansarme "
                f"personen als hoofddoel hebben, mits ten minste {share_nl} % van hun werknemers zulke "
                f"personen zijn ({article_nl}). De inschrijver toont dit aan met een verklaring van ten "
                f"hoogste {months} maanden oud.",
                "Participation in this contract is reserved to sheltered workshops and economic operators "
                "whose main aim is the social and professional integration of disabled or disadvantaged "
                f"persons, provided at least {share_en} % of their employees are such persons ({article_en}). "
                f"The bidder shows this with a statement at most {months} months old.",
            )
            eforms = {"BT-71": "res-ws"}
            participation = "shelteredWorkshop"
        else:
            clause = msg(
                f"Deelname aan deze opdracht is voorbehouden aan organisaties met een publieke "
                f"dienstverleningsopdracht die voldoen aan de voorwaarden van {article_nl}.",
                f"Participation in this contract is reserved to organisations with a public-service mission "
                f"that meet the conditions of {article_en}.",
            )
            eforms = {"BT-71": "res-pub-ser"}
            participation = "publicServiceMissionOrganization"
        if config.reserved_execution:
            eforms["BT-736"] = "yes"
        return TenderOutput(
            clause=clause,
            eforms=eforms,
            ocds={"otherRequirements": {"reservedParticipation": [participation]}},
        )

    def obligations(self, facts: ContractFacts, config: ReservationConfig) -> list[Obligation]:  # type: ignore[override]
        history = evidence_history(facts, config)
        minimum = bar(config, self.settings)
        due = standing(history, config, minimum).due if history else facts.contract.start
        share_nl, share_en = percent(self.settings.min_share)
        description = (
            msg(
                f"ten minste {share_nl} % van het personeel behoort tot de doelgroep, opnieuw aangetoond",
                f"at least {share_en} % of the staff are disabled or disadvantaged, shown again",
            )
            if minimum is not None
            else msg(
                "de publieke dienstverleningsopdracht, opnieuw aangetoond",
                "the public-service mission, shown again",
            )
        )
        return [
            Obligation(
                key=EVIDENCE_FACT,
                description=description,
                target=minimum,
                unit="share_disadvantaged",
                due=due,
            )
        ]

    def assess(self, facts: ContractFacts, config: ReservationConfig) -> Assessment:  # type: ignore[override]
        history = evidence_history(facts, config)
        if not history:
            status = Status.not_started if facts.as_of < facts.contract.start else Status.not_met
            return Assessment(kind=NAME, status=status, figures=_figures(None), reasons=[NO_EVIDENCE])
        minimum = bar(config, self.settings)
        now = standing(history, config, minimum)
        if facts.as_of > facts.contract.end:
            found = lapses(history, config, minimum, facts.contract, facts.contract.end)
            status = Status.not_met if found else Status.met
            return Assessment(
                kind=NAME, status=status, figures=_figures(now), reasons=[_shown(now.latest), *found]
            )
        reasons = [_shown(now.latest)]
        days_left = (now.due - facts.as_of).days
        if now.below_bar is not None:
            reasons.append(now.below_bar)
        if days_left < 0:
            reasons.append(
                msg(
                    f"het bewijs had uiterlijk {now.due} vernieuwd moeten zijn ({days_nl(-days_left)} te "
                    "laat)",
                    f"the evidence should have been renewed by {now.due} ({days_en(-days_left)} late)",
                )
            )
        else:
            reasons.append(
                msg(
                    f"nieuw bewijs nodig uiterlijk {now.due} (over {days_nl(days_left)})",
                    f"new evidence needed by {now.due} (in {days_en(days_left)})",
                )
            )
        if now.below_bar is not None or days_left < 0:
            status = Status.not_met
        elif days_left <= self.settings.due_warning_days:
            status = Status.at_risk
        else:
            status = Status.on_track
        return Assessment(kind=NAME, status=status, figures=_figures(now), reasons=reasons)

    def checkins(
        self, facts: ContractFacts, config: ReservationConfig, assessment: Assessment
    ) -> list[CheckinDue]:  # type: ignore[override]
        history = evidence_history(facts, config)
        if not history or not facts.contract.start <= facts.as_of <= facts.contract.end:
            return []
        now = standing(history, config, bar(config, self.settings))
        ref, days_left = facts.contract.reference, (now.due - facts.as_of).days
        found = []
        if 0 <= days_left <= self.settings.due_warning_days:
            found.append(
                CheckinDue(
                    rule="reservation.evidence_due",
                    roles=[Role.supplier, Role.contract_manager],
                    period=now.due.isoformat(),
                    urgency=5,
                    message=msg(
                        f"{ref}: stuur uiterlijk {now.due} een actuele verklaring over het aandeel "
                        "medewerkers "
                        f"uit de doelgroep (het vorige bewijs is van {now.latest.as_of})",
                        f"{ref}: please send a current statement on the share of disadvantaged staff by "
                        f"{now.due} (the last evidence is of {now.latest.as_of})",
                    ),
                )
            )
        elif days_left < 0:
            found.append(
                CheckinDue(
                    rule="reservation.evidence_overdue",
                    roles=[Role.supplier, Role.contract_manager, Role.escalation],
                    period=now.due.isoformat(),
                    urgency=8,
                    message=msg(
                        f"{ref}: het bewijs voor de voorbehouden opdracht is sinds {now.due} verlopen",
                        f"{ref}: the evidence for the reserved contract has expired since {now.due}",
                    ),
                )
            )
        if (problem := now.below_bar) is not None:
            found.append(
                CheckinDue(
                    rule="reservation.below_bar",
                    roles=[Role.contract_manager, Role.escalation],
                    period=now.latest.as_of.isoformat(),
                    urgency=8,
                    message=msg(f"{ref}: {problem.nl}", f"{ref}: {problem.en}"),
                )
            )
        return found

    def evaluate(self, facts: ContractFacts, config: ReservationConfig) -> Evaluation:  # type: ignore[override]
        history = evidence_history(facts, config)
        if not history:
            return Evaluation(kind=NAME, status=Status.not_met, figures=_figures(None), reasons=[NO_EVIDENCE])
        minimum = bar(config, self.settings)
        found = lapses(history, config, minimum, facts.contract, min(facts.as_of, facts.contract.end))
        now = standing(history, config, minimum)
        return Evaluation(
            kind=NAME,
            status=Status.not_met if found else Status.met,
            figures={**_figures(now), "lapses": len(found)},
            reasons=[_shown(now.latest), *found],
        )


def _figures(now: Standing | None) -> dict[str, Any]:
    if now is None:
        return {"share_disadvantaged": None, "evidence_as_of": None, "reverify_due": None}
    return {
        "share_disadvantaged": str(now.latest.share_disadvantaged),
        "evidence_as_of": now.latest.as_of.isoformat(),
        "reverify_due": now.due.isoformat(),
    }


def _shown(evidence: Evidence) -> Message:
    nl, en = percent(evidence.share_disadvantaged)
    return msg(
        f"{nl} % van het personeel behoort tot de doelgroep (bewijs van {evidence.as_of}: {evidence.source})",
        f"{en} % of the staff are disabled or disadvantaged (evidence of {evidence.as_of}: "
        f"{evidence.source})",
    )


@hookimpl
def register_instruments(register: Callable[[type[Instrument]], None]) -> None:
    register(Reservation)


@hookimpl
def register_commands(cli: Any) -> None:
    from instruments.reservation_cli import app

    cli.add_typer(app, name=NAME)
