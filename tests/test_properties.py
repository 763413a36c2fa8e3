"""Properties that must hold for any small case (hypothesis draws the toy's numbers).

Plans may be degenerate, so the properties compare objectives, not plans.
"""

from __future__ import annotations

from pathlib import Path

import balances
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recovery
from recovery.api import solve_inputs
from recovery.inputs import ROW
from recovery.schema import TABLES_BY_NAME

TOY = Path(__file__).resolve().parent.parent / "models" / "toy"
SETTINGS = settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

MONEY = (
    "collection_cost",
    "preprocess_cost",
    "unmet_penalty",
    "oxide_unmet_penalty",
    "capex",
    "fixed_om",
    "variable_om",
    "freight",
    "consent_cost",
    "import_price",
    "magnet_import_price",
    "oxide_price",
    "magnet_price",
    "scrap_price",
    "capital_budget",
    "capital_budget_total",
    "capex_subsidy_cap",
    "opex_support",
    "price_floor",
    "public_budget",
    "public_budget_total",
    "stock_holding_cost",
    "resinter_cost",
    "fx_rate",
    "energy_price",
)

toy_values = st.fixed_dictionaries(
    {
        "us_hdd": st.floats(0, 400),
        "jp_motor": st.floats(0, 400),
        "d_us": st.floats(0, 600),
        "d_jp": st.floats(0, 600),
        "magnet_price": st.floats(30_000, 120_000),
        "nd_price": st.floats(100_000, 300_000),
        "hpms_capex": st.floats(1_000, 80_000),
        "tier2": st.floats(0, 40_000),
    }
)


def overrides(v: dict) -> list[dict]:
    o = []
    for y in (2030, 2031):
        o.append({"set": f"arisings[nation=US,product=hdd,year={y}]={v['us_hdd']}"})
        o.append({"set": f"arisings[nation=JP,product=motor,year={y}]={v['jp_motor']}"})
    o += [
        {"set": f"demand[nation=US]={v['d_us']}"},
        {"set": f"demand[nation=JP]={v['d_jp']}"},
        {"set": f"magnet_import_price[supplier=CN]={v['magnet_price']}"},
        {"set": f"import_price[supplier=CN]={v['nd_price']}"},
        {"set": f"capex[process=hpms]={v['hpms_capex']}"},
        {"set": f"collection_cost[tier=2]={v['tier2']}"},
    ]
    return o


def solve(v: dict, extra: list[dict] = ()):
    case, data, _ = recovery.prepare_case(TOY, overrides=overrides(v) + list(extra))
    return case, data, solve_inputs(case, data)


@SETTINGS
@given(toy_values)
def test_balances_hold(v):
    _, data, res = solve(v)
    balances.check_all(res, data)


@SETTINGS
@given(toy_values, st.floats(0, 300))
def test_more_capacity_never_raises_cost(v, extra):
    base = solve(v)[2].objective
    ovs = [
        {"set": f"existing_capacity[nation=US,process=hpms,year={y}]={extra}"} for y in (2030, 2031)
    ]
    assert solve(v, ovs)[2].objective <= base + 1e-9 * abs(base) + 1e-6


@SETTINGS
@given(toy_values, st.floats(0, 5e6))
def test_more_budget_never_raises_cost(v, budget):
    tight = solve(v, [{"set": f"capital_budget[nation=US,year=2030]={budget}"}])[2].objective
    loose = solve(v, [{"set": f"capital_budget[nation=US,year=2030]={budget * 2 + 1}"}])[2]
    assert loose.objective <= tight + 1e-9 * abs(tight) + 1e-6


@SETTINGS
@given(toy_values, st.floats(1.0, 2.0))
def test_more_demand_never_lowers_cost(v, k):
    base = solve(v)[2].objective
    more = solve(v, [{"scale": f"demand[nation=JP]={k}"}])[2].objective
    assert more >= base - 1e-9 * abs(base) - 1e-6


@SETTINGS
@given(toy_values, st.sampled_from([0.01, 0.5, 3.0, 1000.0]))
def test_scaling_every_money_input_scales_the_objective(v, k):
    case, data, res = solve(v)
    scaled = data.copy()
    for name in MONEY:
        if name in scaled.tables:
            df = scaled.tables[name].copy()
            df[["value", "low", "high"]] *= k
            scaled.tables[name] = df
    assert solve_inputs(case, scaled).objective == pytest.approx(
        k * res.objective, rel=1e-7, abs=1e-6
    )


def _rename(data, old: str, new: str):
    out = data.copy()
    for name, df in out.sets.items():
        df = df.copy()
        for c in df.columns:
            if c in ("nation", "home"):
                df[c] = df[c].replace(old, new)
        out.sets[name] = df.iloc[::-1].reset_index(drop=True)  # reorder rows too
    for name, df in out.tables.items():
        df = df.copy()
        for c in ("nation", "origin", "destination"):
            if c in df.columns:
                df[c] = df[c].replace(old, new)
        out.tables[name] = df.iloc[::-1].reset_index(drop=True)
    return out


@SETTINGS
@given(toy_values)
def test_renaming_and_reordering_nations_changes_nothing(v):
    case, data, res = solve(v)
    renamed = _rename(data, "US", "ZZ")
    assert not recovery.validate(renamed)
    assert solve_inputs(case, renamed).objective == pytest.approx(res.objective, rel=1e-9, abs=1e-6)


@SETTINGS
@given(toy_values)
def test_an_empty_nation_changes_nothing(v):
    case, data, res = solve(v)
    more = data.copy()
    more.sets["nation"] = pd.concat(
        [more.sets["nation"], pd.DataFrame([{"nation": "XX", "name": "Nowhere", ROW: 99}])],
        ignore_index=True,
    )
    coc = more.tables["cost_of_capital"]
    row = coc.iloc[[0]].copy()
    row["nation"] = "XX"
    more.tables["cost_of_capital"] = pd.concat([coc, row], ignore_index=True)
    assert not recovery.validate(more)
    assert solve_inputs(case, more).objective == pytest.approx(res.objective, rel=1e-9, abs=1e-6)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(toy_values, st.sampled_from(["US", "JP"]), st.sampled_from([2030, 2031]))
def test_demand_dual_lies_between_finite_differences(v, nation, year):
    _, _, res = solve(v)
    sp = res.shadow_prices
    row = sp[(sp.constraint == "magnet_balance") & (sp.nation == nation) & (sp.year == year)]
    dual = float(row["value_pv"].iloc[0])
    d0 = v["d_us"] if nation == "US" else v["d_jp"]
    h = 1e-3 * max(1.0, d0)
    up = solve(v, [{"set": f"demand[nation={nation},year={year}]={d0 + h}"}])[2].objective
    right = (up - res.objective) / h
    tol = 1e-6 * max(1.0, abs(dual)) + 1e-3
    if d0 - h >= 0:
        down = solve(v, [{"set": f"demand[nation={nation},year={year}]={d0 - h}"}])[2].objective
        left = (res.objective - down) / h
        assert min(left, right) - tol <= dual <= max(left, right) + tol
    else:  # at zero demand the left derivative does not exist: only the right bound holds
        assert dual <= right + tol


def test_money_tables_are_all_money():
    """The money list covers every table whose unit is a currency (so scaling is complete)."""
    money = {n for n, t in TABLES_BY_NAME.items() if "USD" in t.unit}
    assert money == set(MONEY)
