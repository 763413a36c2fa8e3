"""Explain a plan that could not be solved to optimality, in a planner's words."""

from __future__ import annotations

import pyomo.environ as pyo

from recovery.errors import NotOptimalError
from recovery.solve import SolveInfo

_STATUS_TEXT = {
    "Infeasible": "The constraints cannot all hold at once: no plan meets every demand, limit and "
    "budget together.",
    "Unbounded": "The cost can fall without limit: some sale or credit is not limited by any "
    "supply. Check sale prices against costs and capacity limits.",
    "Primal infeasible or unbounded": "The model is either infeasible or unbounded.",
    "Time limit reached": "HiGHS stopped at the time limit before proving an optimum; raise "
    "solver.time_limit in case.yaml or shrink the case.",
}


def explain_not_optimal(m: pyo.ConcreteModel, info: SolveInfo) -> NotOptimalError:
    """A :class:`NotOptimalError` whose text names the status and, where possible, the cause."""
    text = _STATUS_TEXT.get(info.status, f"HiGHS ended with status '{info.status}'.")
    return NotOptimalError(info.status, text)
