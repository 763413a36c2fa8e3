"""Bad inputs: each is a small change to the valid toy case and must be reported by the rule
named, with the file, row and column, never as a traceback; the CLI exits 2 and writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import recovery
from recovery.errors import InputError

D = "US,standard,2030,200,t/yr,200,200,toy,assumption,"  # demand.csv row 2
CS = "US,hdd,1,0.5,fraction,0.5,0.5,toy,assumption,"  # collection_share.csv row 2
RY = "hydromet,oxide,Nd,0.95,fraction,0.95,0.95,toy,assumption,"  # route_yield.csv row 3
CX = "hpms,20000,USD/(t/yr),20000,20000,toy,assumption,"  # capex.csv row 3

# (id, file, old text, new text, rule, row, column)
CORPUS = [
    ("nan", "demand.csv", D, D.replace(",200,t/yr", ",nan,t/yr"), "number", 2, "value"),
    ("empty-cell", "demand.csv", D, D.replace(",200,t/yr", ",,t/yr"), "number", 2, "value"),
    ("text", "demand.csv", D, D.replace(",200,t/yr", ",lots,t/yr"), "number", 2, "value"),
    ("thousands", "demand.csv", D, D.replace(",200,t/yr", ',"1,000",t/yr'), "number", 2, "value"),
    ("decimal-comma", "demand.csv", D, D.replace(",200,t/yr", ',"0,5",t/yr'), "number", 2, "value"),
    ("inf", "demand.csv", D, D.replace(",200,t/yr", ",inf,t/yr"), "number", 2, "value"),
    ("minus-inf", "demand.csv", D, D.replace("t/yr,200,", "t/yr,-inf,"), "number", 2, "low"),
    (
        "huge",
        "demand.csv",
        D,
        D.replace(",200,t/yr,200,200", ",1e30,t/yr,1e30,1e30"),
        "bounds",
        2,
        "value",
    ),
    ("overflow", "demand.csv", D, D.replace(",200,t/yr", ",1e999,t/yr"), "number", 2, "value"),
    (
        "negative-tonnes",
        "demand.csv",
        D,
        D.replace(",200,t/yr,200", ",-5,t/yr,-5"),
        "bounds",
        2,
        "value",
    ),
    (
        "negative-cost",
        "capex.csv",
        CX,
        CX.replace("20000,USD/(t/yr),20000", "-1,USD/(t/yr),-1"),
        "bounds",
        3,
        "value",
    ),
    (
        "yield-above-1",
        "route_yield.csv",
        RY,
        RY.replace("0.95,fraction,0.95,0.95", "1.2,fraction,1.2,1.2"),
        "bounds",
        3,
        "value",
    ),
    (
        "yield-below-0",
        "route_yield.csv",
        RY,
        RY.replace("0.95,fraction,0.95", "-0.1,fraction,-0.1"),
        "bounds",
        3,
        "value",
    ),
    (
        "shares-over-1",
        "collection_share.csv",
        CS,
        CS.replace("0.5,fraction,0.5,0.5", "0.9,fraction,0.9,0.9"),
        "sum-to-one",
        None,
        None,
    ),
    (
        "low-above-high",
        "demand.csv",
        D,
        D.replace("t/yr,200,200", "t/yr,300,100"),
        "low-high",
        2,
        "low",
    ),
    (
        "outside-own-range",
        "demand.csv",
        D,
        D.replace(",200,t/yr,200,200", ",500,t/yr,100,300"),
        "value-range",
        2,
        "value",
    ),
    ("unit-kg", "demand.csv", D, D.replace("t/yr", "kg/yr"), "unit", 2, "unit"),
    ("unit-per-month", "demand.csv", D, D.replace("t/yr", "t/month"), "unit", 2, "unit"),
    ("unknown-nation", "demand.csv", D, D.replace("US,", "XX,", 1), "key-unknown", 2, "nation"),
    ("wrong-case-nation", "demand.csv", D, D.replace("US,", "us,", 1), "key-unknown", 2, "nation"),
    ("typo-grade", "demand.csv", D, D.replace("standard", "standrd"), "key-unknown", 2, "grade"),
    ("year-outside", "capex.csv", CX, CX, None, None, None),  # placeholder replaced below
    ("year-format", "demand.csv", D, D.replace("2030", "20x0"), "year", 2, "year"),
    ("duplicate-key", "demand.csv", D, D + "\n" + D, "key-duplicate", 3, None),
    (
        "tier-not-integer",
        "collection_share.csv",
        CS,
        CS.replace("hdd,1,", "hdd,one,"),
        "tier",
        2,
        "tier",
    ),
    ("missing-source", "demand.csv", D, D.replace(",toy,", ",,"), "source-missing", 2, "source"),
    ("bad-basis", "demand.csv", D, D.replace("assumption", "guess"), "basis", 2, "basis"),
    (
        "lane-to-unknown",
        "freight.csv",
        "magnet,US,JP,",
        "magnet,US,ZZ,",
        "key-unknown",
        2,
        "destination",
    ),
    (
        "lane-to-self",
        "freight.csv",
        "magnet,US,JP,",
        "magnet,US,US,",
        "lane-self",
        2,
        "destination",
    ),
    ("unknown-form", "freight.csv", "magnet,US,JP,", "magnets,US,JP,", "key-unknown", 2, "form"),
    (
        "yield-element-all",
        "route_yield.csv",
        RY,
        RY.replace(",Nd,", ",all,"),
        "yield-element",
        3,
        "element",
    ),
    (
        "alloy-yield-element",
        "route_yield.csv",
        "hpms,alloy,all",
        "hpms,alloy,Nd",
        "yield-element",
        2,
        "element",
    ),
    (
        "feed-not-integer",
        "route_feed.csv",
        "hpms,hdd,intact,1,-,1,1",
        "hpms,hdd,intact,0.5,-,0.5,0.5",
        "integer",
        2,
        "value",
    ),
    (
        "missing-column",
        "demand.csv",
        "nation,grade,year,value",
        "nation,grade,yr,value",
        "column-missing",
        None,
        "year",
    ),
    (
        "unknown-column",
        "demand.csv",
        "basis,note",
        "basis,note,extra",
        "column-unknown",
        None,
        "extra",
    ),
    (
        "nation-code",
        "nation.csv",
        "US,United States",
        "USA,United States",
        "nation-code",
        2,
        "nation",
    ),
    (
        "set-duplicate",
        "nation.csv",
        "JP,Japan",
        "JP,Japan\nJP,Nippon",
        "key-duplicate",
        4,
        "nation",
    ),
    ("set-key-empty", "nation.csv", "JP,Japan", "JP,Japan\n,Nowhere", "key-empty", 4, "nation"),
    (
        "product-grade-unknown",
        "product.csv",
        "hdd,Hard-disk drives,standard",
        "hdd,Hard-disk drives,premium",
        "key-unknown",
        2,
        "grade",
    ),
    (
        "preprocess-output-choice",
        "preprocess.csv",
        "Manual dismantling,intact",
        "Manual dismantling,dust",
        "choice",
        2,
        "output",
    ),
    ("supplier-kind", "supplier.csv", "CN,outside", "CN,enemy", "choice", 2, "kind"),
    (
        "process-key-clash",
        "route.csv",
        "hpms,Hydrogen",
        "manual,Hydrogen",
        "process-key",
        None,
        None,
    ),
    (
        "composition-over-1",
        "composition.csv",
        "hdd,Nd,0.3,fraction,0.3,0.3",
        "hdd,Nd,1.3,fraction,1.3,1.3",
        "bounds",
        2,
        "value",
    ),
    (
        "coverage-recipe",
        "grade_recipe.csv",
        "standard,Nd,0.3,t/t,0.3,0.3,toy,assumption,\n",
        "",
        "table-empty",
        None,
        None,
    ),
    ("coverage-capex", "capex.csv", CX + "\n", "", "coverage", None, None),
    ("empty-required-table", "demand.csv", D + "\n", "", None, None, None),  # fine: other rows
    ("unknown-route-in-feed", "route_feed.csv", "hpms,hdd", "hpsm,hdd", "key-unknown", 2, "route"),
]
CORPUS = [c for c in CORPUS if c[4] is not None]


def _edit(case: Path, file: str, old: str, new: str) -> None:
    p = case / file
    text = p.read_text()
    assert old in text, f"{old!r} not in {file}"
    p.write_text(text.replace(old, new, 1))


def _issues(case: Path):
    with pytest.raises(InputError) as exc:
        recovery.prepare_case(case)
    return exc.value.issues


@pytest.mark.parametrize("cid,file,old,new,rule,row,column", CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_input_is_named(toy_copy, cid, file, old, new, rule, row, column):
    _edit(toy_copy, file, old, new)
    issues = _issues(toy_copy)
    hits = [i for i in issues if i.rule == rule]
    assert hits, f"expected rule {rule}, got {[str(i) for i in issues]}"
    hit = hits[0]
    assert file in hit.file
    if row is not None:
        assert hit.row == row, str(hit)
    if column is not None:
        assert hit.column == column, str(hit)
    assert hit.message and str(hit)


def test_every_problem_at_once(toy_copy):
    _edit(toy_copy, "demand.csv", D, D.replace("US,", "XX,", 1).replace("t/yr", "kg/yr"))
    _edit(toy_copy, "capex.csv", CX, CX.replace("20000,USD", "abc,USD"))
    rules = {i.rule for i in _issues(toy_copy)}
    assert {"key-unknown", "unit", "number"} <= rules


@pytest.mark.parametrize(
    "name,content,rule",
    [
        ("binary", b"\x00\x01\x02PK\x03\x04" * 10, "utf-8"),
        ("latin1", "nation,name\nUS,\xc9tats-Unis\n".encode("latin-1"), "utf-8"),
        ("empty", b"", "table-empty"),
        ("quote", b'nation,name\n"US,United States\n', "csv-syntax"),
    ],
)
def test_unreadable_files(toy_copy, name, content, rule):
    (toy_copy / "nation.csv").write_bytes(content)
    assert rule in {i.rule for i in _issues(toy_copy)}


def test_missing_required_table(toy_copy):
    (toy_copy / "demand.csv").unlink()
    issues = _issues(toy_copy)
    assert any(i.rule == "table-missing" and "demand.csv" in i.file for i in issues)


def test_year_outside_horizon_rejected_but_history_allowed(toy_copy):
    # history tables (arisings, demand) may hold years outside the horizon
    with open(toy_copy / "arisings.csv", "a") as f:
        f.write("US,hdd,2020,90,t/yr,90,90,toy,assumption,\n")
    recovery.prepare_case(toy_copy)
    # a table without history may not
    with open(toy_copy / "capital_budget.csv", "w") as f:
        f.write("nation,year,value,unit,low,high,source,basis,note\n")
        f.write("US,2040,1e6,USD,1e6,1e6,toy,assumption,\n")
    issues = _issues(toy_copy)
    assert any(i.rule == "year-horizon" and i.row == 2 for i in issues)


@pytest.mark.parametrize(
    "text,rule",
    [
        (
            "horizon: {start: 2030, end: 2020}\ndiscount_rate: 0\ncurrency_year: 2025\n",
            "case-setting",
        ),
        ("horizon: [2030\n", "yaml-syntax"),
        (
            "horizon: {start: 2030, end: 2031}\ndiscount_rate: 0\ncurrency_year: 2025\nfoo: 1\n",
            "case-setting",
        ),
        (
            "horizon: {start: 2030, end: 2031}\ndiscount_rate: 7\ncurrency_year: 2025\n",
            "case-setting",
        ),
        ("!!python/object/apply:os.system ['echo hi']\n", "yaml-syntax"),
    ],
)
def test_bad_case_file(toy_copy, text, rule):
    (toy_copy / "case.yaml").write_text("inputs: null\n" + text)
    with pytest.raises(InputError) as exc:
        recovery.load_case(toy_copy)
    assert rule in {i.rule for i in exc.value.issues}


def test_bad_scenarios_file(toy_copy):
    (toy_copy / "scenarios.yaml").write_text(
        "scenarios:\n  x:\n    overrides: [{multiply: 'a=1'}]\n"
    )
    with pytest.raises(InputError) as exc:
        recovery.load_case(toy_copy)
    assert "scenario-file" in {i.rule for i in exc.value.issues}


@pytest.mark.parametrize(
    "override,rule",
    [
        ({"set": "nosuch[nation=US]=1"}, "override-table"),
        ({"set": "demand[country=US]=1"}, "override-column"),
        ({"scale": "demand[nation=XX]=2"}, "override-key"),
        ({"set": "demand[nation=US"}, "override"),
        ({"scale": "demand[nation=US]=abc"}, "override"),
        ({"scale": "demand=-1"}, "override"),
    ],
)
def test_bad_override(override, rule):
    with pytest.raises(InputError) as exc:
        recovery.prepare_case(Path(__file__).parent.parent / "models" / "toy", overrides=[override])
    assert rule in {i.rule for i in exc.value.issues}


def test_override_can_open_a_lane_and_is_validated():
    toy = Path(__file__).parent.parent / "models" / "toy"
    _, data, _ = recovery.prepare_case(
        toy, overrides=[{"set": "freight[form=oxide,origin=US,destination=JP]=700"}]
    )
    fr = data.tables["freight"]
    row = fr[(fr.form == "oxide") & (fr.origin == "US") & (fr.destination == "JP")]
    assert float(row["value"].iloc[0]) == 700.0
    with pytest.raises(InputError) as exc:
        recovery.prepare_case(
            toy, overrides=[{"set": "freight[form=oxide,origin=US,destination=US]=1"}]
        )
    assert "lane-self" in {i.rule for i in exc.value.issues}


def _cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "recovery", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_cli_bad_input_exit_2_no_output_no_traceback(toy_copy, tmp_path):
    _edit(toy_copy, "demand.csv", D, D.replace(",200,t/yr", ",lots,t/yr"))
    out = tmp_path / "out"
    r = _cli("run", str(toy_copy), "--out", str(out))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr + r.stdout
    assert "demand.csv, row 2, column 'value'" in r.stderr
    assert not out.exists()
    r = _cli("validate", str(toy_copy))
    assert r.returncode == 2 and "number" in r.stderr


def test_cli_usage_errors_exit_2():
    assert _cli("run").returncode == 2
    assert _cli("run", "models/toy", "--no-such-flag").returncode == 2
    r = _cli("run", "no_such_case")
    assert r.returncode == 2 and "No case" in r.stderr and "Traceback" not in r.stderr


def test_oversized_file(toy_copy):
    with open(toy_copy / "demand.csv", "a") as f:
        f.write(("#" * 999 + "\n") * 21_000)
    assert "file-size" in {i.rule for i in _issues(toy_copy)}


def test_key_format(toy_copy):
    _edit(toy_copy, "product.csv", "motor,Motors", "mo tor!,Motors")
    assert "key-format" in {i.rule for i in _issues(toy_copy)}


def test_empty_required_table(toy_copy):
    (toy_copy / "demand.csv").write_text(
        "nation,grade,year,value,unit,low,high,source,basis,note\n"
    )
    issues = _issues(toy_copy)
    assert any(i.rule == "table-empty" and "demand" in i.file for i in issues)


def test_step_by_step_api():
    """The documented steps give the same answer as run_case."""
    case = recovery.load_case(Path(__file__).parent.parent / "models" / "toy")
    data = recovery.read_inputs(case)
    assert recovery.validate(data) == []
    m = recovery.build_model(data)
    info = recovery.solve(m)
    res = recovery.extract_results(m, info)
    assert res.objective == pytest.approx(52_978_000)


def test_missing_ewaste_mass_row_is_reported(toy_copy):
    """Without it e-waste freight would silently be charged per t of magnet, not of product."""
    _edit(toy_copy, "ewaste_mass.csv", "hdd,50,t/t,50,50,toy,assumption,\n", "")
    issues = _issues(toy_copy)
    assert any(
        i.rule == "coverage" and i.value == "hdd" and "ewaste_mass" in i.file for i in issues
    )


def test_zero_deflator_is_an_issue_not_a_crash(toy_copy):
    (toy_copy / "deflator.csv").write_text(
        "year,value,unit,low,high,source,basis,note\n2020,0,index,0,0,t,assumption,\n"
        "2025,120,index,120,120,t,assumption,\n"
    )
    p = toy_copy / "capex.csv"
    p.write_text(p.read_text().replace("20000,USD/(t/yr),20000", "20000,USD2020/(t/yr),20000"))
    rules = {i.rule for i in _issues(toy_copy)}
    assert "currency" in rules


def test_fx_override_is_refused_with_a_reason():
    with pytest.raises(InputError) as exc:
        recovery.prepare_case(
            Path(__file__).parent.parent / "models" / "quad_baseline",
            overrides=[{"set": "fx_rate[currency=INR,year=2025]=0.1"}],
        )
    assert any("applied when the inputs are read" in i.message for i in exc.value.issues)


def test_write_model_needs_a_known_suffix(tmp_path):
    r = _cli(
        "run",
        str(Path(__file__).parent.parent / "models" / "toy"),
        "-o",
        str(tmp_path / "o"),
        "--write-model",
        str(tmp_path / "m.txt"),
    )
    assert r.returncode == 2 and ".mps or .lp" in r.stderr
    assert not (tmp_path / "o").exists()
