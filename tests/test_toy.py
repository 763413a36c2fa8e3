"""The toy case against the merit-order argument in models/toy/README.md (worked by hand).

Per year, per tonne of magnet mass fed (discount and cost of capital are zero, lifetimes two years,
so a t/yr of capacity costs capex/2 in each year it serves):

* US hard drives -> manual dismantling -> HPMS alloy (yield 0.9) -> re-sintered magnets;
* JP motors -> manual dismantling -> hydrometallurgy (Nd yield 0.95, Nd share 0.3) -> oxide ->
  magnets (0.3 t Nd per t magnet);
* the marginal magnet is imported from CN at 60,000 USD/t in both nations.
"""

from __future__ import annotations

from pathlib import Path

import pytest

MAGNET = 60_000.0
MAKING = 40_000 / 2 + 4_000  # magnet-making capacity charge + variable cost per t magnet
ARISINGS = {("US", "hdd"): {2030: 100.0, 2031: 150.0}, ("JP", "motor"): {2030: 200.0, 2031: 250.0}}
DEMAND = {"US": 200.0, "JP": 300.0}


def hand_plan():
    """Quantities and cost worked out by the merit order (independently of the model code)."""
    plan = {}
    for (n, _p), by_year in ARISINGS.items():
        for y, a in by_year.items():
            feed = 0.8 * a  # tiers 1 (50 %, free) and 2 (30 %, 5,000 USD/t); tier 3 too dear
            if n == "US":
                magnets = 0.9 * feed
                route = feed * (20_000 / 2 + 2_000)
            else:
                magnets = feed * 0.3 * 0.95 / 0.3
                route = feed * (30_000 / 2 + 5_000)
            cost = (
                5_000 * 0.3 * a  # tier-2 collection
                + feed * (1_000 + 2_000 / 2)  # dismantling labour + capacity
                + route
                + magnets * MAKING
                + MAGNET * (DEMAND[n] - magnets)  # imports fill the rest
            )
            plan[n, y] = {"feed": feed, "magnets": magnets, "cost": cost}
    return plan


def test_objective_matches_hand_merit_order(toy):
    res, _ = toy
    expected = sum(v["cost"] for v in hand_plan().values())
    assert expected == pytest.approx(52_978_000.0)
    assert res.objective == pytest.approx(expected, rel=1e-9)


def test_plan_matches_hand_merit_order(toy):
    res, _ = toy
    mb = res.magnet_balance.set_index(["nation", "year"])
    for (n, y), v in hand_plan().items():
        made = mb.loc[(n, y), "made_t"]
        assert made == pytest.approx(v["magnets"], abs=1e-6)
        assert mb.loc[(n, y), "imported_t"] == pytest.approx(DEMAND[n] - v["magnets"], abs=1e-6)
        assert mb.loc[(n, y), "unmet_t"] == pytest.approx(0.0, abs=1e-9)
    col = res.collection.set_index(["nation", "tier", "year"])["collected_t"]
    for (n, _p), by_year in ARISINGS.items():
        for y, a in by_year.items():
            assert col[(n, 1, y)] == pytest.approx(0.5 * a)
            assert col[(n, 2, y)] == pytest.approx(0.3 * a)
            assert col[(n, 3, y)] == pytest.approx(0.0, abs=1e-9)
    # builds: the 2030 capacity serves both years; 2031 adds only the growth
    cap = res.capacity.set_index(["nation", "process", "year"])
    assert cap.loc[("US", "hpms", 2030), "build_t"] == pytest.approx(80.0)
    assert cap.loc[("US", "hpms", 2031), "build_t"] == pytest.approx(40.0)
    assert cap.loc[("JP", "hydromet", 2031), "capacity_t"] == pytest.approx(200.0)
    assert cap.loc[("JP", "magnet_making", 2031), "capacity_t"] == pytest.approx(190.0)
    assert res.flows["flow_t"].abs().max() == pytest.approx(0.0, abs=1e-9)


def test_shadow_prices_match_hand_argument(toy):
    res, _ = toy
    sp = res.shadow_prices

    def val(con, **keys):
        rows = sp[sp.constraint == con]
        for k, v in keys.items():
            rows = rows[rows[k].astype(str) == str(v)]
        assert len(rows) == 1, (con, keys)
        return float(rows["value"].iloc[0])

    for n in ("US", "JP"):
        for y in (2030, 2031):
            # the marginal magnet is imported
            assert val("magnet_balance", nation=n, year=y) == pytest.approx(MAGNET)
            # a t/yr of capacity in service saves its yearly capital charge
            assert val("capacity_utilisation", nation=n, process="manual", year=y) == (
                pytest.approx(-1_000)
            )
            assert val("capacity_utilisation", nation=n, process="magnet_making", year=y) == (
                pytest.approx(-20_000)
            )
    for y in (2030, 2031):
        # a tonne of Nd oxide in Japan makes 1/0.3 t magnets that replace imports
        assert val("oxide_balance", nation="JP", year=y) == pytest.approx((MAGNET - MAKING) / 0.3)
        # Nd in the US: not unique (no oxide there); between its sale price and its use value
        us = val("oxide_balance", nation="US", year=y)
        assert 100_000 - 1e-6 <= us <= (MAGNET - MAKING) / 0.3 + 1e-6
        assert val("capacity_utilisation", nation="US", process="hpms", year=y) == (
            pytest.approx(-10_000)
        )
        assert val("capacity_utilisation", nation="JP", process="hydromet", year=y) == (
            pytest.approx(-15_000)
        )
        # collection: value of one more collectable tonne = net margin of the path in that tier
        hdd_value = 0.9 * (MAGNET - MAKING)  # 32,400 per t fed
        motor_value = 0.3 * 0.95 * (MAGNET - MAKING) / 0.3  # 34,200 per t fed
        assert val("collection_limit", nation="US", tier=1, year=y) == pytest.approx(
            -(hdd_value - 14_000)
        )
        assert val("collection_limit", nation="US", tier=2, year=y) == pytest.approx(
            -(hdd_value - 19_000)
        )
        assert val("collection_limit", nation="JP", tier=1, year=y) == pytest.approx(
            -(motor_value - 22_000)
        )
        assert val("collection_limit", nation="JP", tier=2, year=y) == pytest.approx(
            -(motor_value - 27_000)
        )
        assert val("collection_limit", nation="JP", tier=3, year=y) == pytest.approx(0.0)


def test_shadow_price_is_the_finite_difference(toy):
    """One more tonne of US demand in 2031 costs exactly the magnet_balance dual."""
    import recovery

    res, _ = toy
    more = recovery.run_case(
        Path(__file__).parent.parent / "models" / "toy",
        overrides=[{"set": "demand[nation=US,year=2031]=201"}],
    )
    assert more.objective - res.objective == pytest.approx(MAGNET, rel=1e-9)
