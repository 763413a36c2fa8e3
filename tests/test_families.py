"""One micro-case per constraint family, each a small change to the toy with a hand-worked answer.

Base toy objective 52,978,000 USD; the merit-order numbers used below are derived in
models/toy/README.md (margins per tonne fed: US hard drives 18,400 USD in tier 1 and 13,400 in
tier 2; Japanese motors 12,200 and 7,200).
"""

from __future__ import annotations

from pathlib import Path

import balances
import pytest

import recovery

TOY = Path(__file__).resolve().parent.parent / "models" / "toy"
BASE = 52_978_000.0


def run(*overrides, settings=None):
    case = recovery.load_case(TOY)
    if settings:
        case = case.with_settings(settings)
    res = recovery.run_case(case, overrides=[{op: text} for op, text in overrides])
    _, data, _ = recovery.prepare_case(case, overrides=[{op: t} for op, t in overrides])
    balances.check_all(res, data)
    return res


def dual(res, con, **keys):
    sp = res.shadow_prices
    rows = sp[sp.constraint == con]
    for k, v in keys.items():
        rows = rows[rows[k].astype(str) == str(v)]
    assert len(rows) == 1, (con, keys, len(rows))
    return float(rows["value"].iloc[0])


def test_collection_tier_price(tmp_path):
    """Tier 2 at 40,000 USD/t is dearer than either path's margin: only tier 1 is collected."""
    res = run(("set", "collection_cost[tier=2]=40000"))
    col = res.collection
    assert col[col.tier == 2]["collected_t"].abs().max() == pytest.approx(0, abs=1e-9)
    lost = 13_400 * 0.3 * (100 + 150) + 7_200 * 0.3 * (200 + 250)
    assert res.objective == pytest.approx(BASE + lost)


def test_preprocess_yield():
    """Halving the dismantling yield halves concentrate per tonne fed (US: HPMS margin falls)."""
    res = run(("set", "preprocess_yield[product=hdd,preprocess=manual]=0.5"))
    pre = res.preprocessing.set_index(["nation", "product", "year"])
    row = pre.loc[("US", "hdd", 2030)]
    assert row.concentrate_t == pytest.approx(0.5 * row.input_t)
    # per t fed: dismantling 2,000 and tier cost on the full tonne, HPMS on half a tonne
    # value 0.5 * 0.9 * 36,000 = 16,200; cost tier1 2,000 + 0.5 * 12,000 = 8,000 -> fed;
    # tier 2 adds 5,000 -> 13,000 < 16,200 -> fed; so 80 % is still collected
    assert row.input_t == pytest.approx(80.0)


def test_existing_capacity_saves_its_capital_charge():
    res = run(
        ("set", "existing_capacity[nation=US,process=hpms,year=2030]=50"),
        ("set", "existing_capacity[nation=US,process=hpms,year=2031]=50"),
    )
    assert res.objective == pytest.approx(BASE - 50 * 10_000 * 2)
    cap = res.capacity.set_index(["nation", "process", "year"])
    assert cap.loc[("US", "hpms", 2030), "build_t"] == pytest.approx(30)
    assert cap.loc[("US", "hpms", 2031), "build_t"] == pytest.approx(40)


def test_lead_time_delays_production():
    """Hydromet decided in 2030 produces from 2031; Japan recycles nothing in 2030."""
    res = run(("set", "lead_time[process=hydromet]=1"))
    ro = res.route_output
    jp = ro[(ro.nation == "JP") & (ro.year == 2030)]
    assert jp.output_t.sum() == pytest.approx(0, abs=1e-9)
    assert res.objective == pytest.approx(BASE + 1_652_000)


def test_earliest_year_blocks_early_builds():
    res = run(("set", "earliest_year[process=hpms]=2031"))
    assert res.objective == pytest.approx(BASE + 1_322_000)


def test_max_build_per_year():
    res = run(("set", "max_build[nation=US,process=hpms]=50"))
    cap = res.capacity.set_index(["nation", "process", "year"])
    assert cap.loc[("US", "hpms", 2031), "capacity_t"] == pytest.approx(100)
    assert res.objective == pytest.approx(BASE + 402_000 + 268_000)


def test_max_capacity_in_service():
    res = run(("set", "max_capacity[nation=US,process=hpms]=60"))
    assert res.objective == pytest.approx(BASE + 268_000 + 879_000)
    assert dual(res, "capacity_limit", nation="US", process="hpms", year=2031) == pytest.approx(
        -(0.9 * 36_000 - 14_000 - 10_000 + 10_000)  # tier-1 margin lost per t/yr
    )


def test_availability():
    res = run(("set", "availability[process=hpms]=0.8"))
    assert res.objective == pytest.approx(BASE + 2_500 * (80 + 120))


def test_trade_oxide_to_where_magnets_are_needed():
    """Japan needs no magnets: its Nd goes to the US as oxide (150 USD per t of magnet in freight),
    cheaper than shipping magnets (1,000 USD/t)."""
    res = run(("set", "demand[nation=JP]=0"), ("set", "demand[nation=US]=500"))
    fl = res.flows
    ox = fl[(fl.form == "oxide") & (fl.origin == "JP")].set_index("year")["flow_t"]
    assert ox[2030] == pytest.approx(0.228 * 200)
    assert ox[2031] == pytest.approx(0.228 * 250)
    assert fl[fl.form == "magnet"].flow_t.sum() == pytest.approx(0, abs=1e-9)
    assert res.objective == pytest.approx(BASE + 500 * 0.228 * 450)


def test_consent_cost_adds_to_freight():
    res = run(
        ("set", "demand[nation=JP]=0"),
        ("set", "demand[nation=US]=500"),
        ("set", "consent_cost[form=oxide,origin=JP,destination=US]=1000"),
    )
    assert res.objective == pytest.approx(BASE + 1_500 * 0.228 * 450)
    costs = res.costs.groupby("component")["usd"].sum()
    assert costs["consent"] == pytest.approx(1_000 * 0.228 * 450)


def test_supply_cap_export_stop():
    """China sells at most 100 t of magnets to the alliance in 2030 (base plan buys 276 t).

    The 176 t gap is made from imported Nd oxide: 0.3 x 130,000 + 4,000 + 20,000 (a year of
    magnet-making capacity) = 63,000 USD/t, 3,000 more than a Chinese magnet. The extra capacity
    stays in service in 2031: 74 t of it replaces capacity the base plan builds in 2031 anyway;
    the other 102 t costs another 20,000 in 2031 and there makes magnets from imported oxide at
    43,000 instead of buying them at 60,000: a further net 3,000 USD/t.
    """
    res = run(
        ("set", "magnet_supply_cap[supplier=CN,destination=all,grade=standard,year=2030]=100")
    )
    assert res.objective == pytest.approx(BASE + 176 * 3_000 + (176 - 74) * 3_000)
    # a tonne more from China in 2030 saves 3,000 in 2030 and 3,000 in 2031
    assert dual(res, "supply_cap", supplier="CN", nation="all", year=2030) == pytest.approx(-6_000)


def test_share_cap_holds_in_results():
    """China may provide at most half of the alliance's Nd (magnet content counted)."""
    res = run(("set", "share_cap[nation=all,element=Nd]=0.5"))
    assert res.objective > BASE
    imp = res.imports
    for y in (2030, 2031):
        cn = 0.3 * imp[(imp.year == y) & (imp.form == "magnet")].import_t.sum()
        cn += imp[(imp.year == y) & (imp.form == "oxide")].import_t.sum()
        ro = res.route_output[res.route_output.year == y]
        recovered = (
            ro[ro.form == "oxide"].output_t.sum() + 0.3 * ro[ro.form == "alloy"].output_t.sum()
        )
        assert cn <= 0.5 * (cn + recovered) + 1e-6


def test_capital_budget():
    """US may commit 2 M USD in 2030: 58,000 USD of capital per t fed -> 34.48 t fed in 2030."""
    res = run(("set", "capital_budget[nation=US,year=2030]=2000000"))
    f = 2_000_000 / 58_000
    assert res.objective == pytest.approx(BASE + 18_400 * (50 - f) + 13_400 * 30)
    assert dual(res, "capital_budget", nation="US", year=2030) == pytest.approx(-18_400 / 58_000)


def test_stockpile_bridges_an_export_stop():
    """No Chinese magnets in 2031; only Japan may stock magnets (100 USD/t/yr).

    Buying the whole 2031 gap (92 t US + 110 t JP) in 2030 and holding it costs 100 USD/t, far
    below making it from imported oxide (63,000 vs 60,000 + 100). Japan holds the 202 t and
    covers its own 2031 gap plus 92 t; instead of shipping 92 t of magnets to the US (1,000
    USD/t) it ships the Nd for them as oxide (0.3 t x 500 USD/t) and makes 92 t fewer magnets,
    the US 92 t more; in 2030 likewise 54 t of making moves to the US so that no Japanese
    magnet-making capacity idles in 2031 (16.2 t Nd shipped).
    """
    res = run(
        ("set", "magnet_supply_cap[supplier=CN,destination=all,grade=standard,year=2031]=0"),
        ("set", "stock_holding_cost[nation=JP,form=magnet]=100"),
    )
    st = res.stocks.set_index(["nation", "year"])["stock_t"]
    assert st[("JP", 2030)] == pytest.approx(202)
    fl = res.flows
    assert fl[fl.form == "magnet"].flow_t.sum() == pytest.approx(0, abs=1e-9)
    ox = fl[(fl.form == "oxide") & (fl.origin == "JP")].set_index("year")["flow_t"]
    assert ox[2031] == pytest.approx(0.3 * 92) and ox[2030] == pytest.approx(0.3 * 54)
    assert res.objective == pytest.approx(BASE + 202 * 100 + 500 * 0.3 * (92 + 54))
    # the naive plan (ship 92 magnets) is feasible, so the optimum is no dearer
    assert res.objective <= BASE + 202 * 100 + 92 * 1_000


def test_subsidy_is_a_transfer():
    """A 50 % capital subsidy on HPMS changes nothing for the alliance. It is owed when a build
    is decided (10,000 USD per t/yr: 80 t/yr in 2030, 40 in 2031) and limited by the public
    budget of that year; the investor is credited the paid subsidy like capital, as an annuity
    of half of it in each year in service inside the horizon."""
    ov = ("set", "capex_subsidy[nation=US,process=hpms]=0.5")
    budget = ("set", "public_budget[nation=US,year=2030]=300000")
    res = run(ov, budget)
    assert res.objective == pytest.approx(BASE)
    tr = res.transfers.set_index(["year", "kind"])
    assert tr.loc[(2030, "capex_subsidy"), "entitlement_usd"] == pytest.approx(80 * 10_000)
    assert tr.loc[(2030, "capex_subsidy"), "paid_usd"] == pytest.approx(300_000)
    assert tr.loc[(2031, "capex_subsidy"), "paid_usd"] == pytest.approx(40 * 10_000)
    inv = run(ov, budget, settings={"perspective": "investor"})
    # 2030 build: 300,000 paid -> credited 150,000 in 2030 and in 2031; 2031 build: 400,000 paid
    # -> 200,000 credited in 2031 (its second year lies beyond the horizon)
    credit = 150_000 * 2 + 200_000
    assert inv.objective == pytest.approx(BASE - credit)
    costs = inv.costs.groupby("component")["usd"].sum()
    assert costs["transfers"] == pytest.approx(-credit)
    itr = inv.transfers.set_index(["year", "kind"])
    assert itr.loc[(2030, "capex_subsidy"), "paid_usd"] == pytest.approx(300_000)


def test_discounting_and_cost_of_capital():
    """At a 10 % discount rate the 2031 costs count 1/1.1 in the objective."""
    res = run(settings={"discount_rate": 0.1})
    by_year = res.costs.groupby("year")["usd"].sum()
    assert res.objective == pytest.approx(by_year[2030] + by_year[2031] / 1.1)
    # undiscounted costs are unchanged by the social discount rate (plan unchanged)
    assert by_year.sum() == pytest.approx(BASE)


def test_no_trade_option_closes_every_lane():
    """Japan needs no magnets and the US 500 t: without trade Japan's Nd cannot reach the US, so
    Japan sells its oxide at 100,000 USD/t (its use value there is nil) and the US imports."""
    res = run(
        ("set", "demand[nation=JP]=0"),
        ("set", "demand[nation=US]=500"),
        settings={"options": {"trade": False}},
    )
    assert res.flows.empty
    sales = res.sales[(res.sales.nation == "JP") & (res.sales.form == "oxide")]
    assert sales.set_index("year")["sold_t"][2030] == pytest.approx(0.228 * 200)


def test_energy_price_times_use():
    """1,000 kWh per t of HPMS feed at 0.1 USD/kWh in the US: +100 USD per t fed (80 + 120 t)."""
    res = run(("set", "energy_use[process=hpms]=1000"), ("set", "energy_price[nation=US]=0.1"))
    assert res.objective == pytest.approx(BASE + 100 * (80 + 120))


def test_arisings_table_in_results():
    res = run()
    a = res.arisings.set_index(["nation", "product", "year"])
    assert a.loc[("US", "hdd", 2031), "arisings_t"] == pytest.approx(150)
    assert a.loc[("US", "hdd", 2031), "collected_share"] == pytest.approx(0.8)


def test_max_capacity_below_existing_keeps_the_plant_and_stops_builds():
    """200 t/yr of hydromet already in JP and a limit of 100: no infeasibility; no new builds."""
    res = run(
        *[
            ("set", f"existing_capacity[nation=JP,process=hydromet,year={y}]=200")
            for y in (2030, 2031)
        ],
        ("set", "max_capacity[nation=JP,process=hydromet]=100"),
    )
    cap = res.capacity.set_index(["nation", "process", "year"])
    assert cap.loc[("JP", "hydromet", 2031), "capacity_t"] == pytest.approx(200)
    assert cap.loc[("JP", "hydromet", 2030), "build_t"] == pytest.approx(0, abs=1e-9)


def test_plant_sizes_are_reported():
    """Typical plant of 40 t/yr: US HPMS at 120 t/yr in 2031 is 3 plants; 2031's 40 t/yr build
    is below a 50 t/yr minimum and is flagged (the LP itself may split plants)."""
    res = run(("set", "typical_size[process=hpms]=40"), ("set", "min_size[process=hpms]=50"))
    cap = res.capacity.set_index(["nation", "process", "year"])
    assert cap.loc[("US", "hpms", 2031), "typical_plants"] == pytest.approx(3.0)
    assert bool(cap.loc[("US", "hpms", 2031), "build_below_min_size"])
    assert not bool(cap.loc[("US", "hpms", 2030), "build_below_min_size"])
    assert res.summary["kpis"]["builds_below_min_size"] == 1
    assert res.objective == pytest.approx(BASE)
