r"""Pre-processing: collected products become magnet concentrate (intact magnets or fines)."""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData
from recovery.model.trade import received, sent


def ewaste_balance(m, n, p, y):
    r"""Collected and received product is pre-processed or sent on; nothing else.

    .. math::
        \sum_k C_{n,p,k,y} + \sum_o X_{\mathrm{ewaste},o,n,p,y} - \sum_d X_{\mathrm{ewaste},n,d,p,y}
        = \sum_q P_{n,p,q,y}
        \qquad \forall n,\ p \in \mathcal{P}^{pre},\ y

    =======================  ===============================  ==================================
    symbol                   Pyomo                            meaning [unit]
    =======================  ===============================  ==================================
    :math:`C_{n,p,k,y}`      ``v_collect[n,p,k,y]``           magnet mass collected [t/yr]
    :math:`X_{f,o,d,i,y}`    ``v_ship[f,o,d,i,y]``            shipment (magnet mass) [t/yr]
    :math:`P_{n,p,q,y}`      ``v_preprocess[n,p,q,y]``        magnet mass pre-processed [t/yr]
    =======================  ===============================  ==================================
    """
    supply = sum(m.v_collect[k] for k in m.tiers_of.get((n, p, y), ()))
    supply += received(m, "ewaste", n, p, y) - sent(m, "ewaste", n, p, y)
    return supply == sum(m.v_preprocess[n, p, q, y] for q in m.methods_of[n, p])


def add_preprocessing(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    """Pre-processing family: throughput per product and method, and the e-waste balance."""
    m.PREPROCESS = pyo.Set(
        dimen=4, initialize=[(n, p, q, y) for (n, p, q) in m.PREPROCESS_PATHS for y in m.YEARS]
    )
    m.v_preprocess = pyo.Var(
        m.PREPROCESS, domain=pyo.NonNegativeReals, doc="magnet mass pre-processed [t/yr]"
    )
    m.EWASTE_BALANCE = pyo.Set(
        dimen=3,
        initialize=[(n, p, y) for n in m.NATIONS for p in m.items_of["ewaste"] for y in m.YEARS],
    )
    m.ewaste_balance = pyo.Constraint(m.EWASTE_BALANCE, rule=ewaste_balance)
