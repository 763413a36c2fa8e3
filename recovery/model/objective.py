r"""Cost components per nation and year, and the objective.

Alliance perspective (the default) minimises the resource cost of the plan to the four nations
together, in real USD of the case's currency year discounted to the first modelled year:

.. math::
    \min \sum_{n,y} \delta_y \sum_c E_{n,y,c},
    \qquad \delta_y = (1+\rho)^{-(y - y_0)}

with components :math:`c` (``e_cost[n,y,c]``):

* ``capex``: annualised capital cost of builds in service,
  :math:`\mathrm{CRF}(i_n, L_x)\,\kappa_n\,c^{cap}_x\,B_{n,x,b}` for every year from commissioning
  :math:`b+\ell_x` to retirement, counted only inside the horizon;
* ``fixed_om``: :math:`\omega_n c^{fix}_x K_{n,x,y}`;
* ``variable_om``: :math:`(\omega_n c^{var}_x + e_x p^{el}_n) F_{n,x,y}`, except that alloy
  re-sintered in magnet making is charged :math:`\omega_n c^{res}_g` (``resinter_cost``) instead
  of :math:`\omega_n c^{var}_x`; :math:`\omega_n` is the nation's ``opex_factor``, :math:`e_x`
  the process's ``energy_use`` [kWh/t] and :math:`p^{el}_n` the nation's ``energy_price``
  [USD/kWh];
* ``preprocessing``: labour per product, :math:`c^{pre}_{n,p,q} P_{n,p,q,y}`;
* ``collection``: :math:`\sum_{p,k} c^{col}_{n,p,k} C_{n,p,k,y}`;
* ``freight``: on shipments arriving in :math:`n`, :math:`\tau_{f,o,n} X` (times the product
  mass per magnet mass :math:`m_p` for whole e-waste);
* ``consent``: prior-informed-consent cost per tonne on lanes that need it,
  :math:`\gamma_{f,o,n} X`;
* ``imports``: :math:`\pi_{s,f,i} I_{s,n,f,i,y}`;
* ``sales``: minus market value of surplus, :math:`-\pi^{mkt}_{f,i} S_{n,f,i,y}`;
* ``holding``: stock holding cost, :math:`h_{n,f} Z_{n,f,i,y}`;
* ``unmet``: penalty on unmet demand, :math:`\pi^{U}_g U_{n,g,y} + \pi^{U}_e U^{ox}_{n,e,y}`;
* ``transfers`` (investor perspective only): minus support, offsets and floor top-ups received,
  :math:`-\sum_k T_{n,y,k}`, and capital subsidies credited as annuities like the capital they
  pay for, :math:`-\mathrm{CRF}(i_n, L_x) G_{n,x,b}` in each year in service inside the horizon.

Subsidies and price floors are transfers between nations' treasuries and firms: they never enter
the alliance objective (the investor perspective, a later family, counts them).
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData, crf
from recovery.model.capacity import throughput
from recovery.schema import MAGNET_MAKING

COMPONENTS = (
    "capex",
    "fixed_om",
    "variable_om",
    "preprocessing",
    "collection",
    "freight",
    "consent",
    "imports",
    "sales",
    "holding",
    "unmet",
    "transfers",
)


def variable_cost(m, d: ModelData, n, x, y):
    """Variable operating cost of process x in n in year y (an expression) [USD]."""
    p = d.p
    f = p["opex_factor"][n]
    power = p["energy_use"].get(x, 0.0) * p["energy_price"].get(n, 0.0)  # USD per t of feed
    if x != MAGNET_MAKING:
        return (f * p["variable_om"][x] + power) * throughput(m, n, x, y)
    expr = (f * p["variable_om"][x] + power) * sum(m.v_make[n, g, y] for g in m.GRADES)
    return expr + sum(
        (f * p["resinter_cost"][g] + power) * m.v_resinter[n, g, y] for g in m.items_of["alloy"]
    )


def cost_terms(m, d: ModelData) -> dict:
    """``{(n, y, component): [(coefficient, variable or expression), ...]}`` in one pass."""
    p = d.p
    terms: dict = defaultdict(list)
    end = d.years[-1]
    for n, x, b in m.BUILDS:
        lead, life = p["lead_time"][x], p["lifetime"][x]
        annuity = crf(p["cost_of_capital"][n], life) * p["capex"][x] * p["capex_factor"][n]
        for y in range(b + lead, min(b + lead + life, end + 1)):
            terms[n, y, "capex"].append((annuity, m.v_build[n, x, b]))
    for n, x, y in m.CAPACITY:
        if p["fixed_om"][x]:
            terms[n, y, "fixed_om"].append(
                (p["opex_factor"][n] * p["fixed_om"][x], m.e_capacity[n, x, y])
            )
    for n, x, y in m.UTILISATION:
        terms[n, y, "variable_om"].append((1.0, variable_cost(m, d, n, x, y)))
    for n, pr, q, y in m.PREPROCESS:
        c = p["preprocess_cost"].get((n, pr, q), 0.0)
        if c:
            terms[n, y, "preprocessing"].append((c, m.v_preprocess[n, pr, q, y]))
    for n, pr, k, y in m.COLLECT:
        c = p["collection_cost"][n, pr, k]
        if c:
            terms[n, y, "collection"].append((c, m.v_collect[n, pr, k, y]))
    for f, o, dd, i, y in m.SHIPS:
        c = p["freight"][f, o, dd] * (p["ewaste_mass"].get(i, 1.0) if f == "ewaste" else 1.0)
        terms[dd, y, "freight"].append((c, m.v_ship[f, o, dd, i, y]))
    for f, o, dd, i, y in m.SHIPS:
        c = p["consent_cost"].get((f, o, dd), 0.0)
        c *= p["ewaste_mass"].get(i, 1.0) if f == "ewaste" else 1.0
        if c:
            terms[dd, y, "consent"].append((c, m.v_ship[f, o, dd, i, y]))
    for n, f, i, y in m.STOCK:
        c = p["stock_holding_cost"][n, f]
        if c:
            terms[n, y, "holding"].append((c, m.v_stock[n, f, i, y]))
    for n, y, k in m.TRANSFER:
        terms[n, y, "transfers"].append((-1.0, m.v_transfer[n, y, k]))
    for n, x, b in m.CAPITAL_SUBSIDY:  # credited like the capital it pays for
        lead, life = p["lead_time"][x], p["lifetime"][x]
        annuity = crf(p["cost_of_capital"][n], life)
        for y in range(b + lead, min(b + lead + life, end + 1)):
            terms[n, y, "transfers"].append((-annuity, m.v_capital_subsidy[n, x, b]))
    for s, n, f, i, y in m.IMPORTS:
        terms[n, y, "imports"].append((d.purchase_price(s, f, i), m.v_import[s, n, f, i, y]))
    for n, f, i, y in m.SALES:
        terms[n, y, "sales"].append((-d.sale_price(f, i), m.v_sell[n, f, i, y]))
    for n, g, y in m.MAGNET:
        terms[n, y, "unmet"].append((p["unmet_penalty"][g], m.v_unmet[n, g, y]))
    for n, e, y in m.UNMET_OXIDE:
        terms[n, y, "unmet"].append((p["oxide_unmet_penalty"][e], m.v_unmet_oxide[n, e, y]))
    return terms


def add_objective(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    """Objective family: named cost expressions per (nation, year, component) and their PV sum."""
    terms = cost_terms(m, d)
    m.COST = pyo.Set(
        dimen=3, initialize=[(n, y, c) for n in d.nations for y in d.years for c in COMPONENTS]
    )
    m.e_cost = pyo.Expression(
        m.COST, initialize={k: sum(c * v for c, v in terms.get(k, ())) for k in m.COST}
    )
    m.total_cost = pyo.Objective(
        expr=sum(d.discount(y) * m.e_cost[n, y, c] for (n, y, c) in m.COST), sense=pyo.minimize
    )
