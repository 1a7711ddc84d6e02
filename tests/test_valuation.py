"""Valuation of realisations: the stored form, the published tables, and properties that must hold."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srr_engine.errors import ContractError
from srr_engine.valuation import TableRegistry, load_table_file, value_realisation

ROOT = Path(__file__).resolve().parent.parent
TABLES = TableRegistry([load_table_file(p) for p in (ROOT / "config" / "valuation").glob("*.toml")])
UTRECHT = TABLES.get("utrecht", "current")
OOST = TABLES.get("oost-nederland", "V05")
TERM = (date(2026, 1, 1), date(2029, 12, 31))


def cents(value, as_of: date) -> Decimal:
    return Decimal(value.cents_as_of(as_of)) / 100


def test_the_example_rows_value_as_published():
    as_of = date(2026, 12, 31)
    placement = value_realisation(UTRECHT, "placement", "participatiewet", date(2026, 2, 1), date(2026, 12, 31),
                                  TERM, Decimal(36))
    bonus = value_realisation(UTRECHT, "placement", "banenafspraak", date(2026, 4, 1), date(2027, 3, 31), TERM,
                              Decimal(24), ["age_50_plus"])
    bbl = value_realisation(UTRECHT, "learning", "mbo_bbl", date(2026, 9, 1), date(2027, 8, 31), TERM, Decimal(36))
    purchase = value_realisation(UTRECHT, "purchase", "social_enterprise", date(2026, 5, 1), date(2026, 5, 31), TERM,
                                 amount_eur=Decimal("12000.00"))
    activity = value_realisation(UTRECHT, "activity", None, date(2026, 6, 10), date(2026, 6, 10), TERM,
                                 hours=Decimal(16))
    # 40,000 x 334/365; (50,000 + 10,000) x 24/36 x 275/365; 35,000 x 122/365; invoice x 1.0; 16 h x 100
    assert [cents(v, as_of) for v in (placement, bonus, bbl, purchase, activity)] == [
        Decimal("36602.74"), Decimal("30136.99"), Decimal("11698.63"), Decimal("12000.00"), Decimal("1600.00")]
    assert cents(purchase, date(2026, 5, 30)) == 0  # counts once the invoice period has ended


def test_counting_cap_limits_the_window():
    row = value_realisation(OOST, "placement", "ww_lt1y", date(2026, 3, 1), date(2028, 2, 28), TERM, Decimal(36))
    assert row.win_end == date(2027, 2, 28)
    assert cents(row, date(2029, 1, 1)) == Decimal("10000.00")  # one full year, never more


def test_monthly_rows_and_unknown_codes():
    month = value_realisation(OOST, "placement", "work_experience", date(2026, 1, 1), date(2026, 12, 31), TERM,
                              Decimal(36))
    assert cents(month, date(2026, 12, 31)) == Decimal("9000.00")  # 750 per month x 12
    with pytest.raises(ContractError) as exc:
        value_realisation(UTRECHT, "placement", "wajong", date(2026, 1, 1), date(2026, 2, 1), TERM, Decimal(36))
    assert "wajong" in exc.value.message.nl and "participatiewet" in exc.value.message.nl
    with pytest.raises(ContractError):
        value_realisation(UTRECHT, "placement", "ww", date(2026, 1, 1), date(2026, 2, 1), TERM, Decimal(36),
                          ["age_55_plus"])


def test_the_table_valid_at_a_date_is_chosen():
    assert TABLES.valid_on("oost-nederland", date(2024, 1, 1)).version == "V05"
    with pytest.raises(ContractError):
        TABLES.valid_on("friesland", date(2024, 1, 1))


groups = st.sampled_from(sorted(OOST.target_groups))
# A cap counts from each row's own start, so splitting a capped row legitimately counts more: the
# splitting property holds for uncapped groups.
uncapped = st.sampled_from(sorted(g for g, v in OOST.target_groups.items() if not v.cap_years))
days = st.dates(min_value=date(2025, 6, 1), max_value=date(2030, 6, 30))
hours = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(60), places=2)


@settings(max_examples=300, deadline=None)
@given(group=uncapped, start=days, length=st.integers(1, 1500), cut=st.integers(0, 1499), h=hours, as_of=days)
def test_splitting_a_period_changes_the_total_by_at_most_a_cent_per_part(group, start, length, cut, h, as_of):
    end = start + timedelta(days=length - 1)
    whole = value_realisation(OOST, "placement", group, start, end, TERM, h)
    mid = start + timedelta(days=cut % length)
    first = value_realisation(OOST, "placement", group, start, mid - timedelta(days=1), TERM, h) if mid > start else None
    second = value_realisation(OOST, "placement", group, mid, end, TERM, h)
    parts = [p for p in (first, second) if p is not None]
    total = sum(p.cents_as_of(as_of) for p in parts)
    assert abs(total - whole.cents_as_of(as_of)) <= len(parts)


@settings(max_examples=300, deadline=None)
@given(group=groups, start=days, length=st.integers(1, 1500), h1=hours, h2=hours, d1=days, d2=days)
def test_value_is_monotone_in_hours_and_days_and_never_exceeds_the_caps(group, start, length, h1, h2, d1, d2):
    end = start + timedelta(days=length - 1)
    low_h, high_h = sorted((h1, h2))
    early, late = sorted((d1, d2))
    low = value_realisation(OOST, "placement", group, start, end, TERM, low_h)
    high = value_realisation(OOST, "placement", group, start, end, TERM, high_h)
    assert low.cents_as_of(late) <= high.cents_as_of(late)
    assert high.cents_as_of(early) <= high.cents_as_of(late)
    # never more than full time for the counted years (the cap, or the term)
    value = OOST.target_groups[group]
    counted_days = (min(end, TERM[1], start + timedelta(days=365 * value.cap_years - 1) if value.cap_years else end)
                    - max(start, TERM[0])).days + 1
    ceiling = value.annual * 100 * max(counted_days, 0) / 365
    assert high.cents_as_of(late) <= ceiling + 1
    if value.cap_years:
        assert high.cents_as_of(late) <= value.annual * value.cap_years * 100 + 1
