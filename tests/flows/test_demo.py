"""`srr demo`: the sample portfolio's whole year on real flow runs, with nudges in a local inbox."""

from __future__ import annotations

import re


def test_demo_runs_the_year_and_writes_reports(srr_sqlite):
    out = srr_sqlite.ok("demo")
    assert "GRO-2026-0301  closed" in out and "GEM-2026-0102  evaluating" in out
    reports = [line.strip() for line in out.splitlines() if line.strip().endswith((".html", ".md"))]
    assert len(reports) == 7
    portfolio = next(p for p in reports if "portfolio" in p and p.endswith(".html"))
    html = open(portfolio, encoding="utf-8").read()
    assert "<svg" in html and "groen-2026" in html and "Bundelen maakte social return haalbaar" in html

    inbox = srr_sqlite.home / "demo" / "inbox"
    messages = [p.read_text(encoding="utf-8") for p in sorted(inbox.iterdir())]
    count = int(re.search(r"(\d+) berichten in de inbox", out).group(1))
    assert count == len(messages) > 50
    assert any("Social return:" in m and "GEM-2026-0102" in m for m in messages)
    assert any("This is the srr-engine check-in" in m for m in messages)  # the supplier reads English
    assert not any(re.search(r"D-\d[a-z]\d\d", m) for m in messages)  # no candidate ever
