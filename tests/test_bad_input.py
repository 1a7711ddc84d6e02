"""Property tests (hypothesis): every bad contract file, supplier report or command-line value gives a
clear error naming the file, row and field, and leaves the database as it was."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from srr_test_support import row_counts

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CONTRACT_FIELDS = ["reference", "title", "category", "cpv", "value_eur", "wage_sum_eur", "start", "end", "buyer",
                   "pilot", "supplier"]
REPORT_COLUMNS = ["contract", "candidate", "kind", "target_group", "hours_per_week", "start", "end", "amount_eur",
                  "hours", "bonuses"]
GOOD_ROW = ["RWS-2026-0042", "P-7f3a", "placement", "participatiewet", "36", "2026-02-01", "2026-12-31", "", "",
            "", "contract"]
junk = st.one_of(st.text(min_size=1, max_size=12), st.integers(-10**6, 10**6), st.booleans(), st.just([1, 2]),
                 st.just({"x": 1}), st.just("2026-02-30"), st.just("-5"), st.just("1e400"))


def contracts(examples: Path) -> list[dict]:
    return yaml.safe_load((examples / "contracts.yaml").read_text(encoding="utf-8"))


@PROPERTY
@given(field=st.sampled_from(CONTRACT_FIELDS), value=junk, drop=st.booleans())
def test_a_bad_contract_field_is_named_and_nothing_changes(srr_sqlite, examples, tmp_path, field, value, drop):
    data = copy.deepcopy(contracts(examples))
    for contract in data:  # each example adds new contracts to the same database
        contract["reference"] += f"-{uuid.uuid4().hex[:6]}"
    first = data[0]
    if drop and field in ("reference", "title", "category", "cpv", "value_eur", "start", "end", "buyer"):
        first.pop(field)
    else:
        first[field] = value
    path = tmp_path / "contracts.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = row_counts(srr_sqlite.url)
    result = srr_sqlite("contracts", "add", path)
    if result.code == 0:  # the value happened to be valid (e.g. a text title): then it was stored whole
        assert row_counts(srr_sqlite.url)["contracts"] == before["contracts"] + 2
        return
    assert result.code == 2 and "Traceback" not in result.err
    assert (str(path) in result.err and field in result.err) or "al geregistreerd" in result.err
    assert "Nothing was changed" in result.err
    assert row_counts(srr_sqlite.url) == before


def write_report(path: Path, row: list[str]) -> Path:
    header = [*REPORT_COLUMNS, "evidence"]
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(header)
        book.active.append(row)
        book.save(path)
    else:
        path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    return path


@PROPERTY
@given(column=st.sampled_from(REPORT_COLUMNS), value=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"],
                                                                                     blacklist_characters=",\"'"),
                                                              min_size=1, max_size=15),
       suffix=st.sampled_from([".csv", ".xlsx"]))
def test_a_bad_report_cell_is_named_by_row_and_nothing_changes(srr_sqlite, examples, tmp_path, column, value, suffix):
    srr_sqlite("contracts", "add", examples / "contracts.yaml")
    row = list(GOOD_ROW)
    row[REPORT_COLUMNS.index(column)] = value
    path = write_report(tmp_path / f"report-{uuid.uuid4().hex[:6]}{suffix}", row)
    before = row_counts(srr_sqlite.url)
    result = srr_sqlite("realisations", "import", path)
    if result.code == 0:
        assert row_counts(srr_sqlite.url)["realisations"] == before["realisations"] + 1
        return
    assert result.code == 2 and "Traceback" not in result.err
    assert f"{path}, regel 2" in result.err or str(path) in result.err
    assert "veld '" in result.err or "regel 2" in result.err
    assert row_counts(srr_sqlite.url) == before


@PROPERTY
@given(percentage=st.text(min_size=1, max_size=8), day=st.text(min_size=1, max_size=12))
def test_bad_command_line_values_are_refused_cleanly(srr_sqlite, examples, percentage, day):
    srr_sqlite("contracts", "add", examples / "contracts.yaml")
    before = row_counts(srr_sqlite.url)
    for args in (["leniency", "RWS-2026-0042", "--percentage", percentage, "--reason", "r"],
                 ["status", "RWS-2026-0042", "--as-of", day]):
        result = srr_sqlite(*args)
        assert "Traceback" not in result.err + result.out
        if result.code != 0:
            assert result.code == 2 and result.err.strip()
    after = row_counts(srr_sqlite.url)
    assert after["leniencies"] - before["leniencies"] in (0, 1)
    assert after["contracts"] == before["contracts"]
