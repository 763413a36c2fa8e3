r"""Oxide, alloy and magnet balances, magnet making and demand (met, imported, traded or unmet)."""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData
from recovery.model.routes import recovered
from recovery.model.stock import stock_change
from recovery.model.supply import imported, sold
from recovery.model.trade import received, sent


def oxide_balance(m, n, e, y):
    r"""Separated oxide balances per nation, element and year.

    recovered + imported + received − sent − used in magnet making − sold = direct demand − unmet

    .. math::
        \sum_r O_{n,r,\mathrm{ox},e,y} + \sum_s I_{s,n,\mathrm{ox},e,y}
        + \sum_o X_{\mathrm{ox},o,n,e,y} - \sum_d X_{\mathrm{ox},n,d,e,y}
        - \sum_g \rho_{g,e} M_{n,g,y} - S_{n,\mathrm{ox},e,y} - \Delta Z_{n,\mathrm{ox},e,y}
        + U^{ox}_{n,e,y} = D^{ox}_{n,e,y}

    =======================  ===============================  ==================================
    symbol                   Pyomo                            meaning [unit]
    =======================  ===============================  ==================================
    :math:`O`                ``e_route_output``               oxide recovered [t element/yr]
    :math:`I`                ``v_import``                     oxide bought [t element/yr]
    :math:`\rho_{g,e}`       ``grade_recipe[g,e]``            element per t magnet [t/t]
    :math:`M_{n,g,y}`        ``v_make[n,g,y]``                magnets made from oxide [t/yr]
    :math:`U^{ox}_{n,e,y}`   ``v_unmet_oxide[n,e,y]``         direct demand unmet [t/yr]
    :math:`D^{ox}_{n,e,y}`   ``oxide_demand[n,e,y]``          direct oxide demand [t/yr]
    =======================  ===============================  ==================================
    """
    d = m.data
    lhs = recovered(m, n, "oxide", e, y) + imported(m, n, "oxide", e, y)
    lhs += received(m, "oxide", n, e, y) - sent(m, "oxide", n, e, y)
    lhs -= sum(
        d.p["grade_recipe"].get((g, e), 0.0) * m.v_make[n, g, y]
        for g in m.GRADES
        if d.p["grade_recipe"].get((g, e), 0.0) > 0
    )
    lhs -= sold(m, n, "oxide", e, y) + stock_change(m, n, "oxide", e, y)
    if (n, e, y) in m.UNMET_OXIDE:
        lhs += m.v_unmet_oxide[n, e, y]
    return lhs == d.p["oxide_demand"].get((n, e, y), 0.0)


def mixed_oxide_balance(m, n, e, y):
    r"""Mixed (unseparated) oxide is sold or traded; no magnet is made from it directly.

    .. math::
        \sum_r O_{n,r,\mathrm{mix},e,y} + \sum_o X_{\mathrm{mix},o,n,e,y}
        - \sum_d X_{\mathrm{mix},n,d,e,y} - S_{n,\mathrm{mix},e,y} = 0
    """
    lhs = recovered(m, n, "mixed_oxide", e, y) + received(m, "mixed_oxide", n, e, y)
    return lhs - sent(m, "mixed_oxide", n, e, y) - sold(m, n, "mixed_oxide", e, y) == 0


def alloy_balance(m, n, g, y):
    r"""Magnet alloy (e.g. hydrogen-processed powder) is re-sintered, traded or sold.

    .. math::
        \sum_r O_{n,r,\mathrm{alloy},g,y} + \sum_o X_{\mathrm{alloy},o,n,g,y}
        - \sum_d X_{\mathrm{alloy},n,d,g,y} - H_{n,g,y} - S_{n,\mathrm{alloy},g,y} = 0

    =======================  ===============================  ==================================
    :math:`H_{n,g,y}`        ``v_resinter[n,g,y]``            alloy re-sintered into magnets [t/yr]
    =======================  ===============================  ==================================
    """
    lhs = recovered(m, n, "alloy", g, y) + received(m, "alloy", n, g, y) - sent(m, "alloy", n, g, y)
    return lhs - m.v_resinter[n, g, y] - sold(m, n, "alloy", g, y) == 0


def magnet_balance(m, n, g, y):
    r"""Magnet demand is met by magnets made, reused, imported or received, or left unmet.

    .. math::
        M_{n,g,y} + H_{n,g,y} + \sum_r O_{n,r,\mathrm{mag},g,y} + \sum_s I_{s,n,\mathrm{mag},g,y}
        + \sum_o X_{\mathrm{mag},o,n,g,y} - \sum_d X_{\mathrm{mag},n,d,g,y} - S_{n,\mathrm{mag},g,y}
        - \Delta Z_{n,\mathrm{mag},g,y} + U_{n,g,y} = D_{n,g,y}

    =======================  ===============================  ==================================
    symbol                   Pyomo                            meaning [unit]
    =======================  ===============================  ==================================
    :math:`M_{n,g,y}`        ``v_make[n,g,y]``                made from separated oxide [t/yr]
    :math:`H_{n,g,y}`        ``v_resinter[n,g,y]``            re-sintered from alloy [t/yr]
    :math:`U_{n,g,y}`        ``v_unmet[n,g,y]``               demand left unmet [t/yr]
    :math:`D_{n,g,y}`        ``demand[n,g,y]``                magnet demand [t/yr]
    =======================  ===============================  ==================================
    """
    lhs = m.v_make[n, g, y] + recovered(m, n, "magnet", g, y) + imported(m, n, "magnet", g, y)
    if (n, g, y) in m.RESINTER:
        lhs += m.v_resinter[n, g, y]
    lhs += received(m, "magnet", n, g, y) - sent(m, "magnet", n, g, y)
    lhs += m.v_unmet[n, g, y] - sold(m, n, "magnet", g, y) - stock_change(m, n, "magnet", g, y)
    return lhs == m.data.p["demand"].get((n, g, y), 0.0)


def _unmet_bounds(m, *idx):
    return (0.0, None) if m.data.config.options.allow_unmet else (0.0, 0.0)


def add_magnet_making(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    """Magnet family: magnet making, unmet demand, and the oxide, alloy and magnet balances.

    With ``options.allow_unmet: false`` the unmet variables are bounded to zero (kept in the model
    so that an impossible demand shows up as an infeasibility the diagnosis can explain).
    """
    m.MAGNET = pyo.Set(
        dimen=3, initialize=[(n, g, y) for n in m.NATIONS for g in m.GRADES for y in m.YEARS]
    )
    m.v_make = pyo.Var(m.MAGNET, domain=pyo.NonNegativeReals, doc="magnets made from oxide [t/yr]")
    m.v_resinter = pyo.Var(
        m.RESINTER, domain=pyo.NonNegativeReals, doc="magnets re-sintered from alloy [t/yr]"
    )
    m.v_unmet = pyo.Var(m.MAGNET, bounds=_unmet_bounds, doc="magnet demand unmet [t/yr]")
    m.UNMET_OXIDE = pyo.Set(dimen=3, initialize=sorted(d.p["oxide_demand"]))
    m.v_unmet_oxide = pyo.Var(m.UNMET_OXIDE, bounds=_unmet_bounds, doc="oxide demand unmet [t/yr]")
    m.OXIDE_BALANCE = pyo.Set(
        dimen=3,
        initialize=[
            (n, e, y)
            for n in m.NATIONS
            for e in m.ELEMENTS
            for y in m.YEARS
            if _oxide_row_has_terms(m, d, n, e, y)
        ],
    )
    m.oxide_balance = pyo.Constraint(m.OXIDE_BALANCE, rule=oxide_balance)
    m.MIXED_OXIDE_BALANCE = pyo.Set(
        dimen=3,
        initialize=[
            (n, e, y) for n in m.NATIONS for e in m.items_of["mixed_oxide"] for y in m.YEARS
        ],
    )
    m.mixed_oxide_balance = pyo.Constraint(m.MIXED_OXIDE_BALANCE, rule=mixed_oxide_balance)
    m.alloy_balance = pyo.Constraint(m.RESINTER, rule=alloy_balance)
    m.magnet_balance = pyo.Constraint(m.MAGNET, rule=magnet_balance)


def _oxide_row_has_terms(m, d: ModelData, n, e, y) -> bool:
    return bool(
        any(d.p["grade_recipe"].get((g, e), 0.0) > 0 for g in d.grades)
        or m.imports_to.get((n, "oxide", e, y))
        or m.ship_in.get(("oxide", n, e, y))
        or m.ship_out.get(("oxide", n, e, y))
        or m.outputs_of.get((n, "oxide", e, y))
        or (n, "oxide", e, y) in m.sellable
        or (n, e, y) in d.p["oxide_demand"]
        or (n, "oxide", e, y) in m.STOCK
    )
