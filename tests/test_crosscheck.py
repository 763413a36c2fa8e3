"""Every solved LP has the same optimal objective under a second solver binary (CBC) reading the
model HiGHS solved: the toy, the baseline, every scenario, and cases drawn within the ranges."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from solvers import cbc_objective

import recovery
from recovery.api import solve_inputs
from recovery.schema import TABLES_BY_NAME

MODELS = Path(__file__).resolve().parent.parent / "models"


def _check(res, mps: Path) -> None:
    assert cbc_objective(mps) == pytest.approx(res.objective, rel=1e-6, abs=1e-6)


def test_toy_matches_cbc(tmp_path):
    mps = tmp_path / "toy.mps"
    _check(recovery.run_case(MODELS / "toy", write_model=mps), mps)


def _scenarios():
    out = [("quad_baseline", None)]
    case_dir = MODELS / "quad_baseline"
    if (case_dir / "case.yaml").exists():
        out += [
            ("quad_baseline", s) for s in recovery.load_case(case_dir).scenarios if s != "baseline"
        ]
    return out


@pytest.mark.parametrize("case,scenario", _scenarios())
def test_cases_and_scenarios_match_cbc(tmp_path, case, scenario):
    mps = tmp_path / "m.mps"
    res = recovery.run_case(MODELS / case, scenario=scenario, write_model=mps)
    _check(res, mps)


def perturbed(case_dir: Path, seed: int):
    """The case's inputs with every value redrawn uniformly within its own low-high range."""
    case, data, _ = recovery.prepare_case(case_dir)
    rng = np.random.default_rng(seed)
    data = data.copy()
    skip = {"route_feed", "earliest_year", "lead_time", "lifetime"}  # structural, keep as is
    for name, df in data.tables.items():
        if name in skip or df.empty:
            continue
        df = df.copy()
        lo, hi = df["low"].to_numpy(float), df["high"].to_numpy(float)
        same = hi <= lo  # a point value (e.g. the toy): draw within +-50 % instead
        lo, hi = np.where(same, 0.5 * lo, lo), np.where(same, 1.5 * hi, hi)
        spec = TABLES_BY_NAME[name]
        df["value"] = np.clip(lo + (hi - lo) * rng.random(len(df)), spec.lo, spec.hi)
        df["low"], df["high"] = (
            np.minimum(df["low"], df["value"]),
            np.maximum(df["high"], df["value"]),
        )
        data.tables[name] = df
    # shares redrawn independently may add up to more than one: rescale those groups
    for name in ("collection_share", "composition", "grade_recipe"):
        df = data.tables.get(name)
        if df is None:
            continue
        groups = {
            "collection_share": ["nation", "product"],
            "composition": ["product"],
            "grade_recipe": ["grade"],
        }[name]
        tot = df.groupby(groups)["value"].transform("sum")
        df = df.copy()
        df["value"] = np.where(tot > 1, df["value"] / tot, df["value"])
        df["low"] = np.minimum(df["low"], df["value"])
        data.tables[name] = df
    # a draw may put a purchase price below the sale price (rejected as arbitrage): cap the sale
    for buy_t, sell_t, key in (
        ("import_price", "oxide_price", "element"),
        ("magnet_import_price", "magnet_price", "grade"),
    ):
        buy, sell = data.tables.get(buy_t), data.tables.get(sell_t)
        if buy is None or sell is None:
            continue
        floor = buy.groupby(key)["value"].min()
        sell = sell.copy()
        sell["value"] = np.minimum(sell["value"], sell[key].map(floor).fillna(np.inf))
        sell["low"] = np.minimum(sell["low"], sell["value"])
        data.tables[sell_t] = sell
    issues = recovery.validate(data)
    assert not issues, issues[:5]
    return case, data


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", ["toy", "quad_baseline"])
def test_perturbed_cases_match_cbc(tmp_path, case, seed):
    if not (MODELS / case / "case.yaml").exists():
        pytest.fail(f"case {case} missing")
    c, data = perturbed(MODELS / case, seed)
    mps = tmp_path / "p.mps"
    try:
        res = solve_inputs(c, data, write_model=mps)
    except recovery.NotOptimalError as exc:
        pytest.fail(f"perturbed case not optimal: {exc}")
    _check(res, mps)
