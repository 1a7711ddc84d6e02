"""Texts the lifecycle produces: tender texts, evaluations and the sweep's summary, as Markdown (for
files and Prefect artifacts) and HTML (single-file reports, from templates in Jinja2's sandbox)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup

from srr_engine.evaluation import EvaluationResult
from srr_engine.lifecycle import TenderResult
from srr_engine.messages import Message
from srr_engine.portfolio import Report
from srr_engine.sweep import SweepSummary


def _lines(items: list[Message], language: str) -> list[str]:
    return [f"- {m.text(language)}" for m in items]  # type: ignore[arg-type]


def tender_markdown(result: TenderResult) -> str:
    """The tender texts per instrument: clause in Dutch and English, eForms codes, OCDS fields."""
    c = result.contract
    out = [f"# Aanbesteding / tender {c.reference}", "", f"**{c.title}** ({c.buyer.name}, CPV {c.cpv})", ""]
    if result.warnings:
        out += ["## Let op / note", "", *_lines(result.warnings, "nl"), *_lines(result.warnings, "en"), ""]
    for item in result.instruments:
        out += [f"## {item.title.nl} / {item.title.en}", "", "### Bepaling (nl)", "", item.output.clause.nl, "",
                "### Clause (en)", "", item.output.clause.en, ""]
        if item.output.eforms:
            out += ["### eForms", "", "| BT | waarde / value |", "|---|---|"]
            out += [f"| {bt} | {str(v).replace('|', '/')} |" for bt, v in item.output.eforms.items()] + [""]
        if item.output.ocds:
            out += ["### OCDS", "", "```json", json.dumps(item.output.ocds, indent=2, ensure_ascii=False), "```", ""]
        for ob in item.obligations:
            amount = f": EUR {ob.amount_eur}" if ob.amount_eur is not None else ""
            target = f": {ob.target} {ob.unit or ''}".rstrip() if ob.target is not None else ""
            out.append(f"- {ob.description.nl}{amount}{target} (uiterlijk / due {ob.due})")
        out.append("")
    return "\n".join(out)


def evaluation_markdown(result: EvaluationResult) -> str:
    c = result.contract
    out = [f"# Evaluatie / evaluation {c.reference} per {result.as_of}", "", f"**{c.title}**: {c.buyer.name}"
           f" / {c.supplier.name if c.supplier else '-'}; fase / phase {c.phase}", "",
           "| instrument | status | verplichting / obligation | gerealiseerd / realised | tekort / shortfall "
           "| boete / penalty |", "|---|---|---:|---:|---:|---:|"]
    for e in result.evaluations:
        out.append(f"| {e.kind} | {e.status} | {e.obligation_eur or '-'} | {e.realised_eur or '-'} | "
                   f"{e.shortfall_eur or '-'} | {e.penalty_eur or '-'} |")
    out.append("")
    for e in result.evaluations:
        out += [f"## {e.kind}", "", *_lines(e.reasons, "nl"), ""]
        if e.figures:
            out += ["```json", json.dumps(e.figures, indent=2, ensure_ascii=False, default=str), "```", ""]
    for kind, title in (("contract.story", "Verhalen / stories"), ("contract.lesson", "Lessen / lessons")):
        notes = [n for n in result.notes if n.kind == kind]
        if notes:
            out += [f"## {title}", "", *[f"- {n.on}: {n.data.get('text', '')}" for n in notes], ""]
    if result.signed_off_by:
        out.append(f"Afgetekend door / signed off by {result.signed_off_by} op / on {result.as_of}.")
    return "\n".join(out)


def evaluation_html(result: EvaluationResult, templates: Path, chart: str = "") -> str:
    """The evaluation as one HTML page (template `reports/evaluation.html.j2`, rendered in a sandbox),
    with the contract's realised-vs-expected chart (inline SVG) when there is one."""
    return _environment(templates).get_template("reports/evaluation.html.j2").render(
        r=result, chart=Markup(chart), stories=[n for n in result.notes if n.kind == "contract.story"],
        lessons=[n for n in result.notes if n.kind == "contract.lesson"])


def sweep_tables(summary: SweepSummary, language: str = "nl") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Counts per status, and the contracts that need attention first."""
    counts = [{"status": status, "contracts": n} for status, n in summary.statuses.most_common()]
    attention = [{"contract": a.reference, "status": str(a.status),
                  "reason": a.reason.text(language) if a.reason else ""}  # type: ignore[arg-type]
                 for a in summary.attention]
    return counts, attention


def report_path(*parts: object, suffix: str) -> Path:
    """Where a report goes by default: `$SRR_HOME/reports/<parts joined by ->.<suffix>` (a reference's
    slashes become underscores, so it stays one file name)."""
    from srr_engine.settings import get_settings

    folder = get_settings().home / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / ("-".join(str(p).replace("/", "_") for p in parts) + suffix)


def artifact_key(*parts: str) -> str:
    """A Prefect artifact key: lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


def report_markdown(data: Report, title: str) -> str:
    """A portfolio (or single-contract) report as Markdown: totals, statuses, contracts, people, notes."""
    out = [f"# {title}", "", f"Peildatum / as of {data.as_of}", "", "## Status", "",
           "| status | contracten / contracts |", "|---|---:|"]
    out += [f"| {status} | {n} |" for status, n in data.statuses.most_common()] + [""]
    out += ["## Contracten / contracts", "", "| contract | status | instrumenten | verplichting / obligation | "
            "verwacht / expected | gerealiseerd / realised | tekort / shortfall | boete / penalty |",
            "|---|---|---|---:|---:|---:|---:|---:|"]
    for line in data.contracts:
        money = [i for i in line.instruments if i.obligation is not None]
        def total(attr: str) -> str:
            values = [getattr(i, attr) for i in money if getattr(i, attr) is not None]
            return f"{sum(values, Decimal(0)):.2f}" if values else "-"
        bundle = f" (bundel {line.bundle})" if line.bundle else ""
        out.append(f"| {line.reference}{bundle} | {line.status or '-'} | "
                   f"{', '.join(f'{i.kind}: {i.status}' for i in line.instruments) or '-'} | {total('obligation')} | "
                   f"{total('expected')} | {total('realised')} | {line.shortfall if line.shortfall is not None else '-'} | "
                   f"{line.penalty if line.penalty is not None else '-'} |")
    out.append("")
    for view, values in data.totals.items():
        if values:
            out += [f"## Per {view}", "", f"| {view} | toegezegd / committed | gerealiseerd / realised |", "|---|---:|---:|"]
            out += [f"| {key} | {committed:.2f} | {realised:.2f} |" for key, (committed, realised) in values.items()] + [""]
    if data.history:
        out += ["## Verloop / over time", "", "| peildatum / as of | verwacht / expected | gerealiseerd / realised |",
                "|---|---:|---:|"]
        out += [f"| {day} | {v['expected']:.2f} | {v['realised']:.2f} |" for day, v in data.history[-12:]] + [""]
    out += ["## Mensen / people", "", f"- Banen voor de banenafspraak / banenafspraak jobs: {data.banenafspraak_jobs}",
            f"- Na 6 maanden nog in dienst / employed after 6 months: {dict(data.employed['6m'])}",
            f"- Na 12 maanden nog in dienst / employed after 12 months: {dict(data.employed['12m'])}", ""]
    if data.bundle_candidates:
        out += ["## Kleine contracten om te bundelen / small contracts that could be bundled", "",
                "| opdrachtgever / buyer | leverancier / supplier | contracten | samen / total |", "|---|---|---|---:|"]
        out += [f"| {b.buyer} | {b.supplier} | {', '.join(b.references)} | {b.total:.2f} |"
                for b in data.bundle_candidates] + [""]
    if data.pilots:
        out += ["## Pilots", "", "| contract | fase / phase | status | evaluatie / evaluation |", "|---|---|---|---|"]
        out += [f"| {p.reference} ({p.title}) | {p.phase} | {p.status or '-'} | {p.evaluated or '-'} |"
                for p in data.pilots] + [""]
    if data.notes:
        out += ["## Verhalen en lessen / stories and lessons", ""]
        out += [f"- {n['reference']} ({n['kind']}, {n['on']}): {n['text']}" for n in data.notes] + [""]
    return "\n".join(out)


def report_html(data: Report, title: str, templates: Path) -> str:
    """The same report as one HTML page with the chart inline (template `reports/report.html.j2`)."""
    from srr_engine.charts import line_chart

    return _environment(templates).get_template("reports/report.html.j2").render(
        r=data, title=title, chart=Markup(line_chart(data.history, title)))


def write_report(data: Report, title: str, stem: Path) -> list[Path]:
    """Write `<stem>.md` and `<stem>.html`; returns both paths."""
    from srr_engine.settings import config_dir

    stem.parent.mkdir(parents=True, exist_ok=True)
    markdown, html = Path(f"{stem}.md"), Path(f"{stem}.html")
    markdown.write_text(report_markdown(data, title), encoding="utf-8")
    html.write_text(report_html(data, title, config_dir() / "templates"), encoding="utf-8")
    return [markdown, html]


def write_portfolio_report(as_of: date, folder: Path) -> list[Path]:
    """The portfolio report as of a date, in `folder` (used by the demo and `srr report --portfolio`)."""
    from srr_engine.portfolio import report
    from srr_engine.storage.db import unit_of_work

    with unit_of_work() as session:
        data = report(session, as_of)
    return write_report(data, f"Portefeuille social return / portfolio {as_of}", folder / f"portfolio-{as_of}")


def _environment(templates: Path) -> Any:
    from jinja2 import FileSystemLoader, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(loader=FileSystemLoader(templates), autoescape=select_autoescape(default=True))
