"""`srr tender|award|monitor|evaluate|serve|events`: run the lifecycle flows once, or serve them all.

Registered through the `register_commands` hook like any plugin's commands, so the core never names
its flows. Prefect is imported only when one of these commands runs.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

import typer

from srr_engine.cli.common import AsOf, By
from srr_engine.cli.output import say, table
from srr_engine.hookspecs import hookimpl
from srr_engine.messages import msg

Reference = Annotated[str, typer.Argument(help="Contractkenmerk / contract reference.")]
events_app = typer.Typer(help="Events naar Prefect / events to Prefect.", no_args_is_help=True)


def run_once(flow_name: str, *args: Any) -> Any:
    """Run a lifecycle flow once, in this process, as a real Prefect flow run."""
    import importlib
    import os

    # Quiet, patient defaults for a one-shot run; the user's own settings win.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    from flows.common import without_heartbeats

    module, _, name = flow_name.partition(":")
    flow = getattr(importlib.import_module(f"flows.{module}"), name)
    with without_heartbeats():
        return flow(*args)


def parse_offers(values: list[str]) -> dict[str, dict[str, Any]]:
    """`sroi_clause.percentage=10` -> `{"sroi_clause": {"percentage": "10"}}`."""
    offers: dict[str, dict[str, Any]] = {}
    for value in values:
        key, sep, amount = value.partition("=")
        kind, dot, field = key.partition(".")
        if not (sep and dot and kind and field and amount):
            raise typer.BadParameter(
                f"{value!r}: schrijf instrument.veld=waarde, bijv. sroi_clause.percentage=10 / "
                "write instrument.field=value, e.g. sroi_clause.percentage=10", param_hint="--offer")
        offers.setdefault(kind, {})[field] = amount
    return offers


def tender(reference: Reference, on: Annotated[date | None, typer.Option(help="Datum / date.")] = None,
           eforms: Annotated[bool, typer.Option(
               "--eforms", help="Toon per perceel de eForms-codes en teksten. / Show eForms codes and texts per lot.")] = False
           ) -> None:
    """Aanbesteden: teksten en codes per instrument; fase -> tendering. / Tender texts; phase -> tendering."""
    result = run_once("tender:tender_flow", reference, on)
    say(msg(f"{reference} staat in fase {result['phase']}; teksten in {result['file']}",
            f"{reference} is in phase {result['phase']}; texts in {result['file']}"))
    if eforms:
        from srr_engine.cli.interop import show_eforms

        show_eforms(reference)


def award(
    reference: Reference,
    supplier: Annotated[str, typer.Option("--supplier", help="Gegunde leverancier / winning supplier.")],
    offer: Annotated[list[str] | None, typer.Option(
        "--offer", help="Aanbod, bijv. sroi_clause.percentage=10 (herhaalbaar). / Offer, repeatable.")] = None,
    on: Annotated[date | None, typer.Option(help="Gunningsdatum / award date.")] = None,
) -> None:
    """Gunnen aan een leverancier met diens aanbod; fase -> active. / Award to a supplier; phase -> active."""
    result = run_once("award:award_flow", reference, supplier, parse_offers(offer or []), on)
    say(msg(f"{reference} gegund aan {supplier}; fase {result['phase']}",
            f"{reference} awarded to {supplier}; phase {result['phase']}"))


def monitor(
    as_of: AsOf = None,
    reference: Annotated[list[str] | None, typer.Option("--contract", help="Alleen deze contracten. / Only these.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Contracten per taak / contracts per task.")] = 1000,
    at: Annotated[datetime | None, typer.Option(
        "--at", help="Moment van verzenden (lokaal); standaard de peildatum op dit uur. / Moment of sending.")] = None,
) -> None:
    """Portefeuille-ronde: beoordelen, opslaan, events. / Portfolio sweep: assess, store, emit events."""
    result = run_once("monitor:monitor_flow", as_of, reference or None, batch_size, at)
    nudges = result["nudges"]
    say(msg(f"{result['contracts']} contracten beoordeeld per {result['as_of']}; {result['changes']} "
            f"statuswijzigingen, {result['stored']} beoordelingen opgeslagen, {result['checkins']} nieuwe check-ins, "
            f"{nudges['digests_sent']} berichten verstuurd, {nudges['digests_failed']} mislukt",
            f"{result['contracts']} contracts assessed as of {result['as_of']}; {result['changes']} status changes, "
            f"{result['stored']} assessments stored, {result['checkins']} new check-ins, "
            f"{nudges['digests_sent']} digests sent, {nudges['digests_failed']} failed"))
    if nudges["held_back"]:
        typer.echo(nudges["held_back"])
    table(["status", "contracten / contracts"], sorted(result["statuses"].items()))


def evaluate(
    reference: Reference,
    as_of: AsOf = None,
    sign_off: Annotated[bool, typer.Option("--sign-off", help="Aftekenen en sluiten. / Sign off and close.")] = False,
    by: By = None,
) -> None:
    """Evalueren: eindcijfers, verhalen, rapport; met --sign-off gesloten. / Evaluate; --sign-off closes."""
    from srr_engine.cli.common import resolve_actor

    result = run_once("evaluate:evaluate_flow", reference, as_of, resolve_actor(by) if sign_off else None)
    table(["instrument", "status"], sorted(result["instruments"].items()))
    say(msg(f"Fase {result['phase']}. Rapport: {result['html']}", f"Phase {result['phase']}. Report: {result['html']}"))


def serve(
    port: Annotated[int, typer.Option(help="Poort van de lokale Prefect-server / local server port.")] = 4200,
) -> None:
    """Alle deployments uit prefect.yaml draaien (schema's en triggers). / Serve every deployment."""
    from flows.serve import serve_all

    serve_all(port)


def demo() -> None:
    """Draai een voorbeeldportefeuille door 2026, met Prefect (los van je eigen data). / Run the demo."""
    import os
    import time as clock

    from srr_engine.settings import get_settings

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows.demo import run_demo, tuesdays

    home = get_settings().home
    started = clock.monotonic()
    typer.echo("Prefect starten en de portefeuille registreren... / starting Prefect, registering the portfolio...")
    with typer.progressbar(length=len(tuesdays(2026)), label="2026, week voor week / week by week") as bar:
        result = run_demo(home, progress=lambda _day: bar.update(1))
    summary_table(result.folder)
    typer.echo(f"\n{result.messages} berichten in de inbox / messages in the inbox: {result.inbox}")
    typer.echo("Rapporten / reports:")
    for path in result.reports:
        typer.echo(f"  {path}")
    typer.echo(f"Demo-database / demo database: {result.folder / 'srr.db'}  ({clock.monotonic() - started:.0f} s)")
    typer.echo(f"Verder kijken / explore: SRR_DATABASE_URL=sqlite:///{result.folder / 'srr.db'} srr contracts list")


def summary_table(folder: Any) -> None:
    """Where every contract stands at the end of the demo year (from the stored assessments)."""
    from datetime import date as day

    from srr_engine.portfolio import report
    from srr_engine.storage.db import make_engine, unit_of_work

    engine = make_engine(f"sqlite:///{folder / 'srr.db'}")
    with unit_of_work(engine) as session:
        data = report(session, day(2026, 12, 31))
    engine.dispose()
    typer.echo("")
    table(["contract", "fase / phase", "status", "instrument", "verplichting", "verwacht", "gerealiseerd"],
          [[c.reference, c.phase, c.status or "-", f"{i.kind}: {i.status}", i.obligation or "-", i.expected or "-",
            i.realised or "-"] for c in data.contracts for i in c.instruments])


@events_app.command("relay")
def events_relay() -> None:
    """Stuur wachtende events naar Prefect. / Emit pending events to Prefect."""
    from srr_engine.emission import relay_to_prefect

    count = relay_to_prefect()
    say(msg(f"{count} events naar Prefect gestuurd", f"{count} events emitted to Prefect"))


@events_app.command("pending")
def events_pending(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Hoeveel events nog niet naar Prefect zijn. / How many events wait for Prefect."""
    from srr_engine.emission import pending

    count = pending()
    typer.echo(json.dumps({"pending": count}) if as_json else f"{count}")


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    for name, command in (("tender", tender), ("award", award), ("monitor", monitor), ("evaluate", evaluate),
                          ("serve", serve), ("demo", demo)):
        cli.command(name)(command)
    cli.add_typer(events_app, name="events")


