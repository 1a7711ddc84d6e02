"""Privacy (pseudonyms, keyed hashes, retention, access requests), audit trail, and templates that
cannot run code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError
from srr_test_support import row_counts

from srr_engine.settings import get_settings

HEADER = "contract,candidate,kind,target_group,hours_per_week,start,end,amount_eur,hours,bonuses,evidence\n"


def report(tmp_path: Path, candidate: str, name: str = "report.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + f"RWS-2026-0042,{candidate},placement,participatiewet,36,2026-02-01,2026-12-31,,,,{name}\n",
                    encoding="utf-8")
    return path


@pytest.fixture
def registered(srr_sqlite, examples):
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    return srr_sqlite


@pytest.mark.parametrize("candidate", ["123456782", '"Jan de Vries"'])
def test_a_real_identifier_is_refused_without_a_key(registered, tmp_path, candidate):
    before = row_counts(registered.url)
    result = registered("realisations", "import", report(tmp_path, candidate))
    assert result.code == 2 and "regel 2, veld 'candidate'" in result.err and "pseudoniem" in result.err
    assert candidate.strip('"') not in result.err + result.out
    assert row_counts(registered.url) == before


def test_with_a_key_a_real_identifier_becomes_a_keyed_hash(registered, tmp_path, monkeypatch):
    monkeypatch.setenv("SRR_PRIVACY__PSEUDONYM_KEY", "geheime-sleutel")
    get_settings.cache_clear()
    registered.ok("realisations", "import", report(tmp_path, "123456782"))
    listed = registered.ok("realisations", "list", "RWS-2026-0042", "--json")
    assert "123456782" not in listed
    [row] = json.loads(listed)["realisations"]
    assert row["candidate"].startswith("H-") and len(row["candidate"]) == 18
    # the same person in a second file gets the same pseudonym, so double counting is still refused
    result = registered("realisations", "import", report(tmp_path, "123456782", "again.csv"))
    assert result.code == 2 and "telt al mee" in result.err
    assert "geheime-sleutel" not in registered.ok("config", "show")


def test_purge_keeps_totals_and_export_answers_an_access_request(registered, examples):
    registered.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-06-01")
    registered.ok("realisations", "review", "RWS-2026-0042", "--accept-all")
    status = registered.ok("status", "RWS-2026-0042", "--as-of", "2026-12-31", "--json")
    access = json.loads(registered.ok("privacy", "export", "P-7f3a"))
    assert [r["contract"] for r in access["realisations"]] == ["RWS-2026-0042"]
    assert access["realisations"][0]["target_group"] == "participatiewet"

    out = registered.ok("privacy", "purge", "--older-than", "7y", "--as-of", "2034-01-01")
    assert "1 realisaties" in out  # only P-7f3a's placement ended before 2027-01-02
    assert json.loads(registered.ok("privacy", "export", "P-7f3a"))["realisations"] == []
    assert json.loads(registered.ok("privacy", "export", "P-91c2"))["realisations"]
    assert registered.ok("status", "RWS-2026-0042", "--as-of", "2026-12-31", "--json") == status
    assert registered("privacy", "purge", "--older-than", "seven years").code == 2


def test_audit_shows_who_did_what_and_why(registered, examples):
    registered.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-06-01",
                  "--by", "leverancier")
    registered.ok("realisations", "review", "RWS-2026-0042", "--reject", "4", "--reason", "factuur ontbreekt",
                  "--by", "A. de Vries")
    registered.ok("leniency", "RWS-2026-0042", "--percentage", "3", "--reason", "crisis", "--by", "inkoop")
    history = json.loads(registered.ok("audit", "RWS-2026-0042", "--json"))
    seen = [(e["type"], e["actor"]) for e in history]
    assert ("realisation.reported", "leverancier") in seen
    assert ("realisation.rejected", "A. de Vries") in seen and ("leniency.granted", "inkoop") in seen
    rejected = next(e for e in history if e["type"] == "realisation.rejected")
    assert rejected["details"]["reason"] == "factuur ontbreekt"
    assert "P-7f3a" not in json.dumps(history)
    assert "crisis" in registered.ok("audit", "RWS-2026-0042")


def test_templates_run_in_a_sandbox(tmp_path):
    from srr_engine.sender import environment

    own = tmp_path / "nudges" / "nl"
    own.mkdir(parents=True)
    (own / "subject.txt.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    env = environment(tmp_path)
    with pytest.raises(SecurityError):
        env.get_template("nudges/nl/subject.txt.j2").render()
    # contract data is data: a title written like a template is printed, not run
    text = env.from_string("{{ title }}").render(title="{{ 7 * 7 }}")
    assert text == "{{ 7 * 7 }}"
