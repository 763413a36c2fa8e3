r"""Capacity of every process (pre-processing methods, routes, magnet making) per nation."""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData


def capacity(m, n, x, y):
    r"""Installed capacity: existing plants plus new builds that have come on line and not retired.

    .. math::
        K_{n,x,y} = K^0_{n,x,y} + \sum_{b:\ b + \ell_x \le y < b + \ell_x + L_x} B_{n,x,b}

    =======================  ===============================  ==================================
    symbol                   Pyomo                            meaning [unit]
    =======================  ===============================  ==================================
    :math:`K_{n,x,y}`        ``e_capacity[n,x,y]``            capacity in service [t/yr]
    :math:`K^0_{n,x,y}`      ``existing_capacity[n,x,y]``     capacity already in place [t/yr]
    :math:`B_{n,x,b}`        ``v_build[n,x,b]``               capacity decided in year b [t/yr]
    :math:`\ell_x`           ``lead_time[x]``                 years until it produces [yr]
    :math:`L_x`              ``lifetime[x]``                  technical life [yr]
    =======================  ===============================  ==================================
    """
    p = m.data.p
    lead, life = p["lead_time"][x], p["lifetime"][x]
    expr = p["existing_capacity"].get((n, x, y), 0.0)
    for b in m.builds_of.get((n, x), ()):
        if b + lead <= y < b + lead + life:
            expr += m.v_build[n, x, b]
    return expr


def throughput(m, n, x, y):
    """Feed processed by process x in n in year y (an expression; 0 if nothing can flow)."""
    d = m.data
    if x in d.preprocesses:
        return sum(m.v_preprocess[n, p, x, y] for p in m.products_of_method.get((n, x), ()))
    if x in d.routes:
        return sum(m.v_feed[n, x, p, f, y] for (p, f) in m.feeds_of_route.get((n, x), ()))
    expr = sum(m.v_make[n, g, y] for g in m.GRADES)
    return expr + sum(m.v_resinter[n, g, y] for g in m.items_of["alloy"])


def capacity_utilisation(m, n, x, y):
    r"""Throughput cannot exceed available capacity.

    .. math::
        F_{n,x,y} \le \alpha_x\, K_{n,x,y}
        \qquad \forall (n,x,y) \in \mathcal{U}

    =======================  ===============================  ==================================
    symbol                   Pyomo                            meaning [unit]
    =======================  ===============================  ==================================
    :math:`F_{n,x,y}`        throughput                       feed processed [t/yr]: pre-processing
                                                              :math:`\sum_p P`, route
                                                              :math:`\sum R`, magnet making
                                                              :math:`\sum_g (M + H)`
    :math:`\alpha_x`         ``availability[x]``              usable share of capacity [-]
    :math:`K_{n,x,y}`        ``e_capacity[n,x,y]``            capacity in service [t/yr]
    =======================  ===============================  ==================================
    """
    avail = m.data.p["availability"][x]
    return throughput(m, n, x, y) <= avail * m.e_capacity[n, x, y]


def capacity_limit(m, n, x, y):
    r"""Capacity in service stays within the nation's limit for the process (plants already in
    place above the limit are kept: the limit then stops new builds).

    .. math::
        K_{n,x,y} \le \max(\bar K_{n,x},\ K^0_{n,x,y})

    =======================  ===============================  ==================================
    :math:`\bar K_{n,x}`     ``max_capacity[n,x]``            largest capacity in service [t/yr]
    =======================  ===============================  ==================================
    """
    p = m.data.p
    existing = p["existing_capacity"].get((n, x, y), 0.0)
    return m.e_capacity[n, x, y] <= max(p["max_capacity"][n, x], existing)


def _build_bounds(m, n, x, y):
    return (0.0, m.data.p["max_build"].get((n, x)))


def add_capacity(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    """Capacity family: builds (optional yearly maximum), vintages, utilisation, capacity limit."""
    m.v_build = pyo.Var(m.BUILDS, bounds=_build_bounds, doc="capacity decided [t/yr]")
    builds: dict = {}
    for n, x, y in m.BUILDS:
        builds.setdefault((n, x), []).append(y)
    m.builds_of = builds
    m.e_capacity = pyo.Expression(m.CAPACITY, rule=capacity)
    m.UTILISATION = pyo.Set(
        dimen=3, initialize=[(n, x, y) for (n, x, y) in m.CAPACITY if _has_flow(m, d, n, x)]
    )
    m.capacity_utilisation = pyo.Constraint(m.UTILISATION, rule=capacity_utilisation)
    m.CAPACITY_LIMIT = pyo.Set(
        dimen=3,
        initialize=[
            (n, x, y)
            for (n, x) in sorted(d.p["max_capacity"])
            for y in m.YEARS
            if any(b + d.p["lead_time"][x] <= y for b in builds.get((n, x), ()))
        ],
    )
    m.capacity_limit = pyo.Constraint(m.CAPACITY_LIMIT, rule=capacity_limit)


def _has_flow(m, d: ModelData, n, x) -> bool:
    if x in d.preprocesses:
        return bool(m.products_of_method.get((n, x)))
    if x in d.routes:
        return bool(m.feeds_of_route.get((n, x)))
    return True
