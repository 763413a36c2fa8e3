r"""Purchases from suppliers and sales of surplus to the market."""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData


def add_supply(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    r"""Supply family: imports :math:`I_{s,n,f,i,y}` (``v_import``) of oxide (per element) and of
    magnets (per grade) at the supplier's delivered price, and sales :math:`S_{n,f,i,y}`
    (``v_sell``) of surplus oxide, mixed oxide, alloy, magnets or concentrate at the market price.

    Sales give unused outputs an opportunity value; a form with no price row cannot be sold.
    """
    m.v_import = pyo.Var(m.IMPORTS, domain=pyo.NonNegativeReals, doc="import [t/yr]")
    m.v_sell = pyo.Var(m.SALES, domain=pyo.NonNegativeReals, doc="sale to the market [t/yr]")


def imported(m, n, f, i, y):
    """Imports of item i of form f into n in year y from all suppliers (an expression)."""
    return sum(m.v_import[k] for k in m.imports_to.get((n, f, i, y), ()))


def sold(m, n, f, i, y):
    """Sales of item i of form f by n in year y (0 where the form has no market price)."""
    return m.v_sell[n, f, i, y] if (n, f, i, y) in m.sellable else 0
