"""`srr report`: a contract's or the portfolio's report as one HTML page or Markdown (no Prefect)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from srr_engine.cli.common import AsOf, resolve_date
from srr_engine.cli.output import say
from srr_engine.messages import msg


def report(
    reference: Annotated[str | None, typer.Argument(help="Contractkenmerk; of --portfolio.")] = None,
    portfolio: Annotated[bool, typer.Option("--portfolio", help="De hele portefeuille. / The whole portfolio.")] = False,
    fmt: Annotated[Literal["html", "md"], typer.Option("--format", help="html of md.")] = "html",
    output: Annotated[Path | None, typer.Option("--output", help="Bestand / file (standaard: SRR_HOME/reports).")] = None,
    as_of: AsOf = None,
) -> None:
    """Rapport met verloop, status, tekort, banen en verhalen. / Report: trend, status, shortfall, jobs, stories."""
    from srr_engine.errors import UserError
    from srr_engine.portfolio import report as figures
    from srr_engine.reports import report_html, report_markdown, report_path
    from srr_engine.settings import config_dir
    from srr_engine.storage.contracts import require_contract
    from srr_engine.storage.db import unit_of_work

    if portfolio == (reference is not None):
        raise UserError(msg("geef een contractkenmerk of --portfolio (één van beide)",
                            "give a contract reference or --portfolio (one of them)"))
    day = resolve_date(as_of)
    with unit_of_work() as session:
        if reference:
            require_contract(session, reference)
        data = figures(session, day, [reference] if reference else None)
    title = (f"Social return {reference} per {day}" if reference else f"Portefeuille social return / portfolio {day}")
    text = report_markdown(data, title) if fmt == "md" else report_html(data, title, config_dir() / "templates")
    path = output or report_path(reference or "portfolio", day, suffix=f".{fmt}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    say(msg(f"Rapport geschreven: {path}", f"Report written: {path}"))
