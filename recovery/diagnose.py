"""Explain a plan that could not be solved to optimality, in a planner's words.

For an infeasible model: HiGHS computes an irreducible infeasible subset (IIS: a set of
requirements that cannot hold together, each one needed for the conflict), whose rows and bounds
are mapped back to sentences; then HiGHS's feasibility relaxation finds the smallest total change
to limits and requirements that would make the plan possible, and the largest changes are listed.
"""

from __future__ import annotations

import logging

import highspy
import pyomo.environ as pyo

from recovery.errors import NotOptimalError
from recovery.solve import SolveInfo

log = logging.getLogger(__name__)

_STATUS_TEXT = {
    "Infeasible": "No plan meets every demand, limit and budget at once.",
    "Unbounded": "The cost can fall without limit: some sale or credit is not limited by any "
    "supply or capacity. Check sale prices against costs and add capacity or supply limits.",
    "Primal infeasible or unbounded": "The model is either infeasible or unbounded: no plan "
    "meets every requirement, or some credit is unlimited.",
    "Time limit reached": "HiGHS stopped at the time limit before proving an optimum; raise "
    "solver.time_limit in case.yaml or make the case smaller.",
    "Iteration limit reached": "HiGHS stopped at its iteration limit before proving an optimum.",
}


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3g}"


def describe_row(obj, m: pyo.ConcreteModel) -> tuple[str, str]:
    """A sentence for a constraint row, and the unit its right-hand side is measured in."""
    d = m.data
    p = d.p
    name = obj.parent_component().name
    idx = obj.index()
    idx = idx if isinstance(idx, tuple) else (idx,)
    t = "t/yr"
    if name == "magnet_balance":
        n, g, y = idx
        return (
            f"{g} magnet demand in {n} in {y} ({_fmt(p['demand'].get((n, g, y), 0))} t) has "
            "to be met by magnets made, imported, received or left unmet",
            t,
        )
    if name == "oxide_balance":
        n, e, y = idx
        return (
            f"the {e} oxide used in {n} in {y} (for magnet making and direct demand of "
            f"{_fmt(p['oxide_demand'].get((n, e, y), 0))} t) has to come from recovery, "
            "imports or partners",
            t,
        )
    if name == "capacity_utilisation":
        n, x, y = idx
        return f"{x} throughput in {n} in {y} cannot exceed the capacity in service", t
    if name == "capacity_limit":
        n, x, y = idx
        return (
            f"{x} capacity in {n} may not exceed {_fmt(p['max_capacity'][n, x])} t/yr (in {y})",
            t,
        )
    if name == "collection_limit":
        n, pr, k, y = idx
        lim = p["collection_share"][n, pr, k] * p["arisings"][n, pr, y]
        return f"collection of {pr} in {n}, tier {k}, in {y} is limited to {_fmt(lim)} t", t
    if name == "supply_cap":
        s, dest, f, i, y = idx
        table = "supply_cap" if f == "oxide" else "magnet_supply_cap"
        who = "the alliance" if dest == "all" else dest
        return (
            f"{s} may supply at most {_fmt(p[table][s, dest, i, y])} t of {i} {f} to {who} in {y}",
            t,
        )
    if name == "share_cap":
        scope, e, s, y = idx
        who = "the alliance" if scope == "all" else scope
        return (
            f"{s} may provide at most {p['share_cap'][scope, e]:.0%} of {who}'s {e} supply in {y}",
            t,
        )
    if name == "capital_budget":
        n, y = idx
        return (
            f"capital committed in {n} in {y} may not exceed {_fmt(p['capital_budget'][n, y])} USD",
            "USD",
        )
    if name == "capital_budget_total":
        (n,) = idx
        return (
            f"capital committed in {n} over the horizon may not exceed "
            f"{_fmt(p['capital_budget_total'][n])} USD",
            "USD",
        )
    if name == "public_budget":
        n, y = idx
        return f"subsidies paid in {n} in {y} are limited by the public budget", "USD"
    if name in ("ewaste_balance", "concentrate_balance", "alloy_balance", "mixed_oxide_balance"):
        what = name.replace("_balance", "").replace("_", " ")
        return f"the {what} balance of {', '.join(map(str, idx))} must hold", t
    return f"{name}[{', '.join(map(str, idx))}]", ""


def describe_col(var, m: pyo.ConcreteModel, upper: bool) -> str:
    """A sentence for a variable bound in the conflict."""
    name = var.parent_component().name
    idx = var.index()
    idx = idx if isinstance(idx, tuple) else (idx,)
    if name in ("v_unmet", "v_unmet_oxide") and upper:
        n, i, y = idx
        return (
            f"demand for {i} in {n} in {y} may not go unmet (options.allow_unmet is false "
            "in case.yaml)"
        )
    if name == "v_build" and upper:
        n, x, y = idx
        return f"new {x} capacity in {n} in {y} is limited to {_fmt(var.ub)} t/yr (max_build)"
    if name == "v_stock" and upper:
        n, f, i, y = idx
        return f"the {i} {f} stock in {n} is limited to {_fmt(var.ub)} t"
    side = "at most" if upper else "at least"
    bound = var.ub if upper else var.lb
    return f"{name}[{', '.join(map(str, idx))}] is {side} {_fmt(bound or 0)}"


STRUCTURAL = {
    "ewaste_balance",
    "concentrate_balance",
    "alloy_balance",
    "mixed_oxide_balance",
    "oxide_balance",
    "capacity_utilisation",
    "transfer_limit",
}
RELAXABLE_ROWS = {
    "magnet_balance",
    "oxide_balance",
    "supply_cap",
    "share_cap",
    "capacity_limit",
    "collection_limit",
    "capital_budget",
    "capital_budget_total",
    "public_budget",
    "public_budget_total",
}
RELAXABLE_UPPER = {"v_unmet", "v_unmet_oxide", "v_build", "v_stock"}


def _conflict(h: highspy.Highs, names: dict, m) -> list[str]:
    """Sentences for the IIS: requirements and limits first, material balances summarised."""
    h.setOptionValue("iis_strategy", 2 | 4)
    status, iis = h.getIis()
    if status != highspy.HighsStatus.kOk or not getattr(iis, "valid_", False):
        return []
    lp = h.getLp()
    lines, linked = [], set()
    for i in iis.row_index_:
        obj = names.get(lp.row_names_[i])
        if obj is None or not hasattr(obj, "body"):
            continue
        fam = obj.parent_component().name
        if fam in STRUCTURAL:
            linked.add(fam.replace("_", " ").replace("utilisation", "limits"))
        else:
            lines.append(describe_row(obj, m)[0])
    for j, b in zip(iis.col_index_, iis.col_bound_, strict=False):
        obj = names.get(lp.col_names_[j])
        if obj is None:
            continue
        upper = b in (
            highspy.IisBoundStatus.kIisBoundStatusUpper,
            highspy.IisBoundStatus.kIisBoundStatusBoxed,
        )
        if upper and obj.ub is not None:
            lines.append(describe_col(obj, m, True))
    lines = list(dict.fromkeys(lines))
    if linked:
        lines.append("(linked through the " + ", ".join(sorted(linked)) + ")")
    return lines


def _relaxation(h: highspy.Highs, names: dict, m, top: int = 8) -> list[str]:
    """Smallest total relaxation of limits and requirements (flows stay non-negative)."""
    import numpy as np

    lp = h.getLp()
    lo_r, up_r = list(lp.row_lower_), list(lp.row_upper_)
    up_c = list(lp.col_upper_)
    col_obj = [names.get(n) for n in lp.col_names_]
    row_obj = [names.get(n) for n in lp.row_names_]
    rhs_pen = np.array(
        [
            1.0
            if o is not None and hasattr(o, "body") and o.parent_component().name in RELAXABLE_ROWS
            else -1.0
            for o in row_obj
        ]
    )
    up_pen = np.array(
        [
            1.0
            if o is not None
            and not hasattr(o, "body")
            and o.parent_component().name in RELAXABLE_UPPER
            else -1.0
            for o in col_obj
        ]
    )
    lo_pen = np.full(len(col_obj), -1.0)
    if (
        h.feasibilityRelaxation(-1.0, -1.0, -1.0, lo_pen, up_pen, rhs_pen)
        != highspy.HighsStatus.kOk
    ):
        return []
    sol = h.getSolution()
    changes = []
    for j, v in enumerate(sol.col_value):
        gap = v - up_c[j]
        if gap > 1e-6 and col_obj[j] is not None:
            changes.append((gap, f"{describe_col(col_obj[j], m, True)}: relax by {_fmt(gap)}"))
    for i, v in enumerate(sol.row_value):
        gap = max(lo_r[i] - v, v - up_r[i], 0.0)
        if gap > 1e-6 and row_obj[i] is not None and hasattr(row_obj[i], "body"):
            text, unit = describe_row(row_obj[i], m)
            changes.append((gap, f"{text}: relax by {_fmt(gap)} {unit}".rstrip()))
    changes.sort(key=lambda c: -c[0])
    extra = [f"... and {len(changes) - top} smaller changes"] if len(changes) > top else []
    return [c[1] for c in changes[:top]] + extra


_ACTIVITY = {
    "v_sell": "sales of {2} {1} by {0} in {3}",
    "v_make": "magnets ({1}) made from oxide in {0} in {2}",
    "v_resinter": "alloy ({1}) re-sintered in {0} in {2}",
    "v_build": "new {1} capacity in {0} decided in {2}",
    "v_import": "purchases of {3} {2} from {0} by {1} in {4}",
    "v_ship": "shipments of {3} {0} from {1} to {2} in {4}",
    "v_feed": "{2} concentrate ({3}) fed to {1} in {0} in {4}",
    "v_preprocess": "{1} pre-processed by {2} in {0} in {3}",
    "v_collect": "collection of {1} in {0}, tier {2}, in {3}",
    "v_stock": "the {2} {1} stock in {0} at the end of {3}",
}


def describe_activity(var) -> str:
    """A phrase for a variable (an activity of the plan)."""
    name = var.parent_component().name
    idx = var.index()
    idx = idx if isinstance(idx, tuple) else (idx,)
    text = _ACTIVITY.get(name)
    return text.format(*idx) if text else f"{name}[{', '.join(map(str, idx))}]"


def _unbounded_ray(h: highspy.Highs, names: dict, top: int = 8) -> list[str]:
    """The activities along which the cost falls without limit (HiGHS primal ray)."""
    h.setOptionValue("presolve", "off")
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kUnbounded:
        return []
    status, has_ray, ray = h.getPrimalRay()
    if status != highspy.HighsStatus.kOk or not has_ray:
        return []
    lp = h.getLp()
    moves = sorted(
        ((abs(v), lp.col_names_[j]) for j, v in enumerate(ray) if abs(v) > 1e-9), reverse=True
    )
    out = []
    for _w, name in moves:
        obj = names.get(name)
        if obj is not None and not hasattr(obj, "body"):
            out.append(describe_activity(obj))
    return out[:top] + ([f"... and {len(out) - top} more"] if len(out) > top else [])


def explain_not_optimal(m: pyo.ConcreteModel, info: SolveInfo) -> NotOptimalError:
    """A :class:`NotOptimalError` naming the status and, for infeasible plans, why."""
    text = _STATUS_TEXT.get(info.status, f"HiGHS ended with status '{info.status}'.")
    h = info.highs
    names = getattr(info, "names", None) or {}
    if info.status == "Infeasible" and h is not None and names:
        parts = [text]
        try:
            conflict = _conflict(h, names, m)
        except Exception as exc:  # noqa: BLE001 - the diagnosis must never hide the status
            log.warning("IIS failed: %s", exc)
            conflict = []
        if conflict:
            parts.append(
                "These requirements cannot all hold together (drop or relax any one of "
                "them and the rest can be met):"
            )
            parts += [f"  - {c}" for c in conflict]
        try:
            changes = _relaxation(h, names, m)
        except Exception as exc:  # noqa: BLE001
            log.warning("feasibility relaxation failed: %s", exc)
            changes = []
        if changes:
            parts.append(
                "Smallest change that would make a plan possible (HiGHS feasibility relaxation):"
            )
            parts += [f"  - {c}" for c in changes]
        text = "\n".join(parts)
    if info.status in ("Unbounded", "Primal infeasible or unbounded") and h is not None and names:
        try:
            ray = _unbounded_ray(h, names)
        except Exception as exc:  # noqa: BLE001
            log.warning("unbounded ray failed: %s", exc)
            ray = []
        if ray:
            text += "\nThese activities can grow together without limit, each step lowering the "
            text += "cost (a price or credit exceeds the cost of the chain that earns it):\n"
            text += "\n".join(f"  - {r}" for r in ray)
    return NotOptimalError(info.status, text)
