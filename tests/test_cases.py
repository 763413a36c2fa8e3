"""Golden values: every case with an expected.json reproduces its objective and headline KPIs.

Rewrite with ``pytest tests/test_cases.py -k CASE --update-expected --reason "why"`` (``-k``
selects the case; without it every case is rewritten); each rewrite adds a dated entry to the
file's changelog, so every change of a golden number has a reason.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import balances
import pytest

import recovery

MODELS = Path(__file__).resolve().parent.parent / "models"
CASES = sorted(p.parent.name for p in MODELS.glob("*/expected.json"))


def headline(res) -> dict:
    k = res.summary["kpis"]
    return {
        "objective": res.objective,
        "recovered_t": k["recovered_t"],
        "unmet_magnet_t": k["unmet_magnet_t"],
        "magnet_demand_t": k["magnet_demand_t"],
    }


@pytest.mark.parametrize("case", CASES)
def test_case_matches_expected(case, request):
    path = MODELS / case / "expected.json"
    expected = json.loads(path.read_text())
    res = recovery.run_case(MODELS / case)
    _, data, _ = recovery.prepare_case(MODELS / case)
    balances.check_all(res, data)
    got = headline(res)
    if request.config.getoption("--update-expected"):
        reason = request.config.getoption("--reason")
        assert reason, "give --reason when updating golden values"
        log = expected.get("changelog", [])
        log.append({"date": dt.date.today().isoformat(), "reason": reason})
        path.write_text(json.dumps({**got, "changelog": log}, indent=2) + "\n")
        return
    assert got["objective"] == pytest.approx(expected["objective"], rel=1e-6)
    for e, v in expected["recovered_t"].items():
        assert got["recovered_t"][e] == pytest.approx(v, rel=1e-6, abs=1e-6)
    assert got["unmet_magnet_t"] == pytest.approx(expected["unmet_magnet_t"], rel=1e-6, abs=1e-6)
    assert got["magnet_demand_t"] == pytest.approx(expected["magnet_demand_t"], rel=1e-9)
