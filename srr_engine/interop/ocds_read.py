"""Reading OCDS files: release packages, record packages, bare releases, or JSON Lines of any of them.

Every contracting process (`ocid`) comes out as one compiled release: a record's `compiledRelease`
when it has one, otherwise its releases merged with `ocdsmerge` (oldest first; later values win). A
process that cannot be read is reported with its reason and does not stop the others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from srr_engine.errors import Problem, UserError
from srr_engine.messages import Message, msg


@dataclass
class Process:
    """One contracting process: its compiled release, or why there is none."""

    ocid: str
    release: dict[str, Any] | None = None
    problems: list[Message] = field(default_factory=list)
    merged: int = 0  # how many releases were merged into `release` (0: taken as published)


def read_processes(path: Path) -> list[Process]:
    """The processes in an OCDS file, in the order they first appear."""
    releases: dict[str, list[dict[str, Any]]] = {}
    records: dict[str, dict[str, Any]] = {}
    problems: dict[str, list[Message]] = {}
    order: list[str] = []

    def seen(ocid: str) -> None:
        if ocid not in order:
            order.append(ocid)

    for where, item in _items(path):
        if not isinstance(item, dict):
            raise UserError([Problem(f"{path}, {where}", msg("geen OCDS-object", "not an OCDS object"))])
        if isinstance(item.get("records"), list):
            for n, record in enumerate(item["records"], start=1):
                _add_record(record, f"{where}, records[{n}]", records, problems, seen)
        elif isinstance(item.get("releases"), list) and "ocid" not in item:
            for n, release in enumerate(item["releases"], start=1):
                _add_release(release, f"{where}, releases[{n}]", releases, problems, seen)
        elif "compiledRelease" in item or ("ocid" in item and isinstance(item.get("releases"), list)):
            _add_record(item, where, records, problems, seen)
        elif "ocid" in item:
            _add_release(item, where, releases, problems, seen)
        else:
            raise UserError([Problem(f"{path}, {where}", msg(
                "geen OCDS release package, record package, release of record (verwacht 'releases', "
                "'records' of 'ocid')",
                "not an OCDS release package, record package, release or record (expected 'releases', "
                "'records' or 'ocid')"))])
    processes = []
    for ocid in order:
        process = Process(ocid, problems=list(problems.get(ocid, [])))
        if ocid in records:
            _from_record(process, records[ocid], releases.get(ocid, []))
        else:
            _compile(process, releases.get(ocid, []))
        processes.append(process)
    return processes


def _items(path: Path) -> list[tuple[str, Any]]:
    """The top-level JSON values of the file: one document, a list, or one value per line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError([Problem(str(path), msg(f"kan niet lezen: {exc.strerror}", f"cannot read: {exc.strerror}"))])
    except UnicodeDecodeError:
        raise UserError([Problem(str(path), msg("geen UTF-8-tekst (OCDS-JSON is UTF-8)",
                                                "not UTF-8 text (OCDS JSON is UTF-8)"))]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as whole:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
        items = []
        for n, line in lines:
            try:
                items.append((f"regel {n}", json.loads(line)))
            except json.JSONDecodeError:
                raise UserError([Problem(str(path), msg(f"geen geldige JSON: {whole}",
                                                        f"not valid JSON: {whole}"))]) from None
        return items
    if isinstance(data, list):
        return [(f"[{n}]", item) for n, item in enumerate(data, start=1)]
    return [("", data)]


def _ocid(item: Any) -> str | None:
    ocid = item.get("ocid") if isinstance(item, dict) else None
    return ocid.strip() if isinstance(ocid, str) and ocid.strip() else None


def _add_release(release: Any, where: str, releases: dict[str, list[dict[str, Any]]],
                 problems: dict[str, list[Message]], seen: Any) -> None:
    ocid = _ocid(release)
    if ocid is None:
        problems.setdefault(f"({where})", []).append(msg("release zonder ocid", "release without an ocid"))
        seen(f"({where})")
        return
    seen(ocid)
    releases.setdefault(ocid, []).append(release)


def _add_record(record: Any, where: str, records: dict[str, dict[str, Any]],
                problems: dict[str, list[Message]], seen: Any) -> None:
    ocid = _ocid(record)
    if ocid is None:
        problems.setdefault(f"({where})", []).append(msg("record zonder ocid", "record without an ocid"))
        seen(f"({where})")
        return
    seen(ocid)
    if ocid in records:
        problems.setdefault(ocid, []).append(msg(
            "dit proces staat twee keer als record in het bestand; het eerste telt",
            "this process appears twice as a record in the file; the first one counts"))
        return
    records[ocid] = record


def _from_record(process: Process, record: dict[str, Any], loose: list[dict[str, Any]]) -> None:
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict) and not loose:
        process.release = compiled
        return
    full = [r for r in record.get("releases") or [] if isinstance(r, dict) and _is_full_release(r)]
    if not full and not loose:
        process.problems.append(msg(
            "het record heeft geen compiledRelease en alleen gekoppelde releases (url, date, tag); "
            "lees het release package zelf in",
            "the record has no compiledRelease and only linked releases (url, date, tag); import the "
            "release package itself"))
        return
    _compile(process, full + loose)


def _is_full_release(release: dict[str, Any]) -> bool:
    return bool(set(release) - {"url", "date", "tag"})


def _compile(process: Process, releases: list[dict[str, Any]]) -> None:
    if not releases:
        return
    if len(releases) == 1:
        process.release = releases[0]
        return
    from ocdsmerge import Merger
    from ocdsmerge.exceptions import OCDSMergeError

    from srr_engine.interop.ocds_rules import MERGE_RULES

    try:
        process.release = Merger(merge_rules=MERGE_RULES).create_compiled_release(releases)
        process.merged = len(releases)
    except (OCDSMergeError, TypeError, KeyError, ValueError) as exc:
        process.problems.append(msg(f"de {len(releases)} releases zijn niet samen te voegen: {exc}",
                                    f"the {len(releases)} releases cannot be merged: {exc}"))
