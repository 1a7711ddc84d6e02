"""Texts the lifecycle produces: tender texts, evaluations and the sweep's summary, as Markdown (for
files and Prefect artifacts) and HTML (single-file reports, from templates in Jinja2's sandbox)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from srr_engine.evaluation import EvaluationResult
from srr_engine.lifecycle import TenderResult
from srr_engine.messages import Message
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


def evaluation_html(result: EvaluationResult, templates: Path) -> str:
    """The evaluation as one HTML page (template `reports/evaluation.html.j2`, rendered in a sandbox)."""
    from jinja2 import FileSystemLoader, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(loader=FileSystemLoader(templates), autoescape=select_autoescape(default=True))
    return env.get_template("reports/evaluation.html.j2").render(
        r=result, stories=[n for n in result.notes if n.kind == "contract.story"],
        lessons=[n for n in result.notes if n.kind == "contract.lesson"])


def sweep_tables(summary: SweepSummary, language: str = "nl") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Counts per status, and the contracts that need attention first."""
    counts = [{"status": status, "contracts": n} for status, n in summary.statuses.most_common()]
    attention = [{"contract": a.reference, "status": str(a.status),
                  "reason": a.reason.text(language) if a.reason else ""}  # type: ignore[arg-type]
                 for a in summary.attention]
    return counts, attention


def artifact_key(*parts: str) -> str:
    """A Prefect artifact key: lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")
