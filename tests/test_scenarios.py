"""Every scenario of the Quad baseline solves, balances, and moves the answer the way it should.

Directions are checked against the baseline from the result tables and the scenario's own input
tables (never from model code): controls cost more or leave Dy/Tb short, cooperation beats going
alone, the Indian EV surge raises Indian recovery, the dependency cap holds when recomputed, and
the investor perspective of ``ncmm_push`` is the plan's alliance cost minus the transfers paid,
within the public budgets.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path

import balances
import pytest

import recovery
from recovery.case import load_case

CASE = Path(__file__).resolve().parent.parent / "models" / "quad_baseline"
SCENARIOS = list(load_case(CASE).scenarios)
REL = 1e-6


@functools.cache
def solved(name: str):
    """(results, input data) of one scenario, solved once per test session."""
    res = recovery.run_case(CASE, scenario=name)
    _, data, _ = recovery.prepare_case(CASE, scenario=name)
    return res, data


def recipe(data) -> dict:
    return balances.param(data, "grade_recipe")


def content(data, form: str, item: str, t: float) -> dict:
    """Element content {element: t} of ``t`` tonnes of an oxide (item = element) or of magnets,
    alloy (item = grade) by the grade recipe."""
    if form in ("oxide", "mixed_oxide"):
        return {item: t}
    rec = recipe(data)
    return {e: rec.get((item, e), 0.0) * t for e in data.sets["element"]["element"]}


def recovered_by_nation(res, data) -> dict:
    """Element content recovered by the routes, per (nation, element), over the horizon."""
    out = defaultdict(float)
    for r in res.route_output.itertuples(index=False):
        item = r.element if r.form in ("oxide", "mixed_oxide") else r.grade
        for e, t in content(data, r.form, item, r.output_t).items():
            out[r.nation, e] += t
    return out


def unmet_element(res, data, elements=("Dy", "Tb")) -> float:
    """Element content of unmet magnet demand plus unmet direct oxide demand."""
    total = 0.0
    for r in res.magnet_balance.itertuples(index=False):
        total += sum(
            v for e, v in content(data, "magnet", r.grade, r.unmet_t).items() if e in elements
        )
    eb = res.element_balance
    total += float(eb[eb.element.isin(elements)].unmet_t.sum())
    return total


def discount(data, year: int) -> float:
    cfg = data.case.config
    return (1.0 + cfg.discount_rate) ** -(year - cfg.horizon.start)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_solves_and_balances(name):
    res, data = solved(name)
    assert res.summary["status"] == "optimal"
    balances.check_all(res, data)


@pytest.mark.parametrize("name", [s for s in SCENARIOS if s != "baseline"])
def test_scenario_changes_the_result(name):
    base = solved("baseline")[0].objective
    obj = solved(name)[0].objective
    assert abs(obj - base) > REL * abs(base), f"{name} gives the baseline objective"


def test_controls_raise_cost_or_leave_dy_tb_short():
    (b, bd), (c, cd) = solved("baseline"), solved("china_heavy_ree_controls")
    assert c.objective > b.objective or unmet_element(c, cd) > unmet_element(b, bd) + 1e-6
    # the embargo is the harder bound
    assert solved("cn_embargo")[0].objective > c.objective


def test_cooperation_costs_less_than_going_alone():
    coop = solved("quad_cooperation")[0].objective
    alone = solved("go_alone")[0].objective
    base = solved("baseline")[0].objective
    assert coop < alone
    assert base < alone  # trade on today's lanes already beats going alone
    res, _ = solved("go_alone")
    assert res.flows.flow_t.abs().sum() == 0


def test_india_ev_surge_raises_indian_recovery():
    (b, bd), (s, sd) = solved("baseline"), solved("india_ev_surge")
    rb, rs = recovered_by_nation(b, bd), recovered_by_nation(s, sd)
    elements = bd.sets["element"]["element"]
    assert sum(rs["IN", e] for e in elements) > sum(rb["IN", e] for e in elements) + 1e-6


def test_dependency_cap_shares_hold_and_cost_more():
    res, data = solved("dependency_cap")
    caps = balances.param(data, "share_cap")
    assert {e for (n, e) in caps if n == "all"} == {"Nd", "Pr", "Dy", "Tb"}
    by_sup = defaultdict(float)  # (supplier, element, year)
    for r in res.imports.itertuples(index=False):
        item = r.element if r.form == "oxide" else r.grade
        for e, t in content(data, r.form, item, r.import_t).items():
            by_sup[r.supplier, e, r.year] += t
    rec = defaultdict(float)  # (element, year): oxide, alloy and magnet outputs of the routes
    for r in res.route_output.itertuples(index=False):
        if r.form == "mixed_oxide":
            continue  # unseparated oxide feeds no balance that supplies magnets
        item = r.element if r.form == "oxide" else r.grade
        for e, t in content(data, r.form, item, r.output_t).items():
            rec[e, r.year] += t
    for (n, e), sigma in caps.items():
        assert n == "all"
        for y in data.case.years:
            total = rec[e, y] + sum(v for (s, ee, yy), v in by_sup.items() if ee == e and yy == y)
            for (s, ee, yy), v in by_sup.items():
                if ee == e and yy == y:
                    assert v <= sigma * total + 1e-6 * max(1.0, total), (
                        f"{s} supplies {v:.1f} of {total:.1f} t {e} in {y} (cap {sigma})"
                    )
    assert res.objective >= solved("baseline")[0].objective


def test_ncmm_push_transfers_lower_the_investor_cost_within_budgets():
    res, data = solved("ncmm_push")
    assert res.summary["perspective"] == "investor"
    costs = res.costs
    alliance_cost = float(costs[costs.component != "transfers"].discounted_usd.sum())
    tr = res.transfers
    # flows are credited when paid; capital subsidies like the capital they pay for: an annuity
    # (capital recovery factor at the nation's cost of capital) in each year in service
    life, lead = balances.param(data, "lifetime"), balances.param(data, "lead_time")
    coc = balances.param(data, "cost_of_capital")
    end = data.case.years[-1]
    credit = 0.0
    for r in tr.itertuples(index=False):
        if r.kind != "capex_subsidy":
            credit += r.paid_usd * discount(data, r.year)
            continue
        L, ld, i = int(round(life[r.process])), int(lead.get(r.process, 0)), coc[r.nation]
        crf = i * (1 + i) ** L / ((1 + i) ** L - 1) if i > 0 else 1 / L
        for y in range(r.year + ld, min(r.year + ld + L, end + 1)):
            credit += crf * r.paid_usd * discount(data, y)
    assert credit > 0
    assert res.objective == pytest.approx(alliance_cost - credit, rel=REL)
    assert res.objective < alliance_cost
    # every transfer within its entitlement and the public budgets
    assert (tr.paid_usd <= tr.entitlement_usd + 1e-6 * (1 + tr.entitlement_usd.abs())).all()
    total_cap = balances.param(data, "public_budget_total")
    year_cap = balances.param(data, "public_budget")
    for n, cap in total_cap.items():
        assert tr[tr.nation == n].paid_usd.sum() <= cap * (1 + REL)
    for (n, y), cap in year_cap.items():
        assert tr[(tr.nation == n) & (tr.year == y)].paid_usd.sum() <= cap + 1e-6
    # the schemes are in the baseline inputs: India's pot is the Rs 1,500 crore, converted
    assert total_cap["IN"] == pytest.approx(1.5e10 / 85, rel=1e-4)
    assert set(tr[tr.paid_usd > 1.0].kind) >= {"capex_subsidy", "price_floor"}
