"""Commands for other systems' formats: `srr import ocds`, `srr export ocds|assessments`, and the eForms
listing that `srr tender REF --eforms` prints. Heavy imports wait inside the commands."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from srr_engine.cli.common import AsOf, By, resolve_actor, resolve_date
from srr_engine.cli.output import language, say
from srr_engine.messages import msg

import_app = typer.Typer(help="Gegevens inlezen uit andere systemen. / Import data from other systems.",
                         no_args_is_help=True)
export_app = typer.Typer(help="Gegevens uitvoeren naar andere systemen. / Export data to other systems.",
                         no_args_is_help=True)
Output = Annotated[Path, typer.Option("--output", "-o", help="Uitvoerbestand. / Output file.")]
Delimiter = Annotated[str, typer.Option("--delimiter", help="Scheidingsteken voor CSV (bijv. ';'). / CSV delimiter.")]

ACTIONS = {
    "registered": ("geregistreerd", "registered"),
    "updated": ("bijgewerkt", "updated"),
    "unchanged": ("ongewijzigd", "unchanged"),
    "skipped": ("overgeslagen", "skipped"),
    "failed": ("niet ingelezen", "not imported"),
    "would_register": ("zou worden geregistreerd", "would be registered"),
    "would_update": ("zou worden bijgewerkt", "would be updated"),
}


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")


@import_app.command("ocds")
def import_ocds(
    file: Annotated[Path, typer.Argument(help="OCDS release package, record package of JSON Lines.")],
    rules: Annotated[Path | None, typer.Option(
        "--rules", help="Eigen importregels (YAML, zoals config/ocds/import-rules.yaml). / Your own import rules.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Alleen controleren, niets vastleggen. / Check only.")] = False,
    social_only: Annotated[bool, typer.Option(
        "--social-only", help="Alleen processen met social return in de data. / Only processes with social return.")] = False,
    on: Annotated[date | None, typer.Option(
        "--on", help="Datum van toepassen en gunnen als de data die niet geeft (standaard vandaag).")] = None,
    by: By = None,
) -> None:
    """Maak of werk contracten bij uit OCDS; per proces gemeld. / Create or update contracts from OCDS."""
    from srr_engine.errors import Problem, UserError
    from srr_engine.interop.ocds_import import import_ocds as run
    from srr_engine.registry import get_registry

    lang = language()
    report = run(file, get_registry(), resolve_actor(by), resolve_date(on), rules, dry_run, social_only)
    failed = [o for o in report.outcomes if o.action == "failed"]
    if failed and len(failed) == len(report.outcomes):
        raise UserError([Problem(f"{o.reference or o.ocid}", p) for o in failed for p in o.problems])
    for o in report.outcomes:
        nl, en = ACTIONS[o.action]
        kinds = f" ({', '.join(o.kinds)})" if o.kinds else ""
        head = o.reference or o.ocid
        typer.echo(f"{head}: {nl if lang == 'nl' else en}{kinds}")
        for problem in o.problems:
            typer.echo(f"  - {problem.text(lang)}")  # type: ignore[arg-type]
        for note in o.notes:
            typer.echo(f"  {'let op' if lang == 'nl' else 'note'}: {note.text(lang)}")  # type: ignore[arg-type]
    counts = {action: report.count(action) for action in ACTIONS if report.count(action)}
    say(msg("Samenvatting: " + ", ".join(f"{n} {ACTIONS[a][0]}" for a, n in counts.items()),
            "Summary: " + ", ".join(f"{n} {ACTIONS[a][1]}" for a, n in counts.items())))
    if failed:
        raise typer.Exit(1)


@export_app.command("ocds")
def export_ocds(
    output: Output,
    reference: Annotated[str | None, typer.Argument(help="Contractkenmerk; zonder: alle contracten.")] = None,
    as_of: AsOf = None,
    ocid_prefix: Annotated[str, typer.Option("--ocid-prefix", help="Uw OCID-prefix, bijv. ocds-abc123.")] = "ocds-srr",
    publisher: Annotated[str | None, typer.Option("--publisher", help="Naam van de publiceerder.")] = None,
    uri: Annotated[str | None, typer.Option("--uri", help="URI van het package.")] = None,
) -> None:
    """Schrijf OCDS release packages met mijlpalen. / Write OCDS release packages with milestones.

    Met een .json-bestand: één package met een release per contract; met een map: een package per
    contract. / A .json file: one package with a release per contract; a folder: one package per contract.
    """
    from datetime import UTC, datetime

    from srr_engine.errors import Problem, UserError
    from srr_engine.interop.ocds_export import ExportOptions, package, releases
    from srr_engine.registry import get_registry
    from srr_engine.settings import get_settings
    from srr_engine.storage.contracts import require_contract
    from srr_engine.storage.db import unit_of_work

    settings = get_settings()
    published = datetime.now(UTC).replace(microsecond=0)
    options = ExportOptions(resolve_date(as_of), ocid_prefix, settings.timezone, settings.nudges.unanswered_days,
                            published)
    warnings: list[Problem] = []
    with unit_of_work() as session:
        if reference:
            require_contract(session, reference)
        found = list(releases(session, get_registry(), [reference] if reference else None, options, warnings))
    if not found:
        raise UserError(msg("er zijn geen contracten om uit te voeren", "there are no contracts to export"))
    per_contract = output.is_dir() or (not output.suffix and not reference)
    if per_contract:
        output.mkdir(parents=True, exist_ok=True)
    written = []
    groups = [[item] for item in found] if per_contract else [found]
    for group in groups:
        buyers = {r["buyer"]["name"] for _, r in group}
        name = publisher or (buyers.pop() if len(buyers) == 1 else "srr-engine")
        ocid = group[0][1]["ocid"] if len(group) == 1 else "portfolio"
        data = package([r for _, r in group], name, uri or f"urn:srr-engine:{ocid}:{published:%Y%m%dT%H%M%SZ}",
                       published)
        path = output / (_safe(group[0][0]) + ".json") if per_contract else output
        _write_json(path, data)
        written.append(path)
    for warning in warnings:
        typer.echo(f"{'Let op' if language() == 'nl' else 'Note'}: {warning.text(language())}", err=True)  # type: ignore[arg-type]
    where = str(output) if not per_contract else f"{output}/ ({len(written)})"
    say(msg(f"{len(found)} contract(en) als OCDS uitgevoerd per {options.as_of}: {where}",
            f"{len(found)} contract(s) exported as OCDS as of {options.as_of}: {where}"))


def _safe(reference: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in reference)


def _write_json(path: Path, data: object) -> None:
    import json

    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@export_app.command("assessments")
def export_assessments(
    output: Output,
    reference: Annotated[list[str] | None, typer.Option("--contract", help="Alleen dit contract (herhaalbaar).")] = None,
    since: Annotated[date | None, typer.Option("--from", help="Vanaf peildatum JJJJ-MM-DD.")] = None,
    until: Annotated[date | None, typer.Option("--to", help="Tot en met peildatum JJJJ-MM-DD.")] = None,
    delimiter: Delimiter = ",",
) -> None:
    """Schrijf de opgeslagen beoordelingen naar CSV of XLSX. / Write the stored assessments to CSV or XLSX."""
    from srr_engine.interop.exports import ASSESSMENT_HEADERS, assessment_rows, write_table
    from srr_engine.storage.db import unit_of_work

    with unit_of_work() as session:
        count = write_table(output, ASSESSMENT_HEADERS, assessment_rows(session, reference, since, until, language()),
                            "Beoordelingen", delimiter)
    say(msg(f"{count} beoordelingen geschreven naar {output}", f"{count} assessments written to {output}"))


def show_eforms(reference: str) -> None:
    """Print the eForms business terms per lot from the instruments' tender output."""
    from srr_engine.interop.eforms import lots, tender_outputs
    from srr_engine.registry import get_registry

    lang = language()
    contract, outputs = tender_outputs(reference, get_registry())
    for lot in lots(contract, outputs):
        typer.echo(f"\n{'Perceel' if lang == 'nl' else 'Lot'} {lot.lot}: {contract.reference}, {contract.title}")
        if not lot.lines:
            typer.echo("  " + ("geen eForms-codes van de instrumenten" if lang == "nl" else "no eForms codes from the instruments"))
        for line in [x for x in lot.lines if not x.award_criterion]:
            _eforms_line(line, lang)
        typer.echo("  " + ("Gunningscriteria:" if lang == "nl" else "Award criteria:") +
                   ("" if lot.award_criteria else (" geen" if lang == "nl" else " none")))
        for line in lot.award_criteria:
            _eforms_line(line, lang, indent="    ")


def _eforms_line(line, lang: str, indent: str = "  ") -> None:  # type: ignore[no-untyped-def]
    name = line.name.text(lang)
    who = f"  [{', '.join(line.kinds)}]"
    if len(line.value) > 40:
        typer.echo(f"{indent}{line.bt:<7} {name}{who}")
        typer.echo(textwrap.fill(line.value, width=100, initial_indent=indent + " " * 8,
                                 subsequent_indent=indent + " " * 8))
        return
    meaning = f" ({line.meaning.text(lang)})" if line.meaning else ""
    typer.echo(f"{indent}{line.bt:<7} {name}: {line.value}{meaning}{who}")
