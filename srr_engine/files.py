"""Reading the files people write: contracts in YAML or JSON (one contract or a list)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from srr_engine.errors import Problem, UserError
from srr_engine.messages import msg


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records in a YAML or JSON file; one mapping or a list of mappings."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError([Problem(str(path), msg(f"kan niet lezen: {exc.strerror}", f"cannot read: {exc.strerror}"))])
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise UserError([Problem(str(path), msg(f"geen geldige YAML/JSON: {exc}", f"not valid YAML/JSON: {exc}"))])
    records = data if isinstance(data, list) else [data]
    bad = [i + 1 for i, r in enumerate(records) if not isinstance(r, dict)]
    if data is None or bad:
        raise UserError(
            [
                Problem(
                    str(path),
                    msg(
                        "verwacht één contract of een lijst contracten (velden zoals reference, title, ...)",
                        "expected one contract or a list of contracts (fields such as reference, title, ...)",
                    ),
                )
            ]
        )
    return records
