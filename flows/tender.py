"""Tender: check the instruments and their combination, compute the obligations, publish the texts."""

from __future__ import annotations

from datetime import date

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.common import emit_events
from srr_engine.lifecycle import tender
from srr_engine.registry import get_registry
from srr_engine.reports import artifact_key, report_path, tender_markdown
from srr_engine.settings import local_today


@flow(name="tender")
def tender_flow(reference: str, on: date | None = None) -> dict[str, str]:
    """Produce the tender texts and codes of a contract and move it to `tendering`."""
    result = tender(reference, get_registry(), "flow:tender", on or local_today())
    text = tender_markdown(result)
    path = report_path("tender", reference, suffix=".md")
    path.write_text(text, encoding="utf-8")
    create_markdown_artifact(text, key=artifact_key("tender", reference), description=f"Tender texts {reference}")
    emit_events()
    return {"reference": reference, "phase": str(result.contract.phase), "file": str(path)}


