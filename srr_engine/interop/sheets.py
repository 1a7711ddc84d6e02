"""The supplier's workbook: `srr realisations template REF --output FILE.xlsx`.

The first sheet has exactly the columns `srr realisations import` reads (so a filled workbook imports
as it is), with drop-down lists for the contract, the kinds, the target groups and purchase types and
the bonuses of the contract's valuation table, and checks on numbers and dates. The second sheet
explains it in Dutch; a hidden third sheet holds the lists. Data rows start at row 2, so the line
numbers in import errors are the spreadsheet's row numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from srr_engine.errors import UserError
from srr_engine.messages import msg
from srr_engine.realisation_rows import COLUMNS, OPTIONAL_COLUMNS
from srr_engine.registry import Registry
from srr_engine.valuation import ValuationTable

DATA_SHEET = "Realisaties"
HELP_SHEET = "Instructies"
LIST_SHEET = "Lijsten"
ROWS = 500
HEADERS = (*COLUMNS, *OPTIONAL_COLUMNS)
KIND_WORDS = {
    "placement": "plaatsing: een kandidaat uit de doelgroep aan het werk (uren per week, doelgroep)",
    "learning": "leerwerkplek of opleiding (BBL, BOL, stage; uren per week, doelgroep)",
    "purchase": "inkoop bij een sociale onderneming of SW-bedrijf (bedrag excl. btw, soort in 'target_group')",
    "activity": "maatschappelijke activiteit of kennisdeling (uren, of een afgesproken bedrag)",
}
COLUMN_HELP = {
    "contract": "Contractkenmerk (kies uit de lijst).",
    "candidate": "Pseudoniem van de kandidaat zoals met de opdrachtgever afgesproken (bijv. P-7f3a). "
                 "Nooit een naam of BSN. Leeg bij inkoop.",
    "kind": "Soort inzet (kies uit de lijst).",
    "target_group": "Doelgroep van de kandidaat, of bij inkoop de soort leverancier (kies uit de lijst).",
    "hours_per_week": "Uren per week (bij plaatsing en leerwerkplek); 36 is voltijd.",
    "start": "Begindatum (JJJJ-MM-DD of DD-MM-JJJJ).",
    "end": "Einddatum (JJJJ-MM-DD of DD-MM-JJJJ); bij inkoop de factuurdatum.",
    "amount_eur": "Bedrag in euro excl. btw (bij inkoop, of een afgesproken bedrag bij een activiteit).",
    "hours": "Aantal uren (bij een activiteit).",
    "bonuses": "Bonus (kies uit de lijst); meer dan één: scheid met een puntkomma, bijv. age_50_plus;permanent_contract.",
    "evidence": "Bewijs: contract, factuur of verklaring (hoogstens 500 tekens).",
    "employed_6m": "Na 6 maanden nog in dienst? true of false (mag leeg).",
    "employed_12m": "Na 12 maanden nog in dienst? true of false (mag leeg).",
}


@dataclass
class Template:
    reference: str
    table: ValuationTable
    kinds: list[str]
    groups: list[str]
    bonuses: list[str]


def write_template(reference: str, registry: Registry, path: Path, engine: Engine | None = None) -> Template:
    """Write the workbook for one contract; refuses a contract whose instruments value nothing."""
    from srr_engine.realisations import table_for
    from srr_engine.storage.contracts import require_contract
    from srr_engine.storage.db import unit_of_work

    with unit_of_work(engine) as session:
        stored = require_contract(session, reference)
    table = table_for(stored, registry)
    if table is None:
        raise UserError(msg(
            f"contract {reference} heeft geen instrument dat realisaties waardeert (zoals sroi_clause): "
            "er valt niets te rapporteren",
            f"contract {reference} has no instrument that values realisations (such as sroi_clause): "
            "there is nothing to report"))
    kinds = (["placement", "learning"] if table.target_groups else []) + (["purchase"] if table.purchases else [])
    template = Template(reference, table, kinds + ["activity"], [*table.target_groups, *table.purchases],
                        list(table.bonuses))
    _workbook(template, stored.contract.title, stored.contract.start, stored.contract.end).save(path)
    return template


def _workbook(t: Template, title: str, start: date, end: date):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    data.append(list(HEADERS))
    for n, name in enumerate(HEADERS, start=1):
        cell = data.cell(row=1, column=n)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.comment = Comment(COLUMN_HELP.get(name, name), "srr-engine")
        data.column_dimensions[get_column_letter(n)].width = max(14, len(name) + 4)
    data.column_dimensions[_col("evidence")].width = 40
    data.freeze_panes = "A2"
    last = ROWS + 1
    for name in ("start", "end"):
        for row in range(2, last + 1):
            data[f"{_col(name)}{row}"].number_format = "yyyy-mm-dd"

    lists = book.create_sheet(LIST_SHEET)
    columns = {"contract": [t.reference], "kind": t.kinds, "target_group": t.groups, "bonuses": t.bonuses,
               "yes_no": ["true", "false"]}
    ranges = {}
    for n, (name, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(n)
        lists.cell(row=1, column=n, value=name)
        for m, value in enumerate(values, start=2):
            lists.cell(row=m, column=n, value=value)
        ranges[name] = f"{LIST_SHEET}!${letter}$2:${letter}${max(2, len(values) + 1)}"
    lists.sheet_state = "hidden"

    def check(name: str, validation: DataValidation, prompt: str) -> None:
        validation.error = validation.error or f"Ongeldige waarde in kolom {name}. {COLUMN_HELP[name]}"
        validation.errorTitle = "srr-engine"
        validation.prompt, validation.promptTitle = prompt[:255], name
        validation.showInputMessage = validation.showErrorMessage = True
        data.add_data_validation(validation)
        validation.add(f"{_col(name)}2:{_col(name)}{last}")

    check("contract", DataValidation(type="list", formula1=f"={ranges['contract']}", allow_blank=True),
          COLUMN_HELP["contract"])
    check("candidate", DataValidation(type="textLength", operator="lessThanOrEqual", formula1="64", allow_blank=True),
          COLUMN_HELP["candidate"])
    check("kind", DataValidation(type="list", formula1=f"={ranges['kind']}", allow_blank=True), COLUMN_HELP["kind"])
    if t.groups:
        check("target_group", DataValidation(type="list", formula1=f"={ranges['target_group']}", allow_blank=True),
              COLUMN_HELP["target_group"])
    check("hours_per_week", DataValidation(type="decimal", operator="between", formula1="0.01", formula2="80",
                                           allow_blank=True), COLUMN_HELP["hours_per_week"])
    for name in ("start", "end"):  # Excel date serials: 2000-01-01 to 2100-12-31
        check(name, DataValidation(type="date", operator="between", formula1="36526", formula2="73415",
                                   allow_blank=True), COLUMN_HELP[name])
    check("amount_eur", DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True),
          COLUMN_HELP["amount_eur"])
    check("hours", DataValidation(type="decimal", operator="greaterThan", formula1="0", allow_blank=True),
          COLUMN_HELP["hours"])
    if t.bonuses:  # a warning, not a stop: several bonuses are typed with a semicolon
        check("bonuses", DataValidation(type="list", formula1=f"={ranges['bonuses']}", allow_blank=True,
                                        errorStyle="warning"), COLUMN_HELP["bonuses"])
    check("evidence", DataValidation(type="textLength", operator="lessThanOrEqual", formula1="500", allow_blank=True),
          COLUMN_HELP["evidence"])
    for name in OPTIONAL_COLUMNS:
        check(name, DataValidation(type="list", formula1=f"={ranges['yes_no']}", allow_blank=True), COLUMN_HELP[name])

    help_sheet = book.create_sheet(HELP_SHEET, index=1)
    help_sheet.column_dimensions["A"].width = 28
    help_sheet.column_dimensions["B"].width = 100
    for row in _instructions(t, title, start, end):
        help_sheet.append(row)
    help_sheet["A1"].font = Font(bold=True, size=14)
    return book


def _col(name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(HEADERS.index(name) + 1)


def _instructions(t: Template, title: str, start: date, end: date) -> list[list[str]]:
    table = t.table
    rows = [
        [f"Rapportage social return: {t.reference}"],
        ["Contract", f"{t.reference}: {title} ({start} t/m {end})"],
        ["Waarderingstabel", f"{table.title} (regio {table.region}, versie {table.version}; bron: {table.source})"],
        [],
        ["Zo vult u het in"],
        ["1.", f"Vul op het blad '{DATA_SHEET}' één regel per kandidaat, inkoop of activiteit, vanaf regel 2."],
        ["2.", "Kies contract, soort, doelgroep en bonus uit de keuzelijsten; de kolomkoppen hebben uitleg."],
        ["3.", "Gebruik voor kandidaten het afgesproken pseudoniem, nooit een naam of BSN (AVG)."],
        ["4.", "Verander de kolomkoppen niet en voeg geen kolommen toe; laat lege regels gewoon leeg."],
        ["5.", ("Stuur het bestand naar uw contactpersoon. Die leest het in met: "
                "srr realisations import BESTAND.xlsx")],
        ["", ("Elke regel wordt gecontroleerd; een fout wordt gemeld met regelnummer en kolom, en dan wordt "
              "niets ingelezen. Pas de regel aan en stuur het bestand opnieuw.")],
        ["", "Wat u rapporteert telt pas mee nadat de opdrachtgever het heeft geaccepteerd."],
        [],
        ["Kolommen"],
        *([name, COLUMN_HELP[name]] for name in HEADERS),
        [],
        ["Soorten (kind)"],
        *([kind, KIND_WORDS[kind]] for kind in t.kinds),
    ]
    if table.target_groups:
        rows += [[], ["Doelgroepen (target_group)", "waarde per voltijdjaar (36 uur per week)"]]
        for code, group in table.target_groups.items():
            cap = f", telt {group.cap_years} jaar" if group.cap_years else ""
            amount = f"EUR {group.annual:,.0f} per jaar" if group.annual_eur is not None \
                else f"EUR {group.monthly_eur:,.0f} per maand"
            rows.append([code, f"{group.label}: {amount}{cap}"])
    if table.purchases:
        rows += [[], ["Inkoop (target_group bij kind = purchase)", "deel van de factuur excl. btw dat telt"]]
        rows += [[code, f"{p.label}: {p.fraction * 100:.0f} %"] for code, p in table.purchases.items()]
    if table.bonuses:
        rows += [[], ["Bonussen (bonuses)", "bovenop de waarde per voltijdjaar"]]
        rows += [[code, f"{b.label}: EUR {b.annual_eur:,.0f} per jaar"] for code, b in table.bonuses.items()]
    if table.activity_hour_eur is not None:
        rows += [[], ["Activiteiten", f"EUR {table.activity_hour_eur:,.0f} per medewerkersuur"]]
    return rows
