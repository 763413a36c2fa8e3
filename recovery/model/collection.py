r"""Collection: how much magnet-bearing product is gathered, in rising-cost tiers."""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData


def collection_limit(m, n, p, k, y):
    r"""Collection in a tier cannot exceed that tier's share of the arisings.

    .. math::
        C_{n,p,k,y} \le \sigma_{n,p,k}\, A_{n,p,y}
        \qquad \forall (n,p,k,y) \in \mathcal{C}

    ======================  ===============================  ===============================
    symbol                  Pyomo                            meaning [unit]
    ======================  ===============================  ===============================
    :math:`C_{n,p,k,y}`     ``v_collect[n,p,k,y]``           magnet mass collected [t/yr]
    :math:`\sigma_{n,p,k}`  ``collection_share[n,p,k]``      share of arisings in tier k [-]
    :math:`A_{n,p,y}`       ``arisings[n,p,y]``              magnet mass arising [t/yr]
    ======================  ===============================  ===============================
    """
    d = m.data
    return m.v_collect[n, p, k, y] <= d.p["collection_share"][n, p, k] * d.p["arisings"][n, p, y]


def add_collection(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    """Collection family: tiered collection variables and their limits."""
    m.v_collect = pyo.Var(m.COLLECT, domain=pyo.NonNegativeReals, doc="collected magnet [t/yr]")
    m.collection_limit = pyo.Constraint(m.COLLECT, rule=collection_limit)
