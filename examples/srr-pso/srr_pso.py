"""PSO certificate (Prestatieladder Socialer Ondernemen, TNO) as an srr-engine instrument.

A supplier holds a certificate at a level (Aspirant, Trede 1-3) that is valid for two years. The buyer
asks for a minimum level; the engine follows the certificate's validity during the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from srr_engine.domain import Contract, Role
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
from srr_engine.messages import msg
from srr_engine.status import Status
from srr_engine.valuation import add_years

LEVELS = ["aspirant", "trede_1", "trede_2", "trede_3"]
Level = Literal["aspirant", "trede_1", "trede_2", "trede_3"]


class PsoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minimum_level: Level = "trede_1"
    level: Level | None = Field(None, description="The supplier's certified level")
    certified_on: date | None = Field(None, description="Date of the supplier's certificate")


class PsoCertificate(Instrument):
    name = "pso_certificate"
    title = msg("PSO-certificaat", "PSO certificate")
    description = msg("Leverancier heeft een geldig certificaat op de Prestatieladder Socialer Ondernemen.",
                      "Supplier holds a valid certificate on the Social Enterprise Performance Ladder.")
    config_model = PsoConfig

    def valid_until(self, config: PsoConfig) -> date | None:
        return None if config.certified_on is None else add_years(config.certified_on, 2) - timedelta(days=1)

    def award_problems(self, contract: Contract, config: PsoConfig, as_of: date) -> list:
        if config.level is None or LEVELS.index(config.level) < LEVELS.index(config.minimum_level):
            return [msg(f"PSO-niveau {config.level or 'geen'} is lager dan gevraagd ({config.minimum_level})",
                        f"PSO level {config.level or 'none'} is below the required {config.minimum_level}")]
        return []

    def tender(self, contract: Contract, config: PsoConfig) -> TenderOutput:
        text = msg(f"De opdrachtnemer beschikt over een PSO-certificaat van ten minste {config.minimum_level}.",
                   f"The contractor holds a PSO certificate of at least {config.minimum_level}.")
        return TenderOutput(clause=text, eforms={"BT-06": "soc-obj", "BT-70": text.nl})

    def obligations(self, facts: ContractFacts, config: PsoConfig) -> list[Obligation]:
        return [Obligation(key="pso", description=self.title, due=facts.contract.end)]

    def assess(self, facts: ContractFacts, config: PsoConfig) -> Assessment:
        until = self.valid_until(config)
        if until is None or facts.as_of > until:
            status, why = Status.not_met, msg("geen geldig PSO-certificaat", "no valid PSO certificate")
        elif (until - facts.as_of).days <= 60:
            status, why = Status.at_risk, msg(f"PSO-certificaat verloopt op {until}", f"PSO certificate expires on {until}")
        else:
            status, why = Status.on_track, msg(f"PSO-certificaat geldig tot {until}", f"PSO certificate valid until {until}")
        figures = {"valid_until": until.isoformat() if until else None}  # figures are stored as JSON
        return Assessment(kind=self.name, status=status, figures=figures, reasons=[why])

    def checkins(self, facts: ContractFacts, config: PsoConfig, assessment: Assessment) -> list[CheckinDue]:
        if assessment.status != Status.at_risk:
            return []
        return [CheckinDue(rule="pso.renewal_due", roles=[Role.supplier], period=str(self.valid_until(config)),
                           message=assessment.reasons[0])]

    def evaluate(self, facts: ContractFacts, config: PsoConfig) -> Evaluation:
        result = self.assess(facts, config)
        return Evaluation(kind=self.name, status=Status.met if result.status != Status.not_met else Status.not_met,
                          reasons=result.reasons)


@hookimpl
def register_instruments(register: Callable[[type], None]) -> None:
    register(PsoCertificate)
