"""Provenance of the default dataset: every parameter row is sourced, ranged and consistent.

Fails on a row of any ``inputs/*.csv`` parameter table without a unit, a low/high range, a source
or a basis; on a value outside its own range; and on a source key (``;``-separated) that
``inputs/SOURCES.md`` does not resolve. The CLI's ``validate`` must accept the Quad baseline.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from recovery.schema import BASES, TABLES_BY_NAME

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "inputs"
PARAMETER_FILES = sorted(p for p in INPUTS.glob("*.csv") if p.stem in TABLES_BY_NAME)


def source_keys() -> set[str]:
    text = (INPUTS / "SOURCES.md").read_text(encoding="utf-8")
    return set(re.findall(r"^- \*\*([^*]+)\*\*", text, flags=re.MULTILINE))


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or str(x).strip() == ""


def test_parameter_files_found():
    assert len(PARAMETER_FILES) > 30
    for name in ("fx_rate", "deflator", "capex_subsidy", "price_floor", "processing_offset"):
        assert INPUTS / f"{name}.csv" in PARAMETER_FILES


@pytest.mark.parametrize("path", PARAMETER_FILES, ids=lambda p: p.stem)
def test_every_row_is_sourced_and_in_range(path):
    keys = source_keys()
    df = pd.read_csv(path, dtype={"unit": str, "source": str, "basis": str, "note": str})
    problems = []
    for i, row in df.iterrows():
        where = f"{path.name} row {i + 2}"
        for col in ("unit", "source", "basis"):
            if _blank(row.get(col)):
                problems.append(f"{where}: no {col}")
        if not _blank(row.get("basis")) and row["basis"] not in BASES:
            problems.append(f"{where}: basis {row['basis']!r} not one of {BASES}")
        lo, hi, v = row.get("low"), row.get("high"), row.get("value")
        if _blank(lo) or _blank(hi):
            problems.append(f"{where}: no low/high range")
        elif _blank(v) or not float(lo) <= float(v) <= float(hi):
            problems.append(f"{where}: value {v} outside its range [{lo}, {hi}]")
        if not _blank(row.get("source")):
            for key in (k.strip() for k in str(row["source"]).split(";")):
                if key not in keys:
                    problems.append(f"{where}: source key {key!r} not in inputs/SOURCES.md")
    assert not problems, "\n".join(problems[:20])


def test_cli_validate_accepts_quad_baseline():
    proc = subprocess.run(
        [sys.executable, "-m", "recovery", "validate", "models/quad_baseline"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
