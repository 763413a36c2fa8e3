r"""Recovery routes: concentrate in, oxides / mixed oxide / alloy / magnets out."""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData
from recovery.model.supply import sold
from recovery.model.trade import received, sent
from recovery.schema import ALL_ELEMENTS


def concentrate_balance(m, n, f, p, y):
    r"""Concentrate made, received and sent is fed to routes or sold as scrap.

    .. math::
        \sum_{q: \phi_q = f} \eta_{p,q}\, P_{n,p,q,y} + \sum_o X_{f,o,n,p,y} - \sum_d X_{f,n,d,p,y}
        = \sum_{r} R_{n,r,p,f,y} + S_{n,f,p,y}
        \qquad \forall n,\ (f,p) \in \mathcal{K},\ y

    =======================  ===============================  ==================================
    symbol                   Pyomo                            meaning [unit]
    =======================  ===============================  ==================================
    :math:`\phi_q`           ``preprocess.output``            concentrate form made by q [-]
    :math:`\eta_{p,q}`       ``preprocess_yield[p,q]``        magnet mass kept in concentrate [-]
    :math:`P_{n,p,q,y}`      ``v_preprocess[n,p,q,y]``        magnet mass pre-processed [t/yr]
    :math:`R_{n,r,p,f,y}`    ``v_feed[n,r,p,f,y]``            concentrate fed to route r [t/yr]
    :math:`S_{n,f,p,y}`      ``v_sell[n,f,p,y]``              concentrate sold as scrap [t/yr]
    =======================  ===============================  ==================================
    """
    yld = m.data.p["preprocess_yield"]
    made = sum(yld[p, q] * m.v_preprocess[n, p, q, y] for q in m.makers_of.get((n, f, p), ()))
    supply = made + received(m, f, n, p, y) - sent(m, f, n, p, y)
    use = sum(m.v_feed[n, r, p, f, y] for r in m.routes_taking.get((n, f, p), ()))
    return supply == use + sold(m, n, f, p, y)


def route_output(m, n, r, f, i, y):
    r"""Output of a route, per element for oxides and per grade (magnet mass) for alloy and magnets.

    .. math::
        O_{n,r,f,e,y} = \sum_{(p,c)} \beta_{r,f,e}\, w_{p,e}\, R_{n,r,p,c,y}
        \qquad f \in \{\mathrm{oxide}, \mathrm{mixed\_oxide}\}

        O_{n,r,f,g,y} = \sum_{(p,c): g_p = g} \beta_{r,f,\mathrm{all}}\, R_{n,r,p,c,y}
        \qquad f \in \{\mathrm{alloy}, \mathrm{magnet}\}

    =======================  ===============================  ==================================
    symbol                   Pyomo                            meaning [unit]
    =======================  ===============================  ==================================
    :math:`O_{n,r,f,i,y}`    ``e_route_output[n,r,f,i,y]``    route output [t/yr]
    :math:`\beta_{r,f,e}`    ``route_yield[r,f,e]``           share recovered in form f [-]
    :math:`w_{p,e}`          ``composition[p,e]``             element share of magnet mass [-]
    :math:`g_p`              ``product.grade``                grade of product p's magnets
    =======================  ===============================  ==================================
    """
    d = m.data
    yields, comp = d.p["route_yield"], d.p["composition"]
    if f in ("oxide", "mixed_oxide"):
        beta = yields.get((r, f, i), 0.0)
        return sum(
            beta * comp.get((p, i), 0.0) * m.v_feed[n, r, p, c, y]
            for (p, c) in m.feeds_of_route[n, r]
            if comp.get((p, i), 0.0) > 0
        )
    beta = yields.get((r, f, ALL_ELEMENTS), 0.0)
    return sum(
        beta * m.v_feed[n, r, p, c, y]
        for (p, c) in m.feeds_of_route[n, r]
        if d.product_grade[p] == i
    )


def add_routes(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    """Route family: feeds, the concentrate balance and route outputs."""
    m.FEED = pyo.Set(dimen=5, initialize=[(*k, y) for k in m.FEEDS for y in m.YEARS])
    m.v_feed = pyo.Var(m.FEED, domain=pyo.NonNegativeReals, doc="concentrate fed [t/yr]")
    m.CONCENTRATE_BALANCE = pyo.Set(
        dimen=4,
        initialize=[(n, f, p, y) for n in m.NATIONS for (f, p) in m.CONCENTRATES for y in m.YEARS],
    )
    m.concentrate_balance = pyo.Constraint(m.CONCENTRATE_BALANCE, rule=concentrate_balance)
    m.ROUTE_OUTPUT = pyo.Set(
        dimen=5, initialize=[(*k, y) for k in m.ROUTE_OUTPUTS for y in m.YEARS]
    )
    m.e_route_output = pyo.Expression(m.ROUTE_OUTPUT, rule=route_output)
    outs: dict = {}
    for n, r, f, i, y in m.ROUTE_OUTPUT:
        outs.setdefault((n, f, i, y), []).append(r)
    m.outputs_of = outs


def recovered(m, n, f, i, y):
    """Route output of item i of form f in n in year y, summed over routes (an expression)."""
    return sum(m.e_route_output[n, r, f, i, y] for r in m.outputs_of.get((n, f, i, y), ()))
