"""eForms business terms per lot from the instruments' tender output (what `srr tender REF --eforms`
lists; tests/flows/test_tender_eforms.py runs the command on a real flow run)."""

from __future__ import annotations

import yaml

from srr_engine.contracts import check_file
from srr_engine.instrument import TenderOutput
from srr_engine.interop.eforms import lots
from srr_engine.messages import msg
from srr_engine.registry import get_registry


def outputs_of(path, reference):
    checked = next(c for c in check_file(path, get_registry()) if c.contract.reference == reference)
    return checked.contract, [(i.kind, i.instrument.tender(checked.contract, i.config)) for i in checked.instruments]


def test_codes_per_lot_once_with_every_instrument_that_asks_and_texts_per_instrument(srr_sqlite, examples):
    contract, outputs = outputs_of(examples / "contracts.yaml", "RWS-2026-0042")  # sroi_clause + partnership
    [lot] = lots(contract, outputs)
    assert lot.lot == "LOT-0001"
    assert [(line.bt, line.value if line.bt != "BT-70" else "...") for line in lot.lines] == [
        ("BT-06", "soc-obj"), ("BT-775", "opp"), ("BT-70", "...")]
    assert lot.lines[0].kinds == ["sroi_clause", "partnership"]
    assert lot.lines[0].name.nl == "Strategische aanbesteding" and lot.lines[0].meaning.en == "social objective"
    assert lot.lines[1].meaning.nl.startswith("werkgelegenheid voor langdurig werklozen")
    assert "5 %" in lot.lines[2].value and lot.lines[2].kinds == ["sroi_clause"]
    assert lot.award_criteria == []


def test_reserved_participation_and_execution(srr_sqlite, examples, tmp_path):
    contracts = yaml.safe_load((examples / "contracts.yaml").read_text())
    contracts[1]["instruments"][0]["reserved_execution"] = True
    path = tmp_path / "contracts.yaml"
    path.write_text(yaml.safe_dump(contracts, sort_keys=False, allow_unicode=True))
    contract, outputs = outputs_of(path, "DJI-2026-0007")
    [lot] = lots(contract, outputs)
    assert [(line.bt, line.value) for line in lot.lines] == [("BT-71", "res-ws"), ("BT-736", "yes")]
    assert lot.lines[0].name.en == "Reserved participation" and "sheltered workshops" in lot.lines[0].meaning.en


def test_award_criteria_when_social_return_is_one(srr_sqlite, examples):
    contract, _ = outputs_of(examples / "contracts.yaml", "RWS-2026-0042")
    clause = msg("Social return weegt 20 % mee in de gunning.", "Social return weighs 20 % in the award.")
    criterion = TenderOutput(clause=clause, eforms={"BT-06": "soc-obj", "BT-775": "opp"}, ocds={
        "sustainability": [{"goal": "social.disadvantagedEmploymentOpportunities", "strategies": ["awardCriteria"]}]})
    weighted = TenderOutput(clause=clause, eforms={"BT-539": "quality", "BT-734": "Social return", "BT-541": "20"})
    [lot] = lots(contract, [("sroi_award", criterion)])
    assert [(line.bt, line.value) for line in lot.award_criteria] == [
        ("BT-539", "quality"), ("BT-540", "Social return weegt 20 % mee in de gunning.")]
    [lot] = lots(contract, [("weighted", weighted)])
    assert [line.bt for line in lot.award_criteria] == ["BT-539", "BT-734", "BT-541"]
    assert lot.award_criteria[0].meaning.nl == "kwaliteit"
