"""The portfolio report as a browser shows it (headless Chromium, installed by .ci/run) carries the
same figures as `srr status --json`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser

import pytest

from srr_engine.registry import get_registry
from srr_engine.sweep import sweep


class Cells(HTMLParser):
    """(contract, kind) -> {field: text} from the rendered report's contract table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, str], dict[str, str]] = {}
        self.row: tuple[str, str] | None = None
        self.field: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-contract"):
            self.row = (found["data-contract"] or "", found.get("data-kind") or "")
            self.rows[self.row] = {}
        self.field = found.get("data-field") or self.field if self.row else None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "span"):
            self.field = None
        if tag == "tr":
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.row and self.field and data.strip():
            self.rows[self.row][self.field] = data.strip()


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("no chromium on this machine")
    return found


def test_portfolio_report_in_a_browser_matches_status(srr_sqlite, examples, tmp_path):
    browser = chromium()
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    srr_sqlite.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-06-01")
    srr_sqlite.ok("realisations", "review", "RWS-2026-0042", "--accept-all")
    for day in ("2026-06-30", "2026-09-30", "2026-12-31"):
        sweep(date.fromisoformat(day), get_registry())
    page = tmp_path / "portfolio.html"
    srr_sqlite.ok("report", "--portfolio", "--as-of", "2026-12-31", "--output", page)

    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "<svg" in dom
    cells = Cells()
    cells.feed(dom)

    status = json.loads(srr_sqlite.ok("status", "--as-of", "2026-12-31", "--json"))
    expected = {(c["reference"], i["kind"]): i for c in status["contracts"] for i in c["instruments"]}
    assert set(cells.rows) == set(expected)
    for key, shown in cells.rows.items():
        assert shown["status"] == expected[key]["status"]
        for field in ("obligation_eur", "expected_eur", "realised_eur"):
            assert shown[field] == (expected[key][field] or "-"), (key, field)
    assert cells.rows[("RWS-2026-0042", "sroi_clause")]["realised_eur"] == "92038.36"
