"""Hand the model to HiGHS, solve it, and load primal values and duals back.

The model is written as an LP file with readable row and column names (so an infeasibility can be
explained by name), read by ``highspy`` and solved there; values come back through Pyomo's symbol
map. Writing the file is faster than Pyomo's in-memory hand-off at every size measured in
``bench/`` and gives HiGHS's duals, IIS and feasibility relaxation through one interface.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import pyomo.environ as pyo
from pyomo.core.base.component_namer import name_repr
from pyomo.core.base.label import LPFileLabeler, cpxlp_label_from_name

from recovery.case import SolverSettings

_BANNER_SHOWN = False

#: with ``solver.method: choose``, models with more columns than this are solved by IPM
#: (with crossover, so duals and a basic solution come back as with simplex)
IPM_ABOVE = 50_000


@dataclass
class SolveInfo:
    """What the solver did: status, objective, times, version, and (when optimal) duals."""

    status: str
    optimal: bool
    objective: float | None
    solver: str
    solver_version: str
    times: dict[str, float] = field(default_factory=dict)
    iterations: int = 0
    duals: dict = field(default_factory=dict)  # ConstraintData -> dual [objective units per unit]
    highs: object = None  # the highspy.Highs instance (kept for diagnosis), not picklable
    names: dict = field(default_factory=dict)  # LP row/column name -> Pyomo component data


def new_highs() -> highspy.Highs:
    """A silent ``highspy.Highs`` (its one-time banner goes to /dev/null, not to our stdout)."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        with _quiet_stdout():
            h = highspy.Highs()
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h


@contextlib.contextmanager
def _quiet_stdout():
    try:
        fd = os.dup(1)
    except OSError:  # no real stdout (e.g. some test runners)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)


@functools.lru_cache(maxsize=1)
def highs_version() -> str:
    """HiGHS library version (e.g. 1.16.0) as reported by the linked solver."""
    try:
        return str(new_highs().version())
    except Exception:  # noqa: BLE001 - provenance only; never fail a run for it
        from importlib.metadata import version

        return "highspy " + version("highspy")


def _strip(name: str) -> str:
    for pre in ("c_e_", "c_l_", "c_u_", "r_l_", "r_u_"):
        if name.startswith(pre):
            return name[len(pre) :]
    return name


class _LPLabeler:
    """The names Pyomo's ``LPFileLabeler`` gives (``v_ship(oxide_AA_AB_Nd_2030)``), precomputed.

    Pyomo builds each name from scratch (regex checks on every index member of every row and
    column: ~60 % of the LP write at 100k variables); here each distinct index member is formatted
    once and every name is made in one pass over the components. Objects not seen (e.g. Pyomo's
    constant placeholder) fall back to Pyomo's own labeler.
    """

    def __init__(self, m: pyo.ConcreteModel):
        self._fallback = LPFileLabeler()
        part: dict = {}

        def rep(x):
            k = (x.__class__, x)
            r = part.get(k)
            if r is None:
                r = part[k] = name_repr(x)
            return r

        labels: dict[int, str] = {}
        for ctype in (pyo.Var, pyo.Constraint, pyo.Objective):
            for comp in m.component_objects(ctype, descend_into=True):
                base = comp.getname(fully_qualified=True)
                if not comp.is_indexed():
                    labels[id(comp)] = cpxlp_label_from_name(base)
                    continue
                for idx, data in comp.items():
                    if idx.__class__ is tuple and len(idx) > 1:
                        s = ",".join([rep(i) for i in idx])
                    else:
                        s = rep(idx)
                    labels[id(data)] = cpxlp_label_from_name(f"{base}[{s}]")
        self._labels = labels

    def __call__(self, obj) -> str:
        label = self._labels.get(id(obj))
        return label if label is not None else self._fallback(obj)


def write_lp(m: pyo.ConcreteModel, path: Path) -> dict:
    """Write the model as an LP file; return ``{name in file: Pyomo component data}``."""
    _, smap_id = m.write(
        str(path), io_options={"symbolic_solver_labels": True, "labeler": _LPLabeler(m)}
    )
    smap = m.solutions.symbol_map.pop(smap_id)
    return dict(smap.bySymbol)


def solve(
    m: pyo.ConcreteModel,
    settings: SolverSettings | None = None,
    write_model: Path | None = None,
    keep_highs: bool = False,
) -> SolveInfo:
    """Solve ``m`` with HiGHS; values are loaded into the model's variables when optimal.

    ``write_model`` (``.mps`` or ``.lp``) saves the exact model HiGHS solved, written atomically.
    """
    settings = settings or SolverSettings()
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="recovery-") as tmp:
        lp_path = Path(tmp) / "model.lp"
        t0 = time.perf_counter()
        names = write_lp(m, lp_path)
        times["handoff_s"] = time.perf_counter() - t0
        h = new_highs()
        t0 = time.perf_counter()
        h.readModel(str(lp_path))
        times["read_s"] = time.perf_counter() - t0
    h.setOptionValue("time_limit", float(settings.time_limit))
    h.setOptionValue("threads", int(settings.threads))
    method = settings.method
    if method == "choose" and h.getNumCol() > IPM_ABOVE:
        method = "ipm"  # cold dual simplex is 8-20x slower than IPM at 100k+ columns (bench/)
    if method != "choose":
        h.setOptionValue("solver", method)
    if write_model is not None:
        write_highs_model(h, Path(write_model))
    t0 = time.perf_counter()
    h.run()
    times["solve_s"] = time.perf_counter() - t0
    status = h.getModelStatus()
    status_text = h.modelStatusToString(status)
    optimal = status == highspy.HighsModelStatus.kOptimal
    info = h.getInfo()
    result = SolveInfo(
        status=status_text,
        optimal=optimal,
        objective=float(info.objective_function_value) if optimal else None,
        solver="HiGHS",
        solver_version=highs_version(),
        times=times,
        iterations=int(info.simplex_iteration_count + max(info.ipm_iteration_count, 0)),
    )
    if optimal:
        t0 = time.perf_counter()
        result.duals = _load(m, h, names)
        times["load_s"] = time.perf_counter() - t0
    if keep_highs or not optimal:
        result.highs = h
        result.names = names
    return result


def _load(m: pyo.ConcreteModel, h: highspy.Highs, names: dict) -> dict:
    lp = h.getLp()
    sol = h.getSolution()
    for var in m.component_data_objects(pyo.Var, descend_into=True):
        var.set_value(None if var.lb is None else max(var.lb, 0.0), skip_validation=True)
    for name, val in zip(lp.col_names_, sol.col_value):
        obj = names.get(name)
        if obj is not None:
            obj.set_value(val, skip_validation=True)
    duals: dict = {}
    for name, val in zip(lp.row_names_, sol.row_dual):
        obj = names.get(name) or names.get(_strip(name))
        if obj is None:
            obj = names.get("c_l_" + _strip(name))
        if obj is not None and hasattr(obj, "body"):
            duals[obj] = duals.get(obj, 0.0) + float(val)
    return duals


def write_highs_model(h: highspy.Highs, path: Path) -> None:
    """Write the model held by HiGHS to ``path`` (format from the suffix), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    status = h.writeModel(str(tmp))
    if status != highspy.HighsStatus.kOk or not tmp.exists():
        tmp.unlink(missing_ok=True)
        raise OSError(f"HiGHS could not write the model to {path}")
    os.replace(tmp, path)


def solve_file(path: Path, settings: SolverSettings | None = None) -> tuple[str, float | None]:
    """Solve a written model file alone (status, objective): the reference for checks and bench."""
    settings = settings or SolverSettings()
    h = new_highs()
    h.readModel(str(path))
    h.setOptionValue("time_limit", float(settings.time_limit))
    h.run()
    st = h.getModelStatus()
    ok = st == highspy.HighsModelStatus.kOptimal
    return h.modelStatusToString(st), (h.getInfo().objective_function_value if ok else None)
