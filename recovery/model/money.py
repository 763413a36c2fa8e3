r"""Money: capital budgets, and transfers (subsidies, support, tax offsets, price floors).

Transfers move money between treasuries and firms inside the alliance, so they never change the
alliance objective. They are reported per nation and year (``transfers.csv``). In the ``investor``
perspective they are decision variables, paid up to each entitlement and limited by the public
budget rows, and they lower the investor's cost, which shows what a subsidy changes.
"""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData
from recovery.model.capacity import throughput
from recovery.model.objective import variable_cost

TRANSFER_KINDS = ("capex_subsidy", "opex_support", "processing_offset", "price_floor")


def capital_committed(m, n, y):
    """Overnight capital committed to builds decided in year y in nation n [USD]."""
    p = m.data.p
    return sum(
        p["capex"][x] * p["capex_factor"][n] * m.v_build[n, x, y]
        for x in m.PROCESSES
        if (n, x, y) in m.BUILDS
    )


def capital_budget(m, n, y):
    r"""Capital committed to new capacity in a year stays within the nation's budget.

    .. math::
        \sum_x \kappa_n c^{cap}_x B_{n,x,y} \le \bar B_{n,y}

    =====================  ============================  ======================================
    :math:`\kappa_n`       ``capex_factor[n]``           location factor [-]
    :math:`c^{cap}_x`      ``capex[x]``                  capital cost [USD/(t/yr)]
    :math:`\bar B_{n,y}`   ``capital_budget[n,y]``       capital budget [USD]
    =====================  ============================  ======================================
    """
    return capital_committed(m, n, y) <= m.data.p["capital_budget"][n, y]


def capital_budget_total(m, n):
    r"""Capital committed over the horizon stays within the nation's total budget.

    .. math::
        \sum_{y}\sum_x \kappa_n c^{cap}_x B_{n,x,y} \le \bar B_{n}
    """
    return sum(capital_committed(m, n, y) for y in m.YEARS) <= m.data.p["capital_budget_total"][n]


def subsidy_rate(d: ModelData, n: str, x: str) -> float:
    """Capital subsidy per t/yr built: min(share x capex x location factor, cap per t/yr)."""
    p = d.p
    share = p["capex_subsidy"].get((n, x), 0.0)
    rate = share * p["capex"][x] * p["capex_factor"][n]
    cap = p["capex_subsidy_cap"].get((n, x))
    return rate if cap is None else min(rate, cap)


def entitlement(m, n, y, kind):
    r"""What the schemes owe in nation n in year y for the plan (an expression) [USD].

    .. math::
        T^{cap}_{n,y} = \sum_x \min(s_{n,x} \kappa_n c^{cap}_x,\ \bar s_{n,x})\, B_{n,x,y}
        \quad T^{op}_{n,y} = \sum_x o_{n,x} F_{n,x,y}
        \quad T^{off}_{n,y} = \sum_x \theta_{n,x} (c^{var}_x F_{n,x,y} + c^{fix}_x K_{n,x,y})

        T^{floor}_{n,y} = \sum_e \max(0, \underline\pi_{n,e} - \pi_{e}) \sum_r O_{n,r,ox,e,y}

    =========================  ===============================  ===============================
    :math:`s_{n,x}`            ``capex_subsidy[n,x]``           capital subsidy share [-]
    :math:`\bar s_{n,x}`       ``capex_subsidy_cap[n,x]``       cap per t/yr [USD/(t/yr)]
    :math:`o_{n,x}`            ``opex_support[n,x]``            support per t feed [USD/t]
    :math:`\theta_{n,x}`       ``processing_offset[n,x]``       share of opex refunded [-]
    :math:`\underline\pi_{n,e}` ``price_floor[n,e]``            guaranteed price [USD/t]
    :math:`\pi_e`              ``oxide_price[oxide,e]``         market price [USD/t]
    =========================  ===============================  ===============================
    """
    d = m.data
    p = d.p
    expr = 0
    if kind == "capex_subsidy":
        for x in m.PROCESSES:
            rate = subsidy_rate(d, n, x)
            if rate > 0 and (n, x, y) in m.BUILDS:
                expr += rate * m.v_build[n, x, y]
    elif kind == "opex_support":
        for x in m.PROCESSES:
            o = p["opex_support"].get((n, x), 0.0)
            if o > 0 and (n, x, y) in m.UTILISATION_SET:
                expr += o * throughput(m, n, x, y)
    elif kind == "processing_offset":
        for x in m.PROCESSES:
            th = p["processing_offset"].get((n, x), 0.0)
            if th > 0:
                if (n, x, y) in m.UTILISATION_SET:
                    expr += th * variable_cost(m, d, n, x, y)
                if p["fixed_om"][x]:
                    expr += th * p["opex_factor"][n] * p["fixed_om"][x] * m.e_capacity[n, x, y]
    else:
        for e in m.ELEMENTS:
            gap = p["price_floor"].get((n, e), 0.0) - p["oxide_price"].get(("oxide", e), 0.0)
            if gap > 0:
                for r in m.outputs_of.get((n, "oxide", e, y), ()):
                    expr += gap * m.e_route_output[n, r, "oxide", e, y]
    return expr


def transfer_limit(m, n, y, kind):
    r"""A transfer paid cannot exceed what the scheme owes: :math:`T_{n,y,k} \le T^{k}_{n,y}`."""
    return m.v_transfer[n, y, kind] <= m.e_entitlement[n, y, kind]


def capital_subsidy_limit(m, n, x, b):
    r"""A capital subsidy paid for a build cannot exceed what the scheme owes for it.

    .. math::
        G_{n,x,b} \le \min(s_{n,x} \kappa_n c^{cap}_x,\ \bar s_{n,x})\, B_{n,x,b}

    ======================  =============================  =======================================
    :math:`G_{n,x,b}`       ``v_capital_subsidy[n,x,b]``   subsidy paid when the build is decided
                                                           [USD]; credited to the investor as
                                                           :math:`\mathrm{CRF}(i_n, L_x) G` in each
                                                           year in service inside the horizon
    ======================  =============================  =======================================
    """
    return m.v_capital_subsidy[n, x, b] <= subsidy_rate(m.data, n, x) * m.v_build[n, x, b]


def paid(m, n, y):
    """Transfers paid by nation n in year y: flows plus capital subsidies of its builds."""
    expr = sum(m.v_transfer[n, y, k] for k in TRANSFER_KINDS if (n, y, k) in m.TRANSFER)
    return expr + sum(m.v_capital_subsidy[k] for k in m.subsidies_of.get((n, y), ()))


def public_budget(m, n, y):
    r"""Transfers paid in a year stay within the public budget:
    :math:`\sum_k T_{n,y,k} + \sum_x G_{n,x,y} \le \bar P_{n,y}` (``public_budget[n,y]``)."""
    return paid(m, n, y) <= m.data.p["public_budget"][n, y]


def public_budget_total(m, n):
    r"""Transfers paid over the horizon stay within the total public budget:
    :math:`\sum_{y} (\sum_k T_{n,y,k} + \sum_x G_{n,x,y}) \le \bar P_{n}`
    (``public_budget_total[n]``)."""
    return sum(paid(m, n, y) for y in m.YEARS) <= m.data.p["public_budget_total"][n]


def _has_entitlement(d: ModelData, n: str, kind: str) -> bool:
    p = d.p
    if kind == "capex_subsidy":
        return any(subsidy_rate(d, n, x) > 0 for x in d.processes)
    if kind == "opex_support":
        return any(v > 0 for (nn, _x), v in p["opex_support"].items() if nn == n)
    if kind == "processing_offset":
        return any(v > 0 for (nn, _x), v in p["processing_offset"].items() if nn == n)
    return any(
        v - p["oxide_price"].get(("oxide", e), 0.0) > 0
        for (nn, e), v in p["price_floor"].items()
        if nn == n
    )


def add_money(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    """Money family: capital budgets; entitlements; transfers (investor perspective only)."""
    m.CAPITAL_BUDGET = pyo.Set(
        dimen=2,
        initialize=[
            (n, y)
            for (n, y) in sorted(d.p["capital_budget"])
            if any((n, x, y) in m.BUILDS for x in d.processes)
        ],
    )
    m.capital_budget = pyo.Constraint(m.CAPITAL_BUDGET, rule=capital_budget)
    m.CAPITAL_BUDGET_TOTAL = pyo.Set(initialize=sorted(d.p["capital_budget_total"]))
    m.capital_budget_total = pyo.Constraint(m.CAPITAL_BUDGET_TOTAL, rule=capital_budget_total)
    m.UTILISATION_SET = set(m.UTILISATION)
    rows = [
        (n, y, k)
        for n in d.nations
        for k in TRANSFER_KINDS
        if _has_entitlement(d, n, k)
        for y in d.years
    ]
    m.ENTITLEMENT = pyo.Set(dimen=3, initialize=rows)
    m.e_entitlement = pyo.Expression(m.ENTITLEMENT, rule=entitlement)
    investor = config.perspective == "investor"
    flows = [r for r in rows if r[2] != "capex_subsidy"]
    m.TRANSFER = pyo.Set(dimen=3, initialize=flows if investor else [])
    m.v_transfer = pyo.Var(m.TRANSFER, domain=pyo.NonNegativeReals, doc="transfer paid [USD]")
    m.transfer_limit = pyo.Constraint(m.TRANSFER, rule=transfer_limit)
    subsidised = [(n, x, b) for (n, x, b) in m.BUILDS if investor and subsidy_rate(d, n, x) > 0]
    m.CAPITAL_SUBSIDY = pyo.Set(dimen=3, initialize=subsidised)
    m.v_capital_subsidy = pyo.Var(
        m.CAPITAL_SUBSIDY, domain=pyo.NonNegativeReals, doc="capital subsidy paid [USD]"
    )
    m.capital_subsidy_limit = pyo.Constraint(m.CAPITAL_SUBSIDY, rule=capital_subsidy_limit)
    by_year: dict = {}
    for n, x, b in subsidised:
        by_year.setdefault((n, b), []).append((n, x, b))
    m.subsidies_of = by_year
    paid_in = {(n, y) for (n, y, _k) in m.TRANSFER} | set(by_year)
    m.PUBLIC_BUDGET = pyo.Set(
        dimen=2, initialize=[k for k in sorted(d.p["public_budget"]) if k in paid_in]
    )
    m.public_budget = pyo.Constraint(m.PUBLIC_BUDGET, rule=public_budget)
    paying = {n for (n, _y) in paid_in}
    m.PUBLIC_BUDGET_TOTAL = pyo.Set(
        initialize=[n for n in sorted(d.p["public_budget_total"]) if n in paying]
    )
    m.public_budget_total = pyo.Constraint(m.PUBLIC_BUDGET_TOTAL, rule=public_budget_total)
