"""A second, independent open-source LP solver (COIN-OR CBC, Debian's coinor-cbc) for checks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def cbc_path() -> str:
    """The cbc binary; under CI (CI=true) its absence fails, elsewhere the test skips."""
    path = shutil.which("cbc")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("cbc (Debian coinor-cbc) is required under CI; .ci/run installs it")
        pytest.skip("cbc not installed (apt-get install coinor-cbc); CI installs it")
    return path


def cbc_objective(mps: Path) -> float:
    """Solve an MPS file with CBC and return its optimal objective."""
    sol = mps.with_suffix(".cbc.txt")
    r = subprocess.run(
        [cbc_path(), str(mps), "solve", "solu", str(sol)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    first = sol.read_text().splitlines()[0] if sol.exists() else r.stdout
    m = re.search(r"Optimal - objective value\s+([-+0-9.eE]+)", first)
    assert m, f"CBC did not report an optimum: {first!r}\n{r.stdout[-2000:]}"
    return float(m.group(1))
