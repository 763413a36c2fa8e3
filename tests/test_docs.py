"""Generated documents are up to date with the code and data they come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from recovery.docs import assumptions_markdown, formulation_markdown, inputs_readme

ROOT = Path(__file__).resolve().parent.parent


def test_formulation_is_current():
    text = formulation_markdown()
    assert (ROOT / "docs" / "formulation.md").read_text() == text, "run `recovery docs`"
    for rule in (
        "magnet_balance",
        "oxide_balance",
        "capacity_utilisation",
        "collection_limit",
        "supply_cap",
        "share_cap",
        "capital_budget",
        "stock_change",
        "entitlement",
    ):
        assert f"### `{rule}`" in text


def test_every_rule_has_math_and_a_symbol_or_formula():
    text = formulation_markdown()
    assert text.count(".. math::") >= 15


def test_inputs_readme_is_current():
    path = ROOT / "inputs" / "README.md"
    if not path.exists():
        pytest.fail("inputs/README.md missing: run `recovery docs`")
    assert path.read_text() == inputs_readme(), "run `recovery docs`"


def test_assumptions_is_current():
    import recovery

    _, data, _ = recovery.prepare_case(ROOT / "models" / "quad_baseline")
    assert (ROOT / "inputs" / "ASSUMPTIONS.md").read_text() == assumptions_markdown(data)
