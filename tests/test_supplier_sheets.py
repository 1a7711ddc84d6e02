"""Supplier spreadsheets: the template workbook (drop-downs from the contract's valuation table, Dutch
instructions) imports with the existing importer once filled; errors name the row and the column;
ledgers and stored assessments export to CSV and XLSX."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from srr_test_support import row_counts

from srr_engine.realisation_rows import COLUMNS, OPTIONAL_COLUMNS
from srr_engine.registry import get_registry
from srr_engine.sweep import sweep

UTRECHT_GROUPS = ["participatiewet", "banenafspraak", "wia_wao", "ww", "no_benefit", "mbo_bbl", "mbo_bol",
                  "praktijkonderwijs_vso"]


def template(srr, tmp_path: Path, reference: str = "RWS-2026-0042") -> Path:
    path = tmp_path / "rapportage.xlsx"
    out = srr.ok("realisations", "template", reference, "--output", path)
    assert "utrecht" in out
    return path


def lists_of(book) -> dict[str, list[str]]:
    sheet = book["Lijsten"]
    columns = {}
    for column in sheet.iter_cols(values_only=True):
        columns[column[0]] = [v for v in column[1:] if v is not None]
    return columns


def validation_for(sheet, column: str):
    return next(v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(f"{column}2:"))


def fill(path: Path, rows: list[list[object]]) -> Path:
    """What a supplier does: type rows into the first sheet (numbers as numbers, dates as dates)."""
    book = load_workbook(path)
    sheet = book["Realisaties"]
    for n, row in enumerate(rows, start=2):
        for m, value in enumerate(row, start=1):
            sheet.cell(row=n, column=m, value=value)
    filled = path.with_name("ingevuld.xlsx")
    book.save(filled)
    return filled


def test_template_has_drop_downs_from_the_valuation_table_and_dutch_instructions(srr_sqlite, examples, tmp_path):
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    book = load_workbook(template(srr_sqlite, tmp_path))
    assert book.sheetnames == ["Realisaties", "Instructies", "Lijsten"]
    assert book["Lijsten"].sheet_state == "hidden"
    data = book["Realisaties"]
    assert [c.value for c in data[1]] == [*COLUMNS, *OPTIONAL_COLUMNS]
    assert data.freeze_panes == "A2"

    lists = lists_of(book)
    assert lists["contract"] == ["RWS-2026-0042"]
    assert lists["kind"] == ["placement", "learning", "purchase", "activity"]
    assert lists["target_group"] == UTRECHT_GROUPS + ["social_enterprise", "sw_company"]
    assert lists["bonuses"] == ["age_50_plus", "status_holder", "permanent_contract"]
    kind = validation_for(data, "C")
    assert (kind.type, kind.formula1) == ("list", "=Lijsten!$B$2:$B$5") and kind.showErrorMessage
    assert validation_for(data, "D").formula1 == "=Lijsten!$C$2:$C$11"
    bonuses = validation_for(data, "J")
    assert bonuses.formula1 == "=Lijsten!$D$2:$D$4" and bonuses.errorStyle == "warning"  # several allowed with ;
    assert (validation_for(data, "E").type, validation_for(data, "F").type) == ("decimal", "date")
    assert "Pseudoniem" in data["B1"].comment.text

    text = "\n".join(" ".join(str(v) for v in row if v) for row in book["Instructies"].iter_rows(values_only=True))
    assert "Rapportage social return: RWS-2026-0042" in text
    assert "Bouwblokkenmodel social return Utrecht (regio utrecht, versie current" in text
    assert "Zo vult u het in" in text and "nooit een naam of BSN" in text
    assert "banenafspraak Banenafspraak / doelgroepregister: EUR 50,000 per jaar" in text
    assert "srr realisations import BESTAND.xlsx" in text


def test_a_filled_template_imports_with_the_existing_importer(srr, examples, tmp_path):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    rows = [  # examples/realisations.csv, typed the way a spreadsheet stores it
        ["RWS-2026-0042", "P-7f3a", "placement", "participatiewet", 36, datetime(2026, 2, 1), datetime(2026, 12, 31),
         None, None, None, "contract P-7f3a"],
        ["RWS-2026-0042", "P-91c2", "placement", "banenafspraak", 24, datetime(2026, 4, 1), datetime(2027, 3, 31),
         None, None, "age_50_plus", "contract P-91c2"],
        ["RWS-2026-0042", "P-0b77", "learning", "mbo_bbl", 36, datetime(2026, 9, 1), datetime(2027, 8, 31),
         None, None, None, "BBL agreement"],
        ["RWS-2026-0042", None, "purchase", "social_enterprise", None, datetime(2026, 5, 1), datetime(2026, 5, 31),
         12000.00, None, None, "invoice 2026-118"],
        ["RWS-2026-0042", None, "activity", None, None, datetime(2026, 6, 10), datetime(2026, 6, 10), None, 16, None,
         "guest lesson ROC"],
    ]
    filled = fill(template(srr, tmp_path), rows)
    out = srr.ok("realisations", "import", filled, "--reported-on", "2026-12-15")
    assert "5 realisaties ingelezen (RWS-2026-0042: 5)" in out
    srr.ok("realisations", "review", "RWS-2026-0042", "--accept-all")
    sroi = json.loads(srr.ok("status", "RWS-2026-0042", "--as-of", "2026-12-31", "--json"))["contracts"][0]["instruments"][0]
    assert sroi["realised_eur"] == "92038.36"  # the same as the example CSV (tests/test_realisations.py)


def test_errors_in_a_filled_template_name_the_row_and_column_and_change_nothing(srr_sqlite, examples, tmp_path):
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    filled = fill(template(srr_sqlite, tmp_path), [
        ["RWS-2026-0042", "123456789", "placement", "participatiewet", 36, datetime(2026, 2, 1),
         datetime(2026, 12, 31)],
        ["RWS-2026-0042", "P-2", "placement", "participatiewet", None, datetime(2026, 2, 1), datetime(2026, 12, 31)],
        ["RWS-2026-0042", "P-3", "plaatsing", "participatiewet", 36, datetime(2026, 2, 1), datetime(2026, 12, 31)],
        ["RWS-2026-0042", "P-4", "placement", "participatiewet", 36, "1 februari", datetime(2026, 12, 31)],
    ])
    before = row_counts(srr_sqlite.url)
    result = srr_sqlite("realisations", "import", filled)
    assert result.code == 2
    assert "regel 2, veld 'candidate': gebruik een pseudoniem" in result.err
    assert "regel 3" in result.err and "hours_per_week" in result.err
    assert "regel 4, veld 'kind'" in result.err
    assert "regel 5, veld 'start': is geen datum" in result.err
    assert row_counts(srr_sqlite.url) == before


def test_template_is_refused_for_a_contract_without_a_valuation_table_or_a_non_xlsx_file(srr_sqlite, examples, tmp_path):
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    result = srr_sqlite("realisations", "template", "DJI-2026-0007", "--output", tmp_path / "t.xlsx")
    assert result.code == 2 and "waardeert" in result.err and not (tmp_path / "t.xlsx").exists()
    result = srr_sqlite("realisations", "template", "RWS-2026-0042", "--output", tmp_path / "t.csv")
    assert result.code == 2 and ".xlsx" in result.err


def test_realisation_ledger_exports_to_csv_and_xlsx(srr_sqlite, examples, tmp_path):
    srr = srr_sqlite
    srr.ok("contracts", "add", examples / "contracts.yaml")
    srr.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-06-01")
    srr.ok("realisations", "review", "RWS-2026-0042", "--reject", "4", "--reason", "factuur ontbreekt")
    srr.ok("realisations", "review", "RWS-2026-0042", "--accept-all")
    listed = json.loads(srr.ok("realisations", "list", "RWS-2026-0042", "--as-of", "2026-12-31", "--json"))

    out = srr.ok("realisations", "export", "RWS-2026-0042", "--output", tmp_path / "ledger.csv", "--as-of", "2026-12-31")
    assert "5 realisaties van RWS-2026-0042" in out
    with (tmp_path / "ledger.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["value_eur"] for r in rows] == [r["value_eur"] for r in listed["realisations"]]
    assert rows[1]["bonuses"] == "age_50_plus" and rows[1]["hours_per_week"] == "24.00"
    assert (rows[3]["status"], rows[3]["review_reason"], rows[3]["amount_eur"]) == ("rejected", "factuur ontbreekt",
                                                                                  "12000.00")
    semicolons = tmp_path / "ledger-nl.csv"
    srr.ok("realisations", "export", "RWS-2026-0042", "--output", semicolons, "--delimiter", ";")
    assert semicolons.read_text(encoding="utf-8-sig").splitlines()[0].startswith("id;contract;candidate")

    srr.ok("realisations", "export", "RWS-2026-0042", "--output", tmp_path / "ledger.xlsx", "--as-of", "2026-12-31")
    sheet = load_workbook(tmp_path / "ledger.xlsx").active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("id", "contract", "candidate", "kind") and len(values) == 6
    assert values[1][6] == datetime(2026, 2, 1) and f"{values[1][-1]:.2f}" == listed["realisations"][0]["value_eur"]


def test_stored_assessments_export_to_csv_and_xlsx(srr, examples, tmp_path):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    for day in (date(2026, 3, 31), date(2026, 6, 30)):
        sweep(day, get_registry())
    out = srr.ok("export", "assessments", "--output", tmp_path / "a.csv")
    assert "6 beoordelingen" in out  # 3 instruments on 2 dates
    with (tmp_path / "a.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["contract"], r["instrument"], r["as_of"]) for r in rows[:2]] == [
        ("DJI-2026-0007", "reservation", "2026-03-31"), ("DJI-2026-0007", "reservation", "2026-06-30")]
    sroi = [r for r in rows if r["instrument"] == "sroi_clause"]
    assert sroi[0]["obligation_eur"] == "120000.00" and sroi[0]["status"]
    assert json.loads(sroi[0]["figures"])["valuation_table"] == "utrecht" and sroi[0]["reasons"]

    srr.ok("export", "assessments", "--output", tmp_path / "a.xlsx", "--contract", "RWS-2026-0042",
           "--from", "2026-06-01", "--to", "2026-06-30")
    values = list(load_workbook(tmp_path / "a.xlsx").active.iter_rows(values_only=True))
    assert len(values) == 3 and {v[1] for v in values[1:]} == {"sroi_clause", "partnership"}
    assert values[1][2] == datetime(2026, 6, 30)
