"""Domain models of the engine: organisations, contracts, contacts and instrument applications.

These validate what people write (contract files, CLI input) and are what instruments see. Money is
Decimal in euros, dates are dates.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from srr_engine.errors import ContractError
from srr_engine.messages import msg


class Category(StrEnum):
    works = "works"
    services = "services"
    supplies = "supplies"


class Phase(StrEnum):
    planned = "planned"
    tendering = "tendering"
    awarded = "awarded"
    active = "active"
    evaluating = "evaluating"
    closed = "closed"


class Role(StrEnum):
    contract_manager = "contract_manager"
    supplier = "supplier"
    escalation = "escalation"


Euro = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
_CPV = re.compile(r"^\d{8}(-\d)?$")


class Strict(BaseModel):
    """Base for input models: unknown fields are refused (they are usually typos)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Organisation(Strict):
    """A buyer or a supplier. `kvk` is the Chamber of Commerce number (8 digits)."""

    name: str = Field(min_length=1, max_length=200)
    kvk: str | None = Field(None, pattern=r"^\d{8}$")


class Contact(Strict):
    """A person by role on a contract, with apprise notification URLs (secrets: never printed whole)."""

    name: str = Field(min_length=1, max_length=200)
    notify: list[SecretStr] = Field(default_factory=list, description="apprise URLs, or tag:NAME in the apprise config")
    language: Literal["nl", "en"] | None = Field(None, description="Language of this person's nudges (default: settings)")

    @field_serializer("notify", when_used="json")
    def _dump_secret(self, urls: list[SecretStr]) -> list[str]:
        return [u.get_secret_value() for u in urls]


class InstrumentSpec(BaseModel):
    """An instrument as written in a contract file: `kind` plus that instrument's own settings."""

    model_config = ConfigDict(extra="allow")

    kind: str = Field(min_length=1)

    @property
    def config(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Contract(Strict):
    """A contract as a contract manager writes it (YAML/JSON) and as the engine stores it."""

    reference: str
    title: str = Field(min_length=1, max_length=300)
    buyer: Organisation
    category: Category
    cpv: str
    value_eur: Euro = Field(ge=0)
    wage_sum_eur: Euro | None = Field(None, ge=0)
    start: date
    end: date
    phase: Phase | None = None
    pilot: bool = False
    bundle: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$",
        description="Name of a bundle: small contracts of one supplier pooled into one obligation",
    )
    supplier: Organisation | None = None
    contacts: dict[Role, Contact] = Field(default_factory=dict)
    instruments: list[InstrumentSpec] = Field(default_factory=list)

    @field_validator("reference")
    @classmethod
    def _reference(cls, value: str) -> str:
        if not _REFERENCE.match(value):
            raise ContractError(
                msg(
                    "een kenmerk bestaat uit letters, cijfers en . _ / - (zonder spaties, hoogstens 64 tekens)",
                    "a reference consists of letters, digits and . _ / - (no spaces, at most 64 characters)",
                )
            )
        return value

    @field_validator("buyer", "supplier", mode="before")
    @classmethod
    def _organisation_by_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @field_validator("cpv", mode="before")
    @classmethod
    def _cpv(cls, value: Any) -> str:
        text = str(value).strip()
        if not _CPV.match(text):
            raise ContractError(
                msg(
                    f"CPV-code {text!r} moet 8 cijfers zijn (bijv. \"90910000\"), eventueel met controlecijfer",
                    f"CPV code {text!r} must be 8 digits (e.g. \"90910000\"), optionally with a check digit",
                )
            )
        return text

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ContractError(
                msg(
                    f"de einddatum {end} ligt voor de startdatum {start}",
                    f"the end date {end} is before the start date {start}",
                )
            )
        return end

    @model_validator(mode="after")
    def _phase(self) -> Contract:
        if self.phase is None:
            # A contract registered with its supplier is running already; otherwise it is still planned.
            self.phase = Phase.active if self.supplier else Phase.planned
        return self

    @property
    def cpv_division(self) -> str:
        return self.cpv[:2]

    @property
    def term_days(self) -> int:
        """Days in the contract term, start and end included."""
        return (self.end - self.start).days + 1
