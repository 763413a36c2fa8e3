"""The model written with --write-model, solved by HiGHS alone, gives the same objective."""

from __future__ import annotations

from pathlib import Path

import pytest

import recovery
from recovery.solve import solve_file

TOY = Path(__file__).resolve().parent.parent / "models" / "toy"


@pytest.mark.parametrize("suffix", [".mps", ".lp"])
def test_written_model_resolves_to_same_objective(tmp_path, suffix):
    path = tmp_path / f"toy{suffix}"
    res = recovery.run_case(TOY, write_model=path)
    assert path.is_file() and path.stat().st_size > 0
    status, obj = solve_file(path)
    assert status == "Optimal"
    assert obj == pytest.approx(res.objective, rel=1e-9)
