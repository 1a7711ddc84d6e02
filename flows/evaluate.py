"""Evaluate: final figures per instrument, stories and lessons, a report; sign-off closes the contract."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.common import emit_events
from srr_engine.charts import line_chart
from srr_engine.evaluation import evaluate
from srr_engine.portfolio import report
from srr_engine.registry import get_registry
from srr_engine.reports import artifact_key, evaluation_html, evaluation_markdown, report_path
from srr_engine.settings import config_dir, local_today
from srr_engine.storage.db import unit_of_work


@flow(name="evaluate")
def evaluate_flow(reference: str, as_of: date | None = None, sign_off_by: str | None = None) -> dict[str, Any]:
    """Evaluate a contract as of a date (default today); with `sign_off_by` the contract is closed."""
    result = evaluate(reference, as_of or local_today(), get_registry(), sign_off_by or "flow:evaluate",
                      sign_off=sign_off_by is not None)
    text = evaluation_markdown(result)
    markdown = report_path("evaluation", reference, result.as_of, suffix=".md")
    html = markdown.with_name(markdown.stem + ".html")
    markdown.write_text(text, encoding="utf-8")
    with unit_of_work() as session:
        trend = report(session, result.as_of, [reference]).history
    chart = line_chart(trend, f"{reference}: verwacht en gerealiseerd / expected and realised")
    html.write_text(evaluation_html(result, config_dir() / "templates", chart), encoding="utf-8")
    create_markdown_artifact(text, key=artifact_key("evaluation", reference),
                             description=f"Evaluation {reference} as of {result.as_of}")
    emit_events()
    return {"reference": reference, "phase": str(result.contract.phase),
            "instruments": {e.kind: str(e.status) for e in result.evaluations},
            "html": str(html), "markdown": str(markdown)}
