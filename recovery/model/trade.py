r"""Trade between nations on open lanes, per commodity form."""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData


def add_trade(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    r"""Trade family: shipments :math:`X_{f,o,d,i,y}` (``v_ship``) on lanes listed in ``freight``.

    A lane is open for form :math:`f` from :math:`o` to :math:`d` only if ``freight`` has a row for
    it (India's ban on e-waste imports is a missing row). Shipments enter the balances of the
    origin (sent) and destination (received); freight is costed in :mod:`.objective`. Amounts are
    tonnes of magnet mass (``ewaste``, ``intact``, ``fines``, ``alloy``, ``magnet``) or of element
    (``oxide``, ``mixed_oxide``).
    """
    m.v_ship = pyo.Var(m.SHIPS, domain=pyo.NonNegativeReals, doc="shipment [t/yr]")


def received(m, f, n, i, y):
    """Sum of shipments of item i of form f arriving in n in year y (an expression)."""
    return sum(m.v_ship[k] for k in m.ship_in.get((f, n, i, y), ()))


def sent(m, f, n, i, y):
    """Sum of shipments of item i of form f leaving n in year y (an expression)."""
    return sum(m.v_ship[k] for k in m.ship_out.get((f, n, i, y), ()))
