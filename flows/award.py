"""Award: apply each instrument's award rules to the supplier's offer and start the contract phase."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows.common import emit_events
from srr_engine.lifecycle import award
from srr_engine.registry import get_registry
from srr_engine.settings import local_today


@flow(name="award")
def award_flow(
    reference: str, supplier: str, offer: dict[str, dict[str, Any]] | None = None, on: date | None = None
) -> dict[str, Any]:
    """Award `reference` to `supplier` with its offer per instrument, e.g. `{"sroi_clause": {"percentage": 10}}`.

    The contract becomes `active`; the first contact with the contract manager is due within 7 days."""
    result = award(reference, supplier, offer or {}, get_registry(), "flow:award", on or local_today())
    emit_events()
    return {"reference": reference, "phase": str(result.contract.phase), "instruments": result.configs}
