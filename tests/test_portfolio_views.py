"""`srr status --portfolio`: totals per buyer, supplier, CPV division and instrument from the stored
monitoring, jobs for the banenafspraak, small contracts that could be bundled, and pilots."""

from __future__ import annotations

import json
from datetime import date

import yaml

from srr_engine.registry import get_registry
from srr_engine.sweep import sweep


def test_portfolio_view(srr_sqlite, examples, tmp_path):
    small = [{"reference": f"DRUK-{n}", "title": f"Drukwerk {n}", "buyer": "Rijkswaterstaat", "category": "services",
              "cpv": "79810000", "value_eur": value, "start": "2026-01-01", "end": "2026-12-31",
              "supplier": "Drukkerij Samen"} for n, value in ((1, "140000.00"), (2, "130000.00"))]
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small), encoding="utf-8")
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    srr_sqlite.ok("contracts", "add", path)
    srr_sqlite.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-06-01")
    srr_sqlite.ok("realisations", "review", "RWS-2026-0042", "--accept-all")
    sweep(date(2026, 12, 31), get_registry())

    view = json.loads(srr_sqlite.ok("status", "--portfolio", "--as-of", "2026-12-31", "--json"))
    assert view["totals"]["buyer"]["Rijkswaterstaat"] == {"committed_eur": "120000.00", "realised_eur": "92038.36"}
    assert view["totals"]["instrument"]["sroi_clause"]["realised_eur"] == "92038.36"
    assert view["totals"]["cpv_division"]["90"]["committed_eur"] == "120000.00"
    assert view["banenafspraak_jobs"] == 1  # P-91c2
    assert view["bundle_candidates"] == [{"buyer": "Rijkswaterstaat", "supplier": "Drukkerij Samen",
                                          "contracts": ["DRUK-1", "DRUK-2"], "total_eur": "270000.00"}]
    assert [p["reference"] for p in view["pilots"]] == ["DJI-2026-0007"]
    assert "Drukkerij Samen" in srr_sqlite.ok("status", "--portfolio", "--as-of", "2026-12-31")
