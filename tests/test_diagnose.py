"""Plans that cannot be solved are explained in planner's words; never reported as results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import recovery
from recovery.errors import NotOptimalError


@pytest.fixture
def impossible(toy_copy):
    """Hard demand (no unmet allowed), no Chinese magnets and only 10 t of Chinese Nd in 2030.

    Recycling everything in 2030 gives 90 t (US) + 190 t (JP) of magnets: 220 t short, which
    needs 66 t of Nd; 10 t are allowed, so the smallest fix is 56 t more Nd from CN.
    """
    text = (toy_copy / "case.yaml").read_text().replace("allow_unmet: true", "allow_unmet: false")
    (toy_copy / "case.yaml").write_text(text)
    head = "supplier,destination,{},year,value,unit,low,high,source,basis,note\n"
    (toy_copy / "magnet_supply_cap.csv").write_text(
        head.format("grade") + "CN,all,standard,2030,0,t/yr,0,0,toy,assumption,\n"
    )
    (toy_copy / "supply_cap.csv").write_text(
        head.format("element") + "CN,all,Nd,2030,10,t/yr,10,10,toy,assumption,\n"
    )
    return toy_copy


def test_infeasible_explained_with_conflict_and_smallest_fix(impossible):
    with pytest.raises(NotOptimalError) as exc:
        recovery.run_case(impossible)
    err = exc.value
    assert err.status == "Infeasible"
    text = err.explanation
    assert "CN may supply at most 10 t of Nd oxide to the alliance in 2030" in text
    assert "may not go unmet" in text
    assert "standard magnet demand in JP in 2030 (300 t)" in text
    assert (
        "CN may supply at most 10 t of Nd oxide to the alliance in 2030: relax by 56 t/yr" in text
    )


def test_cli_exit_1_and_no_results(impossible, tmp_path):
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "recovery", "run", str(impossible), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1
    assert "Infeasible" in r.stderr and "relax by 56" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_unbounded_is_reported_not_returned(toy_copy):
    """Magnets sell at 100,000 USD/t but can be made from Chinese Nd for 63,000: unlimited profit.

    (Buying a magnet to resell it directly is caught by validation; this detour through magnet
    making is not, so the solver must report it.)"""
    ovs = [{"set": "magnet_price[form=magnet,grade=standard]=100000"}] + [
        {"set": f"magnet_supply_cap[supplier=CN,destination=all,grade=standard,year={y}]=1000"}
        for y in (2030, 2031)
    ]
    with pytest.raises(NotOptimalError) as exc:
        recovery.run_case(toy_copy, overrides=ovs)
    assert exc.value.status in ("Unbounded", "Primal infeasible or unbounded")
    text = exc.value.explanation
    assert "without limit" in text
    # the unbounded direction: buy Nd oxide, make magnets, sell them
    assert "purchases of Nd oxide from CN" in text
    assert "magnets (standard) made from oxide" in text
    assert "sales of standard magnet" in text


def test_direct_arbitrage_is_an_input_error(toy_copy):
    with pytest.raises(recovery.InputError) as exc:
        recovery.run_case(toy_copy, overrides=[{"set": "import_price[supplier=CN,element=Nd]=0"}])
    assert [i.rule for i in exc.value.issues] == ["arbitrage"]


def test_time_limit_is_reported_not_returned():
    """A time limit reached before an optimum is a status, never a result."""
    case = recovery.load_case(Path(__file__).parent.parent / "models" / "quad_baseline")
    case = case.with_settings({"solver": {"time_limit": 1e-4}})
    with pytest.raises(NotOptimalError) as exc:
        recovery.run_case(case)
    assert exc.value.status == "Time limit reached"
    assert "time limit" in exc.value.explanation
