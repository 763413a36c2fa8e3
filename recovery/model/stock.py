r"""Strategic stockpiles of oxide or magnets, filled and drawn across years (optional)."""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData


def stock_change(m, n, f, i, y):
    r"""Net addition to the stock in year :math:`y` (0 where the nation keeps no such stock).

    .. math::
        \Delta Z_{n,f,i,y} = Z_{n,f,i,y} - Z_{n,f,i,y-1}, \qquad Z_{n,f,i,y_0 - 1} = 0

    ======================  ===========================  ====================================
    :math:`Z_{n,f,i,y}`     ``v_stock[n,f,i,y]``         stock held at the end of year y [t]
    ======================  ===========================  ====================================

    The change enters the oxide balance (:math:`f` = oxide, per element) and the magnet balance
    (per grade) as a use; a draw is a negative use. Stocks start empty; holding costs
    ``stock_holding_cost[n,f]`` per tonne and year enter the objective.
    """
    if (n, f, i, y) not in m.STOCK:
        return 0
    prev = y - 1
    before = m.v_stock[n, f, i, prev] if (n, f, i, prev) in m.STOCK else 0
    return m.v_stock[n, f, i, y] - before


def _stock_bounds(m, n, f, i, y):
    table = "oxide_stock_max" if f == "oxide" else "magnet_stock_max"
    return (0.0, m.data.p[table].get((n, i)))


def add_stock(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    """Stock family: stock levels for nations with a holding cost row for oxide or magnets."""
    rows = [
        (n, f, i, y)
        for (n, f) in sorted(d.p["stock_holding_cost"])
        for i in (d.elements if f == "oxide" else d.grades)
        for y in d.years
    ]
    m.STOCK = pyo.Set(dimen=4, initialize=rows)
    m.v_stock = pyo.Var(m.STOCK, bounds=_stock_bounds, doc="stock at year end [t]")
