"""The example contracts through their whole life on real Prefect flow runs: tender -> award ->
monitoring month by month -> evaluation, with phases, assessments, events and artifacts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import yaml
from receivers import HttpInbox, SmtpInbox, point_to
from sqlalchemy import create_engine, select
from srr_test_support import row_counts

from srr_engine.storage import schema


def month_ends(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        days.append(following - timedelta(days=1))
        day = following
    return days


def planned_examples(examples: Path, tmp_path: Path, smtp: SmtpInbox, http: HttpInbox) -> tuple[Path, dict[str, str]]:
    """The example contracts before award: the same file without the suppliers."""
    contracts = yaml.safe_load(point_to((examples / "contracts.yaml").read_text(encoding="utf-8"), smtp, http))
    suppliers = {c["reference"]: c.pop("supplier")["name"] for c in contracts}
    path = tmp_path / "planned.yaml"
    path.write_text(yaml.safe_dump(contracts, sort_keys=False), encoding="utf-8")
    return path, suppliers


def events(url: str, reference: str, type_: str | None = None) -> list[schema.Event]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            query = select(schema.Event).where(schema.Event.reference == reference).order_by(schema.Event.id)
            if type_:
                query = query.where(schema.Event.type == type_)
            return list(conn.execute(query))
    finally:
        engine.dispose()


def artifact(key: str) -> str:
    """The latest Prefect artifact with this key, read from the server's REST API."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    response = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json={
        "artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1, "offset": 0})
    response.raise_for_status()
    found = response.json()
    assert found, f"no Prefect artifact {key}"
    return json.dumps(found[0]["data"]) if not isinstance(found[0]["data"], str) else found[0]["data"]


def test_tender_award_monitor_evaluate(srr, examples, tmp_path, smtp_inbox, http_inbox):
    planned, suppliers = planned_examples(examples, tmp_path, smtp_inbox, http_inbox)
    srr.ok("contracts", "add", planned)
    assert "planned" in srr.ok("contracts", "show", "RWS-2026-0042")

    out = srr.ok("tender", "RWS-2026-0042", "--on", "2025-09-01", "--eforms")
    assert "tendering" in out and "BT-06" in out and "soc-obj" in out
    assert "BT-06" in artifact("tender-rws-2026-0042")
    srr.ok("tender", "DJI-2026-0007", "--on", "2025-10-01")

    srr.ok("award", "RWS-2026-0042", "--supplier", suppliers["RWS-2026-0042"],
           "--offer", "sroi_clause.percentage=10", "--on", "2025-11-15")
    srr.ok("award", "DJI-2026-0007", "--supplier", suppliers["DJI-2026-0007"], "--on", "2025-12-01")
    shown = json.loads(srr.ok("contracts", "show", "RWS-2026-0042", "--json"))
    assert shown["phase"] == "active" and shown["supplier"]["name"] == "Schoon & Sociaal BV"
    assert shown["instruments"][0]["offered_percentage"] == "10"

    srr.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-06-01")
    srr.ok("realisations", "review", "RWS-2026-0042", "--accept-all")

    for day in month_ends(date(2026, 1, 1), date(2030, 1, 31)):
        srr.ok("monitor", "--as-of", day.isoformat(), "--at", f"{day}T09:00")
    counts = row_counts(srr.url)
    # one assessment per instrument and month while monitored: RWS (2 instruments) and DJI (1)
    assert counts["assessments"] == 2 * 49 + 1 * 49
    changes = events(srr.url, "RWS-2026-0042", "status.changed")
    assert changes and all(e.payload["from"] != e.payload["to"] for e in changes)
    assert [e.payload["end"] for e in events(srr.url, "DJI-2026-0007", "contract.ended")] == ["2028-02-29"]
    # after both end dates, with the obligations unmet, the last sweep counts both as not met
    assert json.loads(artifact("monitor-status-counts")) == [{"status": "not_met", "contracts": 2}]

    # the monitor flow delivered the check-ins it planned: one digest per recipient per run
    first_contact = [m for m in smtp_inbox.to("cm@example.nl") if "eerste gesprek" in m.text]
    assert len(first_contact) == 1 and "RWS-2026-0042" in first_contact[0].text
    assert http_inbox.posts and all("Idempotency-Key" in p.headers for p in http_inbox.posts)

    md = tmp_path / "rws.md"
    srr.ok("report", "RWS-2026-0042", "--format", "md", "--output", md, "--as-of", "2029-12-31")
    assert "| RWS-2026-0042 |" in md.read_text(encoding="utf-8")
    srr.ok("report", "--portfolio", "--as-of", "2029-12-31")
    portfolio = (srr.home / "reports" / "portfolio-2029-12-31.html").read_text(encoding="utf-8")
    assert "<svg" in portfolio and "DJI-2026-0007" in portfolio and "P-7f3a" not in portfolio

    before = row_counts(srr.url)
    srr.ok("monitor", "--as-of", "2030-01-31", "--at", "2030-01-31T09:00")
    assert row_counts(srr.url) == before  # the same date again changes nothing

    srr.ok("contracts", "note", "RWS-2026-0042", "Twee schoonmakers kregen een vast contract.", "--as-of", "2027-05-01")
    srr.ok("contracts", "note", "RWS-2026-0042", "Begin de gesprekken voor de gunning.", "--lesson", "--as-of", "2029-11-01")
    out = srr.ok("evaluate", "RWS-2026-0042", "--as-of", "2029-12-31")
    assert "evaluating" in out
    report = next((srr.home / "reports").glob("evaluation-RWS-2026-0042-2029-12-31.html"))
    html = report.read_text(encoding="utf-8")
    assert "sroi_clause" in html and "P-7f3a" not in html
    assert "vast contract" in html and "Begin de gesprekken" in html
    assert "sroi_clause" in artifact("evaluation-rws-2026-0042")
    srr.ok("evaluate", "RWS-2026-0042", "--as-of", "2029-12-31", "--sign-off", "--by", "inkoop")
    assert json.loads(srr.ok("contracts", "show", "RWS-2026-0042", "--json"))["phase"] == "closed"
    phases = [e.payload["to"] for e in events(srr.url, "RWS-2026-0042", "phase.changed")]
    assert phases == ["tendering", "active", "evaluating", "closed"]
