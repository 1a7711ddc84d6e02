"""The public API for instrument plugins.

An instrument is a subclass of `Instrument`, registered through the `register_instruments` hook. Its
rules are pure: methods over pydantic models and an explicit `as_of` date, with no database, network
or Prefect inside. The engine loads the facts (in bulk), calls the rules, and stores the results.
See `docs/plugins.md` for a complete minimal plugin.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from srr_engine.domain import Contract, Role
from srr_engine.messages import Message
from srr_engine.settings import PaceSettings
from srr_engine.status import Status


class NoSettings(BaseModel):
    """Settings model of an instrument that has none."""

    model_config = ConfigDict(extra="forbid")


class Fact(BaseModel):
    """Something recorded about a contract for one instrument (a session held, a KPI count...)."""

    kind: str
    on: date
    data: dict[str, Any] = Field(default_factory=dict)
    recorded_by: str | None = None


class Leniency(BaseModel):
    """A decision to lower an obligation (`percentage`) or move its deadline (`until`), with who and why."""

    kind: str | None = None
    percentage: Decimal | None = None
    until: date | None = None
    reason: str
    granted_by: str
    granted_on: date


class RealisationSummary(BaseModel):
    """An accepted realisation as instruments see it: figures only, never the candidate."""

    kind: str
    target_group: str | None = None
    start: date
    end: date
    value_eur: Decimal
    employed_6m: bool | None = None
    employed_12m: bool | None = None


class BundleMember(BaseModel):
    """A contract of the same bundle (small contracts of one supplier pooled into one obligation)."""

    reference: str
    value_eur: Decimal
    wage_sum_eur: Decimal | None = None
    start: date
    end: date
    realised_eur: Decimal = Decimal("0.00")
    pending_eur: Decimal = Decimal("0.00")
    last_reported_on: date | None = None


class ContractFacts(BaseModel):
    """Everything recorded about a contract that an instrument's rules may use, as of a date."""

    contract: Contract
    as_of: date
    realised_eur: Decimal = Decimal("0.00")
    pending_eur: Decimal = Decimal("0.00")
    last_reported_on: date | None = None
    facts: list[Fact] = Field(default_factory=list)
    leniencies: list[Leniency] = Field(default_factory=list)
    realisations: list[RealisationSummary] = Field(default_factory=list)
    #: Every contract of this contract's bundle, itself included (empty when it is not bundled).
    bundle: list[BundleMember] = Field(default_factory=list)

    def facts_of(self, kind: str) -> list[Fact]:
        """Facts of one kind recorded on or before `as_of`, oldest first."""
        return sorted((f for f in self.facts if f.kind == kind and f.on <= self.as_of), key=lambda f: f.on)


class Obligation(BaseModel):
    """What an instrument obliges on a contract: an amount in euros or a count, by a date."""

    key: str
    description: Message
    amount_eur: Decimal | None = None
    target: Decimal | None = None
    unit: str | None = None
    due: date


class TenderOutput(BaseModel):
    """What an instrument adds to the tender documents."""

    clause: Message
    eforms: dict[str, str] = Field(default_factory=dict, description="BT code -> value, e.g. BT-71: res-ws")
    ocds: dict[str, Any] = Field(default_factory=dict, description="Fields to merge into the OCDS tender")


class Assessment(BaseModel):
    """An instrument's progress on one contract as of a date."""

    kind: str
    status: Status
    obligation_eur: Decimal | None = None
    expected_eur: Decimal | None = None
    realised_eur: Decimal | None = None
    pending_eur: Decimal | None = None
    figures: dict[str, Any] = Field(default_factory=dict)
    reasons: list[Message] = Field(default_factory=list)


class CheckinDue(BaseModel):
    """A check-in or nudge an instrument asks for. `period` makes it unique per occasion."""

    rule: str
    roles: list[Role]
    period: str
    urgency: int = Field(1, ge=0, le=9, description="Higher is more urgent (digest order)")
    message: Message
    answered_by_report: bool = Field(
        False, description="A supplier report imported for the contract answers it (e.g. a reminder to report)")


class Evaluation(BaseModel):
    """An instrument's final figures for a contract."""

    kind: str
    status: Status
    obligation_eur: Decimal | None = None
    realised_eur: Decimal | None = None
    shortfall_eur: Decimal | None = None
    penalty_eur: Decimal | None = None
    figures: dict[str, Any] = Field(default_factory=dict)
    reasons: list[Message] = Field(default_factory=list)


class Instrument(ABC):
    """Base class of a procurement instrument. Override what your instrument does.

    Class attributes describe it; the engine creates one instance per process with the instrument's
    validated settings (`settings_model`, from `[instruments.<name>]` in the settings), the shared pace
    thresholds and the valuation tables.
    """

    name: ClassVar[str]
    title: ClassVar[Message]
    description: ClassVar[Message]
    config_model: ClassVar[type[BaseModel]]
    settings_model: ClassVar[type[BaseModel]] = NoSettings
    #: Kinds that cannot be combined with this one on a contract.
    conflicts_with: ClassVar[frozenset[str]] = frozenset()
    #: Kinds that may be combined with this one, with a warning to show.
    warns_with: ClassVar[dict[str, Message]] = {}
    #: Whether a contract may carry this instrument more than once.
    multiple_per_contract: ClassVar[bool] = False

    def __init__(self, settings: BaseModel, pace: PaceSettings, tables: Any) -> None:
        self.settings = settings
        self.pace = pace
        self.tables = tables

    def prepare(self, contract: Contract, config: BaseModel) -> BaseModel:
        """Complete a validated config when it is applied (e.g. pin a table version). Default: as is."""
        return config

    def not_applicable(self, contract: Contract, config: BaseModel) -> list[Message]:
        """Why this instrument does not normally apply to the contract (empty: it applies).

        The buyer may still apply it; the engine shows these reasons as warnings.
        """
        return []

    def award_problems(self, contract: Contract, config: BaseModel, as_of: date) -> list[Message]:
        """Why awarding this contract to its supplier must be refused (empty: allowed)."""
        return []

    def award(self, contract: Contract, config: BaseModel, offer: dict[str, Any]) -> BaseModel:
        """The config after award, given the supplier's offer (e.g. a higher percentage)."""
        return config

    def valuation_table(self, config: BaseModel) -> tuple[str, str] | None:
        """The (region, version) of the table that values this contract's realisations, if any."""
        return None

    @abstractmethod
    def tender(self, contract: Contract, config: BaseModel) -> TenderOutput:
        """Clause text (nl/en), eForms codes and OCDS fields for the tender documents."""

    @abstractmethod
    def obligations(self, facts: ContractFacts, config: BaseModel) -> list[Obligation]:
        """The obligations this instrument creates on the contract (after leniency)."""

    @abstractmethod
    def assess(self, facts: ContractFacts, config: BaseModel) -> Assessment:
        """Progress as of `facts.as_of`: status, figures and reasons in plain words."""

    def checkins(self, facts: ContractFacts, config: BaseModel, assessment: Assessment) -> list[CheckinDue]:
        """Check-ins this instrument asks for as of `facts.as_of` (the engine adds the regular ones)."""
        return []

    @abstractmethod
    def evaluate(self, facts: ContractFacts, config: BaseModel) -> Evaluation:
        """Final figures as of `facts.as_of` (normally the end of the contract)."""
