r"""Supply limits (export controls, offtakes, producer capacity) and single-supplier share caps."""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData


def supply_cap(m, s, dest, f, i, y):
    r"""A supplier delivers at most its cap of an item to one nation, or to the alliance.

    .. math::
        \sum_{n \in N(dest)} I_{s,n,f,i,y} \le \bar I_{s,dest,i,y}
        \qquad N(\mathrm{all}) = \mathcal{N},\ N(n) = \{n\}

    =========================  ==================================  ===========================
    symbol                     Pyomo                               meaning [unit]
    =========================  ==================================  ===========================
    :math:`I_{s,n,f,i,y}`      ``v_import[s,n,f,i,y]``             bought from s [t/yr]
    :math:`\bar I`             ``supply_cap`` / ``magnet_supply_cap``  cap [t/yr]
    =========================  ==================================  ===========================
    """
    nations = m.NATIONS if dest == "all" else [dest]
    lhs = sum(m.v_import[s, n, f, i, y] for n in nations if (s, n, f, i, y) in m.IMPORTS)
    table = "supply_cap" if f == "oxide" else "magnet_supply_cap"
    return lhs <= m.data.p[table][s, dest, i, y]


def element_supply(m, d: ModelData, n, e, y):
    """Element content reaching nation n in year y by source: {supplier: expr, "_other": expr}.

    Imported oxide counts as is; imported magnets count by the grade recipe. Recovery in the
    nation (oxide, and the recipe content of alloy and reused magnets) and receipts from partners
    count as other sources.
    """
    recipe = d.p["grade_recipe"]
    by_source: dict = defaultdict(float)
    for k in m.imports_to.get((n, "oxide", e, y), ()):
        by_source[k[0]] += m.v_import[k]
    for g in d.grades:
        r = recipe.get((g, e), 0.0)
        if r > 0:
            for k in m.imports_to.get((n, "magnet", g, y), ()):
                by_source[k[0]] += r * m.v_import[k]
    other = 0
    for r_ in m.outputs_of.get((n, "oxide", e, y), ()):
        other += m.e_route_output[n, r_, "oxide", e, y]
    for k in m.ship_in.get(("oxide", n, e, y), ()):
        other += m.v_ship[k]
    for g in d.grades:
        r = recipe.get((g, e), 0.0)
        if r <= 0:
            continue
        for f in ("alloy", "magnet"):
            for r_ in m.outputs_of.get((n, f, g, y), ()):
                other += r * m.e_route_output[n, r_, f, g, y]
        for k in m.ship_in.get(("magnet", n, g, y), ()):
            other += r * m.v_ship[k]
    by_source["_other"] = other
    return by_source


def _supply_cached(m, d: ModelData, n, e, y) -> dict:
    key = (n, e, y)
    if key not in m.supply_cache:
        m.supply_cache[key] = element_supply(m, d, n, e, y)
    return m.supply_cache[key]


def share_cap(m, scope, e, s, y):
    r"""No single supplier provides more than a share of a nation's (or the alliance's) supply.

    .. math::
        Q_{s,e,y} \le \sigma_{scope,e} \Big(\sum_{s'} Q_{s',e,y} + Q^{other}_{e,y}\Big)

    where :math:`Q_{s,e,y}` is the element content bought from supplier :math:`s` (oxide plus the
    recipe content :math:`\rho_{g,e}` of magnets) by the nation (or all nations, scope ``all``)
    and :math:`Q^{other}` is recovery in the scope plus receipts from partners (for a nation).

    =========================  ==================================  ===========================
    :math:`\sigma_{scope,e}`   ``share_cap[scope,e]``              largest single share [-]
    =========================  ==================================  ===========================
    """
    d = m.data
    nations = list(m.NATIONS) if scope == "all" else [scope]
    total, mine = 0, 0
    for n in nations:
        src = _supply_cached(m, d, n, e, y)
        for key, expr in src.items():
            if scope == "all" and key == "_other":
                # receipts between partners cancel in the alliance total: count recovery only
                key = ("recovery", n, e, y)
                if key not in m.supply_cache:
                    m.supply_cache[key] = _recovery_only(m, d, n, e, y)
                expr = m.supply_cache[key]
            total += expr
            if key == s:
                mine += expr
    return mine <= d.p["share_cap"][scope, e] * total


def _recovery_only(m, d: ModelData, n, e, y):
    recipe = d.p["grade_recipe"]
    expr = 0
    for r_ in m.outputs_of.get((n, "oxide", e, y), ()):
        expr += m.e_route_output[n, r_, "oxide", e, y]
    for g in d.grades:
        r = recipe.get((g, e), 0.0)
        if r > 0:
            for f in ("alloy", "magnet"):
                for r_ in m.outputs_of.get((n, f, g, y), ()):
                    expr += r * m.e_route_output[n, r_, f, g, y]
    return expr


def add_limits(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    """Limits family: supplier caps and single-supplier share caps (both optional)."""
    offered = {(s, f, i, y) for (s, _n, f, i, y) in m.IMPORTS}
    caps = [
        (s, dest, "oxide", e, y)
        for (s, dest, e, y) in d.p["supply_cap"]
        if (s, "oxide", e, y) in offered
    ] + [
        (s, dest, "magnet", g, y)
        for (s, dest, g, y) in d.p["magnet_supply_cap"]
        if (s, "magnet", g, y) in offered
    ]
    m.SUPPLY_CAP = pyo.Set(dimen=5, initialize=sorted(caps))
    m.supply_cap = pyo.Constraint(m.SUPPLY_CAP, rule=supply_cap)
    recipe = d.p["grade_recipe"]
    carries = defaultdict(set)  # (nation, element) -> suppliers offering something containing e
    for s, n, f, i, _y in m.IMPORTS:
        for e in d.elements:
            if (f == "oxide" and i == e) or (f == "magnet" and recipe.get((i, e), 0.0) > 0):
                carries[n, e].add(s)
    rows = []
    for (scope, e), _sigma in sorted(d.p["share_cap"].items()):
        nations = d.nations if scope == "all" else (scope,)
        sup = sorted(set().union(*(carries[n, e] for n in nations)))
        rows += [(scope, e, s, y) for s in sup for y in d.years]
    m.SHARE_CAP = pyo.Set(dimen=4, initialize=rows)
    m.supply_cache = {}  # element supply per (nation, element, year), shared by share_cap rows
    m.share_cap = pyo.Constraint(m.SHARE_CAP, rule=share_cap)
