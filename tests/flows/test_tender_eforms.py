"""`srr tender REF --eforms` on a real flow run lists per lot the eForms codes and texts of the
contract's instruments (not the whole Markdown file)."""

from __future__ import annotations

import yaml


def test_tender_lists_eforms_codes_and_texts_per_lot(srr, examples, tmp_path):
    contracts = yaml.safe_load((examples / "contracts.yaml").read_text())
    for contract in contracts:
        del contract["supplier"]  # still to be tendered
        contract["contacts"] = {}
    contracts[1]["instruments"][0]["reserved_execution"] = True
    path = tmp_path / "planned.yaml"
    path.write_text(yaml.safe_dump(contracts, sort_keys=False, allow_unicode=True))
    srr.ok("contracts", "add", path)

    out = srr.ok("tender", "RWS-2026-0042", "--on", "2025-09-01", "--eforms")
    assert "RWS-2026-0042 staat in fase tendering" in out
    assert "Perceel LOT-0001: RWS-2026-0042, Schoonmaak kantoren regio Midden-Nederland" in out
    assert "BT-06   Strategische aanbesteding: soc-obj (sociaal doel)  [sroi_clause, partnership]" in out
    assert "BT-775  Sociaal doel: opp (werkgelegenheid voor langdurig werklozen" in out
    assert "BT-70   Uitvoeringsvoorwaarden  [sroi_clause]" in out
    assert "Gunningscriteria: geen" in out
    assert "## " not in out and "```" not in out  # the listing, not the Markdown file

    out = srr.ok("tender", "DJI-2026-0007", "--on", "2025-10-01", "--eforms")
    assert "BT-71   Voorbehouden deelname: res-ws (voorbehouden aan sociale werkplaatsen" in out
    assert "BT-736  Voorbehouden uitvoering: yes (uitvoering in het kader van programma's voor beschermde arbeid)" in out
