"""The scenario comparison reproduces each scenario's own run."""

from __future__ import annotations

from pathlib import Path

import pytest

import recovery
from recovery.compare import scenario_table, to_markdown

TOY = Path(__file__).resolve().parent.parent / "models" / "toy"


def test_compare_rows_equal_separate_runs(tmp_path):
    case = tmp_path / "toy"
    import shutil

    shutil.copytree(TOY, case)
    (case / "scenarios.yaml").write_text(
        "scenarios:\n  dear:\n    overrides: [{scale: 'magnet_import_price=1.5'}]\n"
    )
    df = scenario_table(str(case)).set_index("scenario")
    assert df.loc["(case as is)", "objective_bn_usd"] == pytest.approx(52_978_000 / 1e9)
    dear = recovery.run_case(case, scenario="dear").objective
    assert df.loc["dear", "objective_bn_usd"] == pytest.approx(dear / 1e9)
    assert df.loc["dear", "change_vs_baseline"] == pytest.approx(dear / 52_978_000 - 1)
    assert "|dear|" in to_markdown(df.reset_index())
