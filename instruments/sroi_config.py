"""The SROI clause's settings and contract-file config, and the names its facts and texts share."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from instruments._common import number_en, number_nl
from srr_engine.domain import Category
from srr_engine.errors import ContractError
from srr_engine.messages import msg

NAME = "sroi_clause"
TURNOVER_FACT = "sroi_clause.invoiced_turnover"

Percentage = Annotated[Decimal, Field(gt=0, le=100)]
Base = Literal["contract_value", "wage_sum", "invoiced_turnover"]

BASE_WORDS: dict[str, tuple[str, str]] = {
    "contract_value": ("de opdrachtwaarde", "the contract value"),
    "wage_sum": ("de loonsom", "the wage sum"),
    "invoiced_turnover": ("de gefactureerde omzet", "the invoiced turnover"),
}


class SroiSettings(BaseModel):
    """When the clause normally applies (`[instruments.sroi_clause]` in the settings)."""

    model_config = ConfigDict(extra="forbid")

    min_value_eur: Decimal = Field(Decimal(250000), ge=0, description="Contract value from which the clause is usual.")
    categories: list[Category] = Field(default_factory=lambda: [Category.works, Category.services],
                                       description="Categories the clause is usual for (works, services, supplies).")
    min_term_months: int = Field(6, ge=0, description="Shortest term, in months, the clause is usual for.")


class SroiConfig(BaseModel):
    """The clause as written in a contract file."""

    model_config = ConfigDict(extra="forbid")

    percentage: Percentage
    base: Base = "contract_value"
    valuation_table: str = Field(min_length=1, description="Region of the valuation table, e.g. utrecht")
    valuation_table_version: str | None = Field(None, description="Pinned when the clause is applied")
    offered_percentage: Percentage | None = Field(None, description="What the supplier offered at award")
    ramp: list[Percentage] | None = Field(None, min_length=1, description="Percentage per contract year")
    penalty_rate: Decimal = Field(Decimal("1.0"), ge=0, description="Penalty per euro of shortfall")
    policy: Literal["standard", "maatwerk"] = "standard"

    @model_validator(mode="after")
    def _not_below_percentage(self) -> SroiConfig:
        asked = number_nl(self.percentage), number_en(self.percentage)
        if self.offered_percentage is not None and self.offered_percentage < self.percentage:
            raise ContractError(
                msg(
                    f"het aangeboden percentage {number_nl(self.offered_percentage)} % ligt onder het "
                    f"gevraagde {asked[0]} %",
                    f"the offered percentage {number_en(self.offered_percentage)} % is below the "
                    f"{asked[1]} % asked",
                )
            )
        if self.ramp and min(self.ramp) < self.percentage:
            raise ContractError(
                msg(
                    f"de opbouw per jaar (ramp) mag niet onder het percentage van {asked[0]} % komen",
                    f"the yearly ramp must not go below the percentage of {asked[1]} %",
                )
            )
        return self
