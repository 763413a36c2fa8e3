"""The public API: each step of the pipeline, and ``run_case`` that chains them.

inputs + case -> validate -> build model -> solve -> results. The app, the CLI and sweeps call
these functions; none of them reads a file or prints except where its name says so.
"""

from __future__ import annotations

import hashlib
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from recovery.case import Case, list_cases, load_case
from recovery.checks import validate
from recovery.data import ModelData, prepare
from recovery.diagnose import explain_not_optimal
from recovery.errors import InputError, UsageError
from recovery.inputs import InputData, read_inputs
from recovery.model import build_model as _build_model
from recovery.overrides import Override, apply_overrides, parse_overrides
from recovery.results import extract_results
from recovery.solve import solve

__all__ = [
    "list_cases",
    "load_case",
    "read_inputs",
    "validate",
    "build_model",
    "solve",
    "extract_results",
    "prepare_case",
    "run_case",
    "solve_inputs",
]


def build_model(data: InputData | ModelData, config=None):
    """Build the LP from validated inputs (or already prepared :class:`ModelData`)."""
    if isinstance(data, InputData):
        data = prepare(data, config or data.case.config)
    return _build_model(data, config)


def package_version() -> str:
    try:
        return version("recovery")
    except PackageNotFoundError:
        return "0+unknown"


def files_hash(data: InputData) -> str:
    """SHA-256 over the bytes of every input file used (before overrides)."""
    h = hashlib.sha256()
    for name in sorted(data.files):
        p = Path(data.files[name])
        if p.is_file():
            h.update(name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def prepare_case(
    case: str | Path | Case,
    scenario: str | None = None,
    overrides: list | None = None,
    settings: dict | None = None,
) -> tuple[Case, InputData, list[Override]]:
    """Load the case, apply the scenario, then ``overrides`` and ``settings`` (case.yaml keys,
    e.g. ``{"perspective": "investor"}``, applied after the scenario's own), and validate;
    raise :class:`InputError` listing every problem."""
    c = case if isinstance(case, Case) else load_case(case)
    ovs: list[Override] = []
    if scenario:
        if scenario not in c.scenarios:
            known = ", ".join(c.scenarios) or "none"
            raise UsageError(f"Case '{c.name}' has no scenario '{scenario}'. Known: {known}.")
        sc = c.scenarios[scenario]
        c = c.with_settings(sc.settings)
        ovs += parse_overrides(sc.overrides)
    ovs += parse_overrides(overrides or [])
    c = c.with_settings(settings or {})
    data = read_inputs(c)
    issues = validate(data)
    if issues:
        raise InputError(issues)
    if ovs:
        data = apply_overrides(data, ovs)
        issues = validate(data)
        if issues:
            raise InputError(issues)
    return c, data, ovs


def run_case(
    case: str | Path | Case,
    scenario: str | None = None,
    overrides: list | None = None,
    write_model: str | Path | None = None,
    return_model: bool = False,
    settings: dict | None = None,
):
    """Validate, build, solve and extract one case; return :class:`Results`.

    Raises :class:`InputError` (bad inputs, all problems listed), :class:`UsageError` (unknown
    case or scenario) or :class:`NotOptimalError` (with an explanation in planner's words).
    With ``return_model=True`` returns ``(results, model)``.
    """
    if write_model is not None and Path(write_model).suffix.lower() not in (".mps", ".lp"):
        raise UsageError(f"--write-model {write_model}: the file must end in .mps or .lp")
    t0 = time.perf_counter()
    c, data, ovs = prepare_case(case, scenario, overrides, settings)
    t_validate = time.perf_counter() - t0
    return solve_inputs(
        c,
        data,
        scenario=scenario,
        write_model=write_model,
        return_model=return_model,
        times={"validate_s": t_validate},
    )


def solve_inputs(
    case: Case,
    data: InputData,
    scenario: str | None = None,
    write_model: str | Path | None = None,
    return_model: bool = False,
    times: dict | None = None,
):
    """Build, solve and extract validated inputs (e.g. a sampled or edited copy of a case's)."""
    t0 = time.perf_counter()
    md: ModelData = prepare(data, case.config)
    m = build_model(md, case.config)
    t_build = time.perf_counter() - t0
    info = solve(m, case.config.solver, write_model=Path(write_model) if write_model else None)
    info.times.update(times or {})
    info.times["build_s"] = t_build
    if not info.optimal:
        raise explain_not_optimal(m, info)
    t0 = time.perf_counter()
    meta = {
        "case": case.name,
        "scenario": scenario,
        "overrides": [str(o) for o in data.overrides],
        "inputs_hash": data.content_hash(),
        "files_hash": files_hash(data),
        "package_version": package_version(),
        "suppliers": {
            s: {"home": md.supplier_home[s], "kind": md.supplier_kind[s]} for s in md.suppliers
        },
    }
    res = extract_results(m, info, meta)
    res.summary["times_s"]["extract_s"] = round(time.perf_counter() - t0, 4)
    return (res, m) if return_model else res
