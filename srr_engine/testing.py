"""A test kit for instrument plugins: a conformance suite and helpers, the pytest way.

Subclass `InstrumentConformance` in a test module of your plugin (as `Test...`, so pytest collects
it), name the instrument and some configs, and pytest runs the checks every instrument must pass::

    from srr_engine.testing import InstrumentConformance
    from srr_pso import PsoCertificate

    class TestPsoCertificate(InstrumentConformance):
        instrument_class = PsoCertificate
        valid_configs = [{"minimum_level": "trede_1", "level": "trede_2", "certified_on": "2025-06-01"}]
        invalid_configs = [({"minimum_level": "trede_9"}, "minimum_level")]

The helpers (`make_contract`, `contract_facts`, `fact`, `make_instrument`, `dates_across`, `no_io`)
are for your own tests too. `docs/plugins.md` describes every check.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import re
import socket
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import product
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine

from srr_engine.domain import Contract, Role
from srr_engine.errors import ContractError, problems_from_validation
from srr_engine.instrument import Assessment, ContractFacts, Evaluation, Fact, Instrument
from srr_engine.messages import Message
from srr_engine.plugins import load_plugins
from srr_engine.settings import PaceSettings, PluginSettings
from srr_engine.status import Status
from srr_engine.valuation import TableRegistry, ValuationTable

#: The contract `make_contract` starts from: three years of office cleaning, as a contract file has it.
DEFAULT_CONTRACT: dict[str, Any] = {
    "reference": "TEST-2026-0001",
    "title": "Schoonmaak kantoren (testcontract)",
    "buyer": "Gemeente Voorbeeld",
    "category": "services",
    "cpv": "90910000",
    "value_eur": "2400000.00",
    "wage_sum_eur": "1500000.00",
    "start": "2026-01-01",
    "end": "2028-12-31",
    "supplier": "Voorbeeld Schoonmaak BV",
}

#: What the suite assumes was recorded, unless a test class names its own `fact_sets`.
DEFAULT_FACT_SETS: dict[str, dict[str, Any]] = {
    "nothing_recorded": {},
    "reported": {"realised_eur": "60000.00", "pending_eur": "2500.00", "last_reported_on": "2026-09-30"},
}

NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")  # the `kind` in contract files; stored in 64 characters
RULE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")  # e.g. `pso.renewal_due`
EFORMS_CODE = re.compile(r"^BT-\d+(-[A-Za-z]+)?$")  # e.g. `BT-71`, `BT-736-Lot`
ENGINE_RULES = "checkin."  # the prefix of the engine's own check-in rules
FINAL = {Status.met, Status.not_met}


def make_contract(**changes: Any) -> Contract:
    """`DEFAULT_CONTRACT` with `changes` (plain data, e.g. `cpv="85311000"`), validated."""
    return Contract.model_validate({**DEFAULT_CONTRACT, **changes})


def fact(kind: str, on: date | str, **data: Any) -> Fact:
    """A recorded fact, e.g. `fact("partnership.kpi", "2026-05-01", kpi="learning_places", count=1)`."""
    return Fact.model_validate({"kind": kind, "on": on, "data": data})


def contract_facts(
    contract: Contract | None = None, as_of: date | str = "2026-06-30", **data: Any
) -> ContractFacts:
    """`ContractFacts` from plain data: amounts and dates as strings, facts and leniencies as dicts or
    models, e.g. `contract_facts(as_of="2026-12-31", realised_eur="92038.36")`."""
    return ContractFacts.model_validate({"contract": contract or make_contract(), "as_of": as_of, **data})


@lru_cache(maxsize=1)
def installed_tables() -> TableRegistry:
    """The valuation tables of the installed plugins (the engine's own included), as the engine loads them."""
    tables: list[ValuationTable] = []
    load_plugins(PluginSettings()).manager.hook.register_valuation_tables(register=tables.append)
    return TableRegistry(tables)


def make_instrument(
    cls: type[Instrument],
    settings: dict[str, Any] | None = None,
    tables: TableRegistry | None = None,
    pace: PaceSettings | None = None,
) -> Instrument:
    """An instance as the engine makes one: `settings` (`[instruments.<name>]`) validated by the
    instrument's `settings_model`, the default pace thresholds and the installed valuation tables."""
    own = cls.settings_model.model_validate(settings or {})
    return cls(
        settings=own, pace=pace or PaceSettings(), tables=installed_tables() if tables is None else tables
    )


def dates_across(contract: Contract, every_days: int = 7) -> list[date]:
    """A month before the start, every `every_days` days of the term, its end, the day after and a year on."""
    during = (contract.start + timedelta(days=d) for d in range(0, contract.term_days, every_days))
    edges = (
        contract.start - timedelta(days=30),
        contract.end,
        contract.end + timedelta(days=1),
        contract.end + timedelta(days=365),
    )
    return sorted({*during, *edges})


class IOAttempt(AssertionError):
    """Raised where a rule opened a file, a database or a network connection."""


@contextmanager
def no_io() -> Iterator[list[str]]:
    """Block opening files, databases and network connections; yields the list of attempts.

    Each attempt also raises `IOAttempt` where it happens, but a rule may catch that: check the list.
    """
    attempts: list[str] = []

    def refuse(what: str) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(what)
            raise IOAttempt(f"a rule called {what}: rules must be pure (no files, databases or network)")

        return blocked

    blocked = [
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
        (sqlite3, "connect"),
        (Engine, "connect"),
        (socket, "getaddrinfo"),
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
    ]
    with pytest.MonkeyPatch.context() as patch:
        for owner, name in blocked:
            patch.setattr(owner, name, refuse(f"{owner.__name__}.{name}"))
        yield attempts


@dataclass(frozen=True)
class Case:
    """One input for the rules: a contract, a config as a contract file writes it, and what was recorded."""

    contract: Contract
    config: dict[str, Any]
    facts: dict[str, Any]


class InstrumentConformance:
    """The checks every instrument must pass; subclass it as `Test<Instrument>` and set the attributes.

    Each rule runs for every combination of `contracts`, `valid_configs` and `fact_sets`, on the dates of
    `dates_across(contract, every_days)`.
    """

    instrument_class: ClassVar[type[Instrument]]
    #: Configs as contract files write them (without `kind`); each must be accepted.
    valid_configs: ClassVar[list[dict[str, Any]]]
    #: Configs that must be refused, each with the field the error must name.
    invalid_configs: ClassVar[list[tuple[dict[str, Any], str]]] = []
    #: Changes to `DEFAULT_CONTRACT`, one contract each.
    contracts: ClassVar[list[dict[str, Any]]] = [{}]
    #: Named sets of `ContractFacts` fields (realised value, facts, leniencies...) as plain data, the
    #: same on every date (`facts_of` hides facts recorded after `as_of`, as the engine does).
    fact_sets: ClassVar[dict[str, dict[str, Any]]] = DEFAULT_FACT_SETS
    #: The instrument's settings (`[instruments.<name>]`).
    instrument_settings: ClassVar[dict[str, Any]] = {}
    #: How long before the contract's start or after its end an obligation may fall due.
    due_margin: ClassVar[timedelta] = timedelta(days=2 * 365)
    #: Days between the dates the rules run on.
    every_days: ClassVar[int] = 7

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "case" in metafunc.fixturenames:
            combos = list(
                product(enumerate(self.contracts), enumerate(self.valid_configs), self.fact_sets.items())
            )
            metafunc.parametrize(
                "case",
                [Case(make_contract(**c), config, data) for (_, c), (_, config), (_, data) in combos],
                ids=[
                    f"contract{i}-config{j}-{name}" if len(self.contracts) > 1 else f"config{j}-{name}"
                    for (i, _), (j, _), (name, _) in combos
                ],
            )
        if "invalid" in metafunc.fixturenames:
            metafunc.parametrize(
                "invalid", self.invalid_configs, ids=[name for _, name in self.invalid_configs]
            )

    @pytest.fixture
    def instrument(self) -> Instrument:
        return make_instrument(self.instrument_class, self.instrument_settings)

    def prepared(self, instrument: Instrument, case: Case) -> BaseModel:
        """The config as the engine stores it: validated by `config_model`, completed by `prepare`."""
        return instrument.prepare(case.contract, instrument.config_model.model_validate(case.config))

    def run_rules(self, instrument: Instrument, case: Case) -> dict[str, Any]:
        """Every rule's output on every date, as the engine stores it; the inputs must stay as they were."""
        config = self.prepared(instrument, case)
        config_before = config.model_dump()
        out: dict[str, Any] = {"tender": instrument.tender(case.contract, config).model_dump(mode="json")}
        for day in dates_across(case.contract, self.every_days):
            facts = contract_facts(case.contract, day, **case.facts)
            facts_before = facts.model_dump()
            assessment = instrument.assess(facts, config)
            out[day.isoformat()] = [
                [o.model_dump(mode="json") for o in instrument.obligations(facts, config)],
                assessment.model_dump(mode="json"),
                [c.model_dump(mode="json") for c in instrument.checkins(facts, config, assessment)],
                instrument.evaluate(facts, config).model_dump(mode="json"),
            ]
            assert facts.model_dump() == facts_before, (
                f"a rule changed the ContractFacts it was given ({day})"
            )
        assert config.model_dump() == config_before, "a rule changed the config it was given"
        return out

    def test_identity(self) -> None:
        cls = self.instrument_class
        assert NAME.match(cls.name), f"name {cls.name!r}: lower case, digits and _, at most 64 characters"
        _message(cls.title, "title")
        _message(cls.description, "description")
        for model in (cls.config_model, cls.settings_model):
            assert issubclass(model, BaseModel), f"{model!r} is not a pydantic model"
            assert model.model_config.get("extra") == "forbid", f"{model.__name__} must refuse unknown fields"

    def test_combination_attributes(self) -> None:
        cls = self.instrument_class
        assert all(isinstance(k, str) for k in cls.conflicts_with), "conflicts_with holds kinds (str)"
        assert all(isinstance(k, str) and isinstance(m, Message) for k, m in cls.warns_with.items()), (
            "warns_with maps kinds to a Message"
        )
        assert cls.name not in cls.conflicts_with | set(cls.warns_with), (
            "an instrument does not combine with itself"
        )
        assert not cls.conflicts_with & set(cls.warns_with), "a kind either conflicts or warns, not both"
        assert isinstance(cls.multiple_per_contract, bool)

    def test_valid_config(self, instrument: Instrument, case: Case) -> None:
        config = self.prepared(instrument, case)
        model = instrument.config_model
        assert isinstance(config, model), "prepare() returns the instrument's config_model"
        assert model.model_validate(config.model_dump(mode="json")) == config, (
            "the config must read back equal from the JSON the engine stores"
        )
        with pytest.raises(ValidationError, match="no_such_field"):
            model.model_validate({**case.config, "no_such_field": 1})
        for found in (
            instrument.not_applicable(case.contract, config),
            instrument.award_problems(case.contract, config, case.contract.start),
        ):
            for item in found:
                _message(item, "a reason")
        assert instrument.award(case.contract, config, {}) == config, "an empty offer keeps the config"
        if (table := instrument.valuation_table(config)) is not None:
            instrument.tables.get(*table)

    def test_invalid_config_names_the_field(
        self, instrument: Instrument, invalid: tuple[dict[str, Any], str]
    ) -> None:
        data, field = invalid
        contract = make_contract(**self.contracts[0])
        with pytest.raises((ValidationError, ContractError)) as refused:
            instrument.prepare(contract, instrument.config_model.model_validate(data))
        error = refused.value
        if isinstance(error, ValidationError):
            shown = " ".join(p.text(lang) for p in problems_from_validation(error) for lang in ("nl", "en"))
        else:
            shown = f"{error.message.nl} {error.message.en}"
        assert _names(shown, field), f"the error must name {field!r}; it says: {shown}"

    def test_tender(self, instrument: Instrument, case: Case) -> None:
        output = instrument.tender(case.contract, self.prepared(instrument, case))
        _message(output.clause, "the clause")
        for code, value in output.eforms.items():
            assert EFORMS_CODE.match(code), f"eForms key {code!r} is not a business term like BT-71"
            assert isinstance(value, str) and value.strip(), f"eForms {code} needs a value"
        _plain_json(output.ocds, "ocds")

    def test_obligations(self, instrument: Instrument, case: Case) -> None:
        config, contract = self.prepared(instrument, case), case.contract
        earliest, latest = contract.start - self.due_margin, contract.end + self.due_margin
        for day in dates_across(contract, self.every_days):
            obligations = instrument.obligations(contract_facts(contract, day, **case.facts), config)
            keys = [o.key for o in obligations]
            assert len(set(keys)) == len(keys), f"obligation keys repeat on {day}: {keys}"
            for o in obligations:
                assert o.key.strip(), "an obligation needs a key"
                _message(o.description, f"obligation {o.key}")
                _money(o.amount_eur, f"{o.key}.amount_eur")
                assert o.target is None or o.target >= 0, f"{o.key}.target is negative"
                assert earliest <= o.due <= latest, (
                    f"{o.key} is due on {o.due}, far outside {contract.start}..{contract.end}"
                )

    def test_assessments_across_dates(self, instrument: Instrument, case: Case) -> None:
        config = self.prepared(instrument, case)
        for day in dates_across(case.contract, self.every_days):
            assessment = instrument.assess(contract_facts(case.contract, day, **case.facts), config)
            _result(assessment, instrument.name, day)
            assert assessment.reasons, f"an assessment says why ({day})"
            for name in ("obligation_eur", "expected_eur", "realised_eur", "pending_eur"):
                _money(getattr(assessment, name), f"{name} on {day}")
            if assessment.expected_eur is not None and assessment.obligation_eur is not None:
                assert assessment.expected_eur <= assessment.obligation_eur, (
                    f"more expected than obliged on {day}"
                )

    def test_checkins(self, instrument: Instrument, case: Case) -> None:
        config = self.prepared(instrument, case)
        for day in dates_across(case.contract, self.every_days):
            facts = contract_facts(case.contract, day, **case.facts)
            due = instrument.checkins(facts, config, instrument.assess(facts, config))
            again = contract_facts(case.contract, day, **case.facts)
            assert instrument.checkins(again, config, instrument.assess(again, config)) == due, (
                f"check-ins differ for the same date {day}: the period must be stable"
            )
            keys = [(c.rule, role, c.period) for c in due for role in c.roles]
            assert len(set(keys)) == len(keys), f"check-ins repeat (rule, role, period) on {day}: {keys}"
            for c in due:
                assert RULE.match(c.rule) and len(c.rule) <= 64, (
                    f"rule {c.rule!r}: dotted, e.g. pso.renewal_due"
                )
                assert not c.rule.startswith(ENGINE_RULES), (
                    f"rule {c.rule!r}: {ENGINE_RULES}* is the engine's"
                )
                assert c.roles and all(isinstance(r, Role) for r in c.roles), f"{c.rule}: roles"
                assert c.period.strip() and len(c.period) <= 64, f"{c.rule}: period {c.period!r}"
                _message(c.message, c.rule)

    def test_evaluation(self, instrument: Instrument, case: Case) -> None:
        config = self.prepared(instrument, case)
        for day in dates_across(case.contract, self.every_days):
            evaluation = instrument.evaluate(contract_facts(case.contract, day, **case.facts), config)
            _result(evaluation, instrument.name, day)
            if day >= case.contract.end:
                assert evaluation.status in FINAL, f"a final evaluation is met or not_met ({day})"
            for name in ("obligation_eur", "realised_eur", "shortfall_eur", "penalty_eur"):
                _money(getattr(evaluation, name), f"{name} on {day}")
            if evaluation.shortfall_eur is not None and evaluation.obligation_eur is not None:
                assert evaluation.shortfall_eur <= evaluation.obligation_eur, (
                    f"shortfall above obligation ({day})"
                )

    def test_rules_are_deterministic(self, case: Case) -> None:
        first = self.run_rules(make_instrument(self.instrument_class, self.instrument_settings), case)
        second = self.run_rules(make_instrument(self.instrument_class, self.instrument_settings), case)
        assert first == second, "the same input gave a different output"

    def test_rules_do_no_io(self, instrument: Instrument, case: Case) -> None:
        expected = self.run_rules(instrument, case)
        fresh = make_instrument(self.instrument_class, self.instrument_settings)
        with no_io() as attempts:
            try:
                got = self.run_rules(fresh, case)
            except IOAttempt:
                got = None
        assert not attempts, f"rules must not do I/O; they called {sorted(set(attempts))}"
        assert got == expected


def _message(value: Any, what: str) -> None:
    assert isinstance(value, Message), f"{what} must be a Message(nl=..., en=...)"
    assert value.nl.strip() and value.en.strip(), f"{what} needs Dutch and English text"


def _money(amount: Decimal | None, what: str) -> None:
    if amount is None:
        return
    assert isinstance(amount, Decimal) and amount.is_finite(), f"{what} must be a Decimal"
    assert amount >= 0, f"{what} is negative: {amount}"
    assert int(amount.as_tuple().exponent) >= -2, (
        f"{what} is not in whole cents: {amount} (round with srr_engine.status.cents)"
    )


def _plain_json(value: Any, what: str) -> None:
    """Plain JSON data (str, int, float, bool, None, lists, dicts), which is what the engine stores and
    reads back; dates and Decimals must be strings."""
    try:
        problem = None if json.loads(json.dumps(value, allow_nan=False)) == value else "it changes (tuples?)"
    except (TypeError, ValueError) as exc:
        problem = str(exc)
    assert problem is None, f"{what} is not plain JSON data: {problem}"


def _result(result: Assessment | Evaluation, kind: str, day: date) -> None:
    assert result.kind == kind, f"kind {result.kind!r} should be {kind!r}"
    assert isinstance(result.status, Status) and result.status is not Status.error, (
        f"status {result.status!r} on {day}: `error` is the engine's, for a plugin that failed"
    )
    _plain_json(result.figures, f"figures on {day}")
    for reason in result.reasons:
        _message(reason, f"a reason on {day}")
    assert type(result).model_validate(result.model_dump(mode="json")) == result, (
        f"the result on {day} must read back equal from the JSON the engine stores"
    )


def _names(text: str, field: str) -> bool:
    """Whether `text` names `field`, as written or in words (`offered_percentage`: "offered percentage")."""
    lowered = text.lower()
    return field.lower() in lowered or field.lower().replace("_", " ") in lowered
