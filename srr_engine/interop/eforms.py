"""eForms codes per lot, from what each instrument's `tender()` gives (`TenderOutput.eforms`).

An engine contract is one lot (`LOT-0001`). Codes several instruments share (BT-06 `soc-obj`) are
listed once with every instrument that asks for them; texts (BT-70) are kept per instrument. Award
criteria (BT-539/BT-734/BT-540/BT-541) are listed when an instrument gives them, or when its OCDS
output names `awardCriteria` as a sustainability strategy (then: BT-539 `quality`, BT-540 its clause).
Reading only: the contract and its phase are not changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from srr_engine.domain import Contract
from srr_engine.errors import ContractError, Problem, UserError
from srr_engine.instrument import TenderOutput
from srr_engine.messages import Message, msg
from srr_engine.registry import Registry

LOT = "LOT-0001"
AWARD_CRITERIA = ("BT-539", "BT-734", "BT-540", "BT-541")
ORDER = ("BT-06", "BT-775", "BT-774", "BT-71", "BT-736", "BT-70", *AWARD_CRITERIA)
NAMES: dict[str, Message] = {
    "BT-06": msg("Strategische aanbesteding", "Strategic procurement"),
    "BT-70": msg("Uitvoeringsvoorwaarden", "Terms of performance"),
    "BT-71": msg("Voorbehouden deelname", "Reserved participation"),
    "BT-736": msg("Voorbehouden uitvoering", "Reserved execution"),
    "BT-774": msg("Milieueffect", "Green procurement"),
    "BT-775": msg("Sociaal doel", "Social objective"),
    "BT-539": msg("Soort gunningscriterium", "Award criterion type"),
    "BT-734": msg("Naam gunningscriterium", "Award criterion name"),
    "BT-540": msg("Beschrijving gunningscriterium", "Award criterion description"),
    "BT-541": msg("Weging gunningscriterium", "Award criterion weight"),
}
CODES: dict[tuple[str, str], Message] = {
    ("BT-06", "soc-obj"): msg("sociaal doel", "social objective"),
    ("BT-06", "env-imp"): msg("milieueffect verminderen", "reduction of environmental impacts"),
    ("BT-06", "inn-pur"): msg("innovatieve aankoop", "innovative purchase"),
    ("BT-06", "none"): msg("geen", "none"),
    ("BT-775", "opp"): msg("werkgelegenheid voor langdurig werklozen, kansarmen en/of mensen met een beperking",
                           "employment opportunities for long-term unemployed, disadvantaged persons and/or "
                           "persons with disabilities"),
    ("BT-775", "acc-all"): msg("toegankelijkheid voor iedereen", "accessibility for all"),
    ("BT-775", "work-cond"): msg("arbeidsomstandigheden", "working conditions"),
    ("BT-775", "other"): msg("ander sociaal doel", "other social objective"),
    ("BT-71", "res-ws"): msg("voorbehouden aan sociale werkplaatsen en ondernemers gericht op de integratie van "
                             "gehandicapten of kansarmen", "reserved to sheltered workshops and economic operators "
                             "aiming at the integration of disabled or disadvantaged persons"),
    ("BT-71", "res-pub-ser"): msg("voorbehouden aan organisaties met een publieke dienstverleningsopdracht",
                                  "reserved to organisations pursuing a public service mission"),
    ("BT-71", "none"): msg("niet voorbehouden", "not reserved"),
    ("BT-736", "yes"): msg("uitvoering in het kader van programma's voor beschermde arbeid",
                           "execution within sheltered employment programmes"),
    ("BT-736", "no"): msg("nee", "no"),
    ("BT-539", "quality"): msg("kwaliteit", "quality"),
    ("BT-539", "price"): msg("prijs", "price"),
    ("BT-539", "cost"): msg("kosten", "cost"),
}


@dataclass
class EformsLine:
    """One business term of a lot: its code, value, what the value means, and who asks for it."""

    bt: str
    value: str
    kinds: list[str] = field(default_factory=list)

    @property
    def name(self) -> Message:
        return NAMES.get(self.bt, msg(self.bt, self.bt))

    @property
    def meaning(self) -> Message | None:
        return CODES.get((self.bt, self.value))

    @property
    def award_criterion(self) -> bool:
        return self.bt in AWARD_CRITERIA


@dataclass
class Lot:
    lot: str
    contract: Contract
    lines: list[EformsLine]

    @property
    def award_criteria(self) -> list[EformsLine]:
        return [line for line in self.lines if line.award_criterion]


def tender_outputs(reference: str, registry: Registry, engine: Engine | None = None
                   ) -> tuple[Contract, list[tuple[str, TenderOutput]]]:
    """Each instrument's tender output for a registered contract (read only)."""
    from srr_engine.lifecycle import validated_config
    from srr_engine.storage.contracts import require_contract
    from srr_engine.storage.db import unit_of_work

    with unit_of_work(engine) as session:
        stored = require_contract(session, reference)
    outputs = []
    for app in stored.applications:
        instrument = registry.instrument(app.kind)
        config = validated_config(instrument, app, f"{reference}, {app.kind}")
        try:
            outputs.append((app.kind, instrument.tender(stored.contract, config)))
        except ContractError as exc:
            raise UserError([Problem(f"{reference}, {app.kind}", exc.message)]) from None
    return stored.contract, outputs


def lots(contract: Contract, outputs: list[tuple[str, TenderOutput]]) -> list[Lot]:
    """The eForms lines per lot (one lot per contract), in the order of the notice."""
    lines: dict[tuple[str, str], EformsLine] = {}
    for kind, output in outputs:
        codes: dict[str, Any] = dict(output.eforms)
        strategies = {s for entry in output.ocds.get("sustainability", []) if isinstance(entry, dict)
                      for s in entry.get("strategies") or []}
        if "awardCriteria" in strategies and "BT-539" not in codes:
            codes.setdefault("BT-539", "quality")
            codes.setdefault("BT-540", output.clause.nl)
        for bt, value in codes.items():
            key = (bt, str(value)) if bt != "BT-70" and bt != "BT-540" else (bt, f"{kind}:{value}")
            line = lines.setdefault(key, EformsLine(bt, str(value)))
            if kind not in line.kinds:
                line.kinds.append(kind)
    rank = {bt: n for n, bt in enumerate(ORDER)}
    ordered = sorted(lines.values(), key=lambda line: (rank.get(line.bt, len(ORDER)), line.bt))
    return [Lot(LOT, contract, ordered)]
