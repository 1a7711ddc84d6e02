"""Check-ins and nudges delivered to a real SMTP server and a real HTTP endpoint: the right message to
the right person, in their language, once, on business days only."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from receivers import HttpInbox, SmtpInbox, point_to

from srr_engine.sender import outcome
from srr_engine.registry import get_registry
from srr_engine.settings import get_settings
from srr_engine.sweep import sweep

TUESDAY = "2026-06-30"


def contracts_file(examples: Path, tmp_path: Path, smtp: SmtpInbox, http: HttpInbox, extra: bool = False,
                   supplier_url: str | None = None) -> Path:
    """The example contracts as users write them; the supplier reads English. With `extra`, a second
    contract for the same contract manager (the digest must group them)."""
    contracts = yaml.safe_load(point_to((examples / "contracts.yaml").read_text(encoding="utf-8"), smtp, http))
    supplier = contracts[0]["contacts"]["supplier"]
    supplier["language"] = "en"
    if supplier_url:
        supplier["notify"] = [point_to(supplier_url, smtp, http)]
    if extra:
        twin = {**contracts[0], "reference": "RWS-2026-0043", "title": "Schoonmaak steunpunten",
                "instruments": [contracts[0]["instruments"][0]]}
        contracts.append(twin)
    path = tmp_path / "contracts.yaml"
    path.write_text(yaml.safe_dump(contracts, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def monitor(day: str) -> None:
    """The sweep of the monitor flow, through the core (the flow tests run it on Prefect)."""
    sweep(date.fromisoformat(day), get_registry())


def send(srr, at: str) -> str:
    return srr.ok("nudges", "send", "--at", at)


@pytest.fixture
def portfolio(srr, examples, tmp_path, smtp_inbox, http_inbox):
    srr.ok("contracts", "add", contracts_file(examples, tmp_path, smtp_inbox, http_inbox))
    srr.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-06-01")
    srr.ok("realisations", "review", "RWS-2026-0042", "--accept-all")
    return srr


def test_digest_content_in_dutch_and_english_without_personal_data(portfolio, smtp_inbox, http_inbox):
    monitor(TUESDAY)
    out = send(portfolio, f"{TUESDAY}T09:00")
    assert "verstuurd" in out

    [manager] = smtp_inbox.to("cm@example.nl")
    assert manager.subject.startswith("Social return: ") and "over 1 contract" in manager.subject
    assert "Hoe staat het met de social return op RWS-2026-0042" in manager.text
    assert "gerealiseerd EUR" in manager.text and "srr checkins answer" in manager.text
    assert "<h2>Check-in social return</h2>" in manager.html

    [post] = http_inbox.posts
    assert "This is the srr-engine check-in" in post.body["message"]
    assert "partnership" in post.body["message"]
    key = post.headers["Idempotency-Key"]
    assert f"Message key: {key}" in post.body["message"]

    [escalation] = smtp_inbox.to("og@example.nl")  # RWS fell behind (no partnership session held)
    assert "achterop" in escalation.text

    everything = " ".join([m.text + m.html + m.subject for m in smtp_inbox.mails] + [json.dumps(p.body) for p in http_inbox.posts])
    for candidate in ("P-7f3a", "P-91c2", "P-0b77", "A. de Vries", "B. Jansen"):
        assert candidate not in everything


def test_one_digest_per_recipient_most_urgent_first(srr, examples, tmp_path, smtp_inbox, http_inbox):
    srr.ok("contracts", "add", contracts_file(examples, tmp_path, smtp_inbox, http_inbox, extra=True))
    monitor(TUESDAY)
    send(srr, f"{TUESDAY}T09:00")
    [digest] = smtp_inbox.to("cm@example.nl")
    assert "over 2 contracten" in digest.subject
    # RWS-2026-0042 is behind (partnership), RWS-2026-0043 only has its SROI clause: the first comes first
    assert digest.text.index("RWS-2026-0042") < digest.text.index("RWS-2026-0043")


def test_no_duplicates_across_runs(portfolio, smtp_inbox, http_inbox):
    monitor(TUESDAY)
    send(portfolio, f"{TUESDAY}T09:00")
    count = len(smtp_inbox.mails), len(http_inbox.posts)
    monitor(TUESDAY)
    send(portfolio, f"{TUESDAY}T10:00")
    monitor(TUESDAY)
    assert (len(smtp_inbox.mails), len(http_inbox.posts)) == count
    monitor("2026-07-07")  # a week later: the weekly check-in of a contract that is behind
    send(portfolio, "2026-07-07T09:00")
    assert len(smtp_inbox.to("cm@example.nl")) == 2


def test_delivered_after_the_endpoint_was_down(portfolio, smtp_inbox, http_inbox, monkeypatch):
    monkeypatch.setenv("SRR_NUDGES__RETRY_SECONDS", "[0.1]")
    get_settings.cache_clear()
    http_inbox.down = True
    monitor(TUESDAY)
    result = portfolio("nudges", "send", "--at", f"{TUESDAY}T09:00")
    assert result.code == 1 and "1 mislukt" in result.out
    failed = json.loads(portfolio.ok("nudges", "list", "--failed", "--json"))
    assert [f["status"] for f in failed] == ["failed"] and failed[0]["attempts"] == 2
    assert http_inbox.posts == []

    http_inbox.down = False
    send(portfolio, f"{TUESDAY}T11:00")
    assert len(http_inbox.posts) == 1
    assert json.loads(portfolio.ok("nudges", "list", "--failed", "--json")) == []
    send(portfolio, f"{TUESDAY}T12:00")
    assert len(http_inbox.posts) == 1


def test_unanswered_checkin_escalates_and_an_answer_stops_it(portfolio, smtp_inbox, http_inbox, monkeypatch):
    monkeypatch.setenv("SRR_NUDGES__DEFAULTS", json.dumps(
        {"escalation": [f"mailto://localhost:{smtp_inbox.port}?from=srr@example.nl&to=ops@example.nl"]}))
    get_settings.cache_clear()
    monitor(TUESDAY)
    send(portfolio, f"{TUESDAY}T09:00")
    checkins = json.loads(portfolio.ok("checkins", "list", "--open", "--json"))
    dji = next(c for c in checkins if c["contract"] == "DJI-2026-0007")
    portfolio.ok("checkins", "answer", str(dji["id"]), "--status", "on_track", "--note", "loopt goed")

    monitor("2026-07-15")  # fifteen days later
    send(portfolio, "2026-07-15T09:00")
    escalated = [c for c in json.loads(portfolio.ok("checkins", "list", "--json")) if c["rule"] == "checkin.unanswered"]
    assert {c["contract"] for c in escalated} == {"RWS-2026-0042"}
    assert any("niet beantwoord" in m.text for m in smtp_inbox.to("og@example.nl"))
    assert not any("niet beantwoord" in m.text for m in smtp_inbox.to("ops@example.nl"))


def test_nothing_on_sunday_on_kings_day_or_outside_hours(portfolio, smtp_inbox, http_inbox):
    monitor("2026-04-24")
    for moment, why in (("2026-04-26T10:00", "weekend"), ("2026-04-27T10:00", "feestdag"),
                        ("2026-04-28T07:30", "verzendtijden")):
        assert why in send(portfolio, moment)
    assert smtp_inbox.mails == [] and http_inbox.posts == []
    send(portfolio, "2026-04-28T09:00")
    assert smtp_inbox.to("cm@example.nl")


def test_an_imported_report_answers_report_overdue(srr, examples, tmp_path, smtp_inbox, http_inbox):
    srr.ok("contracts", "add", contracts_file(examples, tmp_path, smtp_inbox, http_inbox))
    monitor(TUESDAY)  # nothing reported since the start in January
    overdue = [c for c in json.loads(srr.ok("checkins", "list", "--json")) if c["rule"] == "sroi.report_overdue"]
    assert overdue and overdue[0]["answer"] is None
    srr.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-07-01")
    answered = [c for c in json.loads(srr.ok("checkins", "list", "--json")) if c["rule"] == "sroi.report_overdue"]
    assert answered[0]["answer"] == "done"


def test_secrets_stay_out_of_logs_and_output(srr, examples, tmp_path, smtp_inbox, http_inbox, caplog, monkeypatch):
    monkeypatch.setenv("SRR_NUDGES__RETRY_SECONDS", "[]")
    get_settings.cache_clear()
    srr.ok("contracts", "add", contracts_file(examples, tmp_path, smtp_inbox, http_inbox,
                                              supplier_url="json://hookuser:s3cr3t-token@localhost:8765/hook"))
    http_inbox.down = True
    monitor(TUESDAY)
    with caplog.at_level(logging.DEBUG):
        result = srr("nudges", "send", "--at", f"{TUESDAY}T09:00")
    shown = result.out + result.err + caplog.text + srr.ok("nudges", "list", "--failed", "--json")
    shown += srr.ok("contracts", "show", "RWS-2026-0042") + srr.ok("checkins", "list", "--json")
    assert "s3cr3t-token" not in shown
    assert f"not delivered to json://hookuser:****@localhost:{http_inbox.port}/hook" in shown


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_concurrent_sweeps_send_once_on_postgresql(portfolio, smtp_inbox, http_inbox):
    from srr_engine.nudges import deliver

    errors = []

    def run() -> None:
        try:
            monitor(TUESDAY)
            deliver(datetime.fromisoformat(f"{TUESDAY}T09:00"), get_settings())
        except Exception as exc:  # neither may fail: sweeps lock rows in order, claims skip locked check-ins
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    monitor(TUESDAY)
    send(portfolio, f"{TUESDAY}T10:00")
    assert len(smtp_inbox.to("cm@example.nl")) == 1 and len(http_inbox.posts) == 1
    assert errors == []


class _Status:
    def __init__(self, name: str):
        self.name = name


class _AppriseResult:
    """The shape of apprise 2.x's AppriseResult (a status enum), for the adapter only."""

    def __init__(self, name: str):
        self.status = _Status(name)


def test_outcome_reads_apprise_1_and_2():
    assert [outcome(r) for r in (True, False, None)] == ["sent", "failed", "no_match"]
    assert [outcome(_AppriseResult(n)) for n in ("SUCCESS", "NOMATCH", "FAILURE", "PARTIAL")] == [
        "sent", "no_match", "failed", "failed"]


def test_recipients_by_tag_from_an_apprise_config_file(srr, examples, tmp_path, smtp_inbox, http_inbox, monkeypatch):
    config = tmp_path / "apprise.yml"
    config.write_text(f"urls:\n  - json://localhost:{http_inbox.port}/team:\n    - tag: inkoopteam\n",
                      encoding="utf-8")
    monkeypatch.setenv("SRR_NUDGES__APPRISE_CONFIG", str(config))
    monkeypatch.setenv("SRR_NUDGES__DEFAULTS", json.dumps({"escalation": ["tag:inkoopteam"]}))
    get_settings.cache_clear()
    contracts = yaml.safe_load(point_to((examples / "contracts.yaml").read_text(encoding="utf-8"), smtp_inbox,
                                        http_inbox))
    del contracts[0]["contacts"]["escalation"]  # RWS has no escalation contact: the default applies
    path = tmp_path / "contracts.yaml"
    path.write_text(yaml.safe_dump(contracts, allow_unicode=True), encoding="utf-8")
    srr.ok("contracts", "add", path)
    monitor(TUESDAY)
    send(srr, f"{TUESDAY}T09:00")
    team = [p for p in http_inbox.posts if p.path == "/team"]
    assert len(team) == 1 and "achterop" in team[0].body["message"]


def test_the_at_risk_cadence_is_a_setting(portfolio, smtp_inbox, http_inbox, monkeypatch):
    monkeypatch.setenv("SRR_NUDGES__CHECKIN_EVERY_DAYS_AT_RISK", "14")
    get_settings.cache_clear()
    regular = lambda: [c for c in json.loads(portfolio.ok("checkins", "list", "--json"))  # noqa: E731
                       if c["rule"] == "checkin.regular" and c["contract"] == "RWS-2026-0042"]
    monitor("2026-06-23")
    monitor("2026-06-30")  # a week later, same 14-day period: no new check-in
    assert len(regular()) == 1
    monitor("2026-07-07")
    assert len(regular()) == 2


def test_a_large_backlog_is_claimed_in_slices(srr_sqlite, examples, smtp_inbox, http_inbox):
    """More pending check-ins than SQLite takes bind parameters in one statement (32,766)."""
    from sqlalchemy import func, insert, select

    from srr_engine.nudges import deliver
    from srr_engine.storage import schema
    from srr_engine.storage.db import get_engine

    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    rows = [{"contract_id": 2, "rule": "test.backlog", "role": "escalation", "period": str(n),
             "planned_on": date(2026, 6, 30), "urgency": 1, "message": {"nl": "x", "en": "x"}, "figures": {},
             "expects_answer": False, "delivery": "pending"} for n in range(40_000)]
    with get_engine().begin() as conn:
        conn.execute(insert(schema.Checkin.__table__), rows)
    deliver(datetime.fromisoformat(f"{TUESDAY}T09:00"), get_settings())
    with get_engine().connect() as conn:
        left = conn.scalar(select(func.count()).select_from(schema.Checkin).where(schema.Checkin.delivery == "pending"))
    assert left == 0  # DJI has no escalation contact: all 40,000 recorded as without recipient


def test_a_big_run_sends_from_sender_processes_each_digest_once(srr, examples, tmp_path, http_inbox, monkeypatch):
    """120 contracts with a webhook per contact: 240 digests, enough for sender processes. Three
    suppliers' webhooks are down (nothing listens yet): those digests fail, keep their key, and go out
    once it is up."""
    from concurrent.futures import ProcessPoolExecutor

    from receivers import free_port

    from srr_engine.nudges import senders
    from srr_engine.storage.db import get_engine

    monkeypatch.setenv("SRR_NUDGES__RETRY_SECONDS", "[0.1]")
    get_settings.cache_clear()
    with senders(240, get_settings().nudges) as pool:
        assert isinstance(pool, ProcessPoolExecutor)
    late = HttpInbox(port=free_port())
    path = many_contracts(examples, tmp_path, 120, http_inbox.port, late_port=late.port)
    srr.ok("contracts", "add", path)
    monitor(TUESDAY)

    result = srr("nudges", "send", "--at", f"{TUESDAY}T09:00")
    assert result.code == 1 and "3 mislukt" in result.out
    with get_engine().connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM digests WHERE status = 'sent'").scalar() == 237
    keys = [p.headers["Idempotency-Key"] for p in http_inbox.posts]
    assert len(keys) == len(set(keys)) == 237
    assert {p.path for p in http_inbox.posts} == {f"/cm/{n}" for n in range(120)} | {f"/supplier/{n}" for n in range(3, 120)}
    failed = json.loads(srr.ok("nudges", "list", "--failed", "--json"))
    assert len(failed) == 3 and all(f["attempts"] == 2 and "not delivered to json://localhost" in f["error"]
                                    for f in failed)

    late.start()
    try:
        send(srr, f"{TUESDAY}T10:00")
    finally:
        late.stop()
    assert sorted(p.path for p in late.posts) == ["/supplier/0", "/supplier/1", "/supplier/2"]
    assert {p.headers["Idempotency-Key"] for p in late.posts} == {f["key"] for f in failed}
    with get_engine().connect() as conn:
        events = conn.exec_driver_sql("SELECT count(*) FROM events WHERE type = 'checkin.sent'").scalar()
        sent = conn.exec_driver_sql("SELECT count(*) FROM checkins WHERE delivery = 'sent'").scalar()
        waiting = conn.exec_driver_sql("SELECT count(*) FROM checkins WHERE delivery IN ('pending', 'queued')").scalar()
    assert waiting == 0 and events == sent >= 240


def many_contracts(examples: Path, tmp_path: Path, count: int, port: int, late_port: int | None = None) -> Path:
    """`count` copies of the RWS contract (its SROI clause only), each contact with a webhook of its own
    on `port`; the first three suppliers' on `late_port`, if given."""
    [template] = [c for c in yaml.safe_load((examples / "contracts.yaml").read_text(encoding="utf-8"))
                  if c["reference"] == "RWS-2026-0042"]
    contracts = []
    for n in range(count):
        supplier = f"json://localhost:{late_port if late_port and n < 3 else port}/supplier/{n}"
        contracts.append({**template, "reference": f"RWS-2026-{1000 + n}", "instruments": template["instruments"][:1],
                          "contacts": {"contract_manager": {"name": "CM", "notify": [f"json://localhost:{port}/cm/{n}"]},
                                       "supplier": {"name": "Leverancier", "notify": [supplier]}}})
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(contracts, allow_unicode=True), encoding="utf-8")
    return path


def test_a_long_run_keeps_its_digests_from_a_delivery_started_meanwhile(srr_sqlite, examples, tmp_path, http_inbox,
                                                                        monkeypatch):
    """A slow webhook makes the run last several leases; it renews them, so a second delivery started
    meanwhile takes over nothing and no digest goes out twice."""
    from srr_engine.nudges import deliver

    monkeypatch.setenv("SRR_NUDGES__LEASE_SECONDS", "1")
    get_settings.cache_clear()
    srr_sqlite.ok("contracts", "add", many_contracts(examples, tmp_path, 120, http_inbox.port))
    monitor(TUESDAY)
    http_inbox.on_post = lambda: time.sleep(0.05)  # 240 digests from two senders: about 6 s
    at = datetime.fromisoformat(f"{TUESDAY}T09:00")
    first = threading.Thread(target=deliver, args=(at, get_settings()))
    first.start()
    time.sleep(2.5)  # the leases taken at the start ran out long ago
    assert first.is_alive()
    second = deliver(at, get_settings())
    first.join()
    keys = [p.headers["Idempotency-Key"] for p in http_inbox.posts]
    assert second.digests_sent == 0 and len(keys) == len(set(keys)) == 240
