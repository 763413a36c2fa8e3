"""Arisings derived from units put on the market (recovery.feedstock)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from recovery.case import load_case
from recovery.feedstock import (
    check_arisings_source,
    derive_arisings,
    discard_share,
    weibull_cdf,
)
from recovery.inputs import read_inputs

ROOT = Path(__file__).resolve().parents[1]
HEAD = "value,unit,low,high,source,basis,note\n"


def _case(tmp_path: Path, tables: dict[str, str]) -> Path:
    (tmp_path / "case.yaml").write_text(
        "inputs: null\nhorizon: {start: 2030, end: 2032}\ndiscount_rate: 0.0\ncurrency_year: 2025\n"
    )
    for name, text in tables.items():
        (tmp_path / f"{name}.csv").write_text(text)
    return tmp_path


ONE_PRODUCT = {
    "nation": "nation,name\nUS,United States\n",
    "product": "product,name,grade\nmotor,Motors,standard\n",
    # 1,000 units sold in 2030 only (range 500-2,000)
    "put_on_market": "nation,product,year,"
    + HEAD
    + "US,motor,2030,1000,units/yr,500,2000,t,assumption,\n",
    # exponential life (Weibull shape 1) with a mean of 2 years
    "lifetime_scale": "product," + HEAD + "motor,2,yr,2,2,t,assumption,\n",
    "lifetime_shape": "product," + HEAD + "motor,1,-,1,1,t,assumption,\n",
    "magnet_per_unit": "product," + HEAD + "motor,2,kg/unit,1,3,t,assumption,\n",
    "ndfeb_unit_share": "product," + HEAD + "motor,0.5,fraction,0.25,1,t,assumption,\n",
}


def test_weibull_pieces():
    assert weibull_cdf(0.0, 2.0, 1.0) == 0.0
    assert weibull_cdf(2.0, 2.0, 1.0) == pytest.approx(1 - math.exp(-1))
    assert discard_share(-1, 2.0, 1.0) == 0.0
    assert discard_share(0, 2.0, 1.0) == pytest.approx(1 - math.exp(-0.25))
    # the discard shares of a cohort add up to one
    assert sum(discard_share(a, 5.9, 1.25) for a in range(200)) == pytest.approx(1.0)


def test_exponential_case_by_hand(tmp_path):
    data = read_inputs(load_case(_case(tmp_path, ONE_PRODUCT)))
    a = data.tables["arisings"].set_index("year")
    assert data.files["arisings"] == "arisings (derived from put_on_market)"
    # by hand: tonnes = 1000 units x 2 kg / 1000 x 0.5 = 1 t of magnet in the cohort;
    # exponential with mean 2: 2030 gets F(0.5) = 1 - e^-0.25 = 0.221199,
    # 2031 gets e^-0.25 - e^-0.75 = 0.778801 - 0.472367 = 0.306434,
    # 2032 gets e^-0.75 - e^-1.25 = 0.472367 - 0.286505 = 0.185862
    assert a.loc["2030", "value"] == pytest.approx(0.221199, abs=1e-6)
    assert a.loc["2031", "value"] == pytest.approx(0.306434, abs=1e-6)
    assert a.loc["2032", "value"] == pytest.approx(0.185862, abs=1e-6)
    # low: 500 units x 1 kg x 0.25 = 0.125 t of magnet; high: 2000 x 3 kg x 1 = 6 t
    assert a.loc["2031", "low"] == pytest.approx(0.125 * 0.306434, rel=1e-5)
    assert a.loc["2031", "high"] == pytest.approx(6 * 0.306434, rel=1e-5)
    assert set(a["unit"]) == {"t/yr"}
    assert set(a["source"]) == {"derived"} and set(a["basis"]) == {"derived"}
    assert set(a["_row"]) == {0}
    assert not data.issues or all(i.rule == "table-missing" for i in data.issues)


def test_explicit_rows_win(tmp_path):
    tables = dict(ONE_PRODUCT)
    tables["arisings"] = "nation,product,year," + HEAD + "US,motor,2031,7,t/yr,6,8,x,assumption,\n"
    data = read_inputs(load_case(_case(tmp_path, tables)))
    a = data.tables["arisings"]
    assert len(a) == 3
    row = a[a["year"] == "2031"].iloc[0]
    assert row["value"] == 7 and row["source"] == "x"
    assert a[a["year"] == "2030"].iloc[0]["value"] == pytest.approx(0.221199, abs=1e-6)


def test_missing_lifetime_is_reported(tmp_path):
    tables = {k: v for k, v in ONE_PRODUCT.items() if k != "lifetime_shape"}
    data = read_inputs(load_case(_case(tmp_path, tables)))
    arisings, issues = derive_arisings(data)
    assert arisings.empty
    assert any("lifetime_shape" in i.message for i in issues)


def test_coverage_check(tmp_path):
    tables = {k: v for k, v in ONE_PRODUCT.items() if k != "put_on_market"}
    data = read_inputs(load_case(_case(tmp_path, tables)))
    issues = check_arisings_source(data)
    assert len(issues) == 1 and "put_on_market" in issues[0].message
    ok = read_inputs(load_case(_case(tmp_path, ONE_PRODUCT)))
    assert check_arisings_source(ok) == []


def test_default_data_arisings_plausible():
    data = read_inputs(load_case(ROOT / "models" / "quad_baseline"))
    a = data.tables["arisings"].copy()
    assert not a.empty and (a["value"] >= 0).all()
    assert (a["low"] <= a["value"]).all() and (a["value"] <= a["high"]).all()
    a["year"] = a["year"].astype(int)
    by_nation = a[a["year"] == 2026].groupby("nation")["value"].sum()
    assert set(by_nation.index) == {"IN", "US", "JP", "AU"}
    assert (by_nation > 0).all()
    # every nation's magnet arisings well below its 2026 magnet demand and in the right range
    assert 100 < by_nation["AU"] < 1_000
    assert 300 < by_nation["IN"] < 3_000
    assert 1_000 < by_nation["JP"] < 5_000
    assert 1_000 < by_nation["US"] < 8_000
    # the e-waste products carry roughly the 0.02-0.06 % NdFeB share of generated e-waste
    ewaste_t = {"IN": 4.137e6, "US": 7.2e6, "JP": 2.6e6, "AU": 0.583e6}
    eee = ["hdd", "laptop", "smartphone", "speaker", "room_ac"]
    share = a[(a["year"] == 2026) & a["product"].isin(eee)].groupby("nation")["value"].sum()
    for n, t in ewaste_t.items():
        assert 0.0001 < share[n] / t < 0.0006, n
    # arisings grow as the EV fleet ages
    total = a.groupby("year")["value"].sum()
    assert total[2040] > total[2026]
