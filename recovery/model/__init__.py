r"""The model: a flat, ordered list of constraint families.

``build_model(data, config)`` returns a Pyomo ``ConcreteModel``; it reads no files and prints
nothing. Each family is one module whose rule functions carry their math in their docstrings
(``docs/formulation.md`` is generated from them).
"""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData
from recovery.model.capacity import add_capacity
from recovery.model.collection import add_collection
from recovery.model.limits import add_limits
from recovery.model.magnets import add_magnet_making
from recovery.model.money import add_money
from recovery.model.objective import add_objective
from recovery.model.preprocessing import add_preprocessing
from recovery.model.routes import add_routes
from recovery.model.sets import add_sets
from recovery.model.stock import add_stock
from recovery.model.supply import add_supply
from recovery.model.trade import add_trade

FAMILIES = (
    add_sets,
    add_trade,
    add_supply,
    add_stock,
    add_collection,
    add_preprocessing,
    add_routes,
    add_magnet_making,
    add_capacity,
    add_limits,
    add_money,
    add_objective,
)


def build_model(data: ModelData, config: CaseConfig | None = None) -> pyo.ConcreteModel:
    """Build the LP for prepared data; ``config`` defaults to the data's case settings."""
    config = config or data.config
    m = pyo.ConcreteModel(name="recovery")
    m.data = data
    for add in FAMILIES:
        add(m, data, config)
    return m
