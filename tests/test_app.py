"""App logic through streamlit.testing.v1.AppTest (no browser), plus the app helpers.

Expected numbers come from ``recovery.run_case`` with the same overrides, worked out here.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

import recovery
from recovery import appsupport as sup
from recovery import workbook as wbk

APP = str(Path(__file__).resolve().parent.parent / "app.py")
EDIT = "demand[nation=US,grade=standard,year=2030]"


def start(query: dict | None = None, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (query if query is not None else {"case": "toy"}).items():
        at.query_params[k] = v
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    (m,) = [m for m in at.metric if m.label == label]
    return m.value


def cost(res) -> str:
    return f"{res.objective / 1e6:,.2f}"


def solve(at: AppTest) -> AppTest:
    at.button(key="solve").click().run()
    assert not at.exception, at.exception
    return at


def test_first_load_solves_the_case_from_the_link():
    at = start()
    assert metric(at, "Total cost (USD m, PV)") == "52.98"
    assert metric(at, "Recovered Nd (t)") == "156.6"
    assert "inputs hash 47ef1d0ae3e03472" in " ".join(c.value for c in at.caption)


def test_lever_changes_kpi_to_the_package_answer():
    at = start()
    before = metric(at, "Total cost (USD m, PV)")
    at.slider(key="lv_demand0").set_value(1.2).run()
    assert at.session_state["req"].override_dicts == [{"scale": "demand[]=1.2"}]
    assert "demand[]=1.2" in str(at.query_params["scale"])
    solve(at)
    want = recovery.run_case("toy", overrides=[{"scale": "demand[]=1.2"}])
    assert metric(at, "Total cost (USD m, PV)") == cost(want) != before


def test_edited_cell_becomes_override_and_solves():
    at = start()
    at.session_state["ed_0_0_demand"] = {
        "edited_rows": {0: {"value": 250.0}}, "added_rows": [], "deleted_rows": []
    }  # fmt: skip
    at.run()
    assert at.session_state["req"].override_dicts == [{"set": f"{EDIT}=250.0"}]
    solve(at)
    want = recovery.run_case("toy", overrides=[{"set": f"{EDIT}=250"}])
    assert metric(at, "Total cost (USD m, PV)") == cost(want)
    assert want.summary["kpis"]["magnet_demand_t"] == pytest.approx(1050.0)


def test_bad_value_is_listed_before_solving_and_never_a_traceback():
    at = start()
    at.session_state["ed_0_0_demand"] = {
        "edited_rows": {0: {"value": -5.0}}, "added_rows": [], "deleted_rows": []
    }  # fmt: skip
    at.run()
    assert any("problem(s) in the inputs" in e.value for e in at.error)
    solve(at)
    assert any("No plan for these inputs" in e.value for e in at.error)
    issues = [d.value for d in at.dataframe if "rule" in d.value.columns]
    assert any(((df["value"] == "-5") & (df["rule"] == "bounds")).any() for df in issues)


def test_compare_two_runs_shows_input_diff_and_kpi_delta():
    at = start()
    at.slider(key="lv_cn_price0").set_value(1.5).run()
    solve(at)
    frames = [d.value for d in at.dataframe]
    (diff,) = [f for f in frames if list(f.columns) == ["input", "A", "B"]]
    assert diff["B"].str.contains("import_price\\[supplier=CN\\]=1.5").any()
    (kpi,) = [f for f in frames if "delta" in f.columns]
    want = recovery.run_case(
        "toy",
        overrides=[{"scale": "import_price[supplier=CN]=1.5"},
                   {"scale": "magnet_import_price[supplier=CN]=1.5"}],
    )  # fmt: skip
    assert kpi.loc["total cost (USD)", "delta"] == pytest.approx(want.objective - 52_978_000.0)


def test_upload_round_trip_gives_the_same_answer():
    req = sup.RunRequest.make("toy", None, None, [{"set": f"{EDIT}=260.0"}])
    blob = wbk.scenario_workbook(req)
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    wb["import_price"].cell(row=2, column=3, value=140000)  # CN Nd oxide price, edited offline
    out = io.BytesIO()
    wb.save(out)
    at = start()
    at.file_uploader(key="upload").set_value(("s.xlsx", out.getvalue(), wbk.XLSX_MIME))
    at.run()
    assert not at.exception
    ovs = at.session_state["req"].override_dicts
    assert ovs == [{"set": f"{EDIT}=260.0"},
                   {"set": "import_price[supplier=CN,element=Nd]=140000.0"}]  # fmt: skip
    solve(at)
    assert metric(at, "Total cost (USD m, PV)") == cost(recovery.run_case("toy", overrides=ovs))


def test_link_with_overrides_reopens_the_same_view():
    at = start({"case": "toy", "set": [f"{EDIT}=250"], "discount_rate": "0.05"})
    case = recovery.load_case("toy").with_settings({"discount_rate": 0.05})
    want = recovery.run_case(case, overrides=[{"set": f"{EDIT}=250"}])
    assert metric(at, "Total cost (USD m, PV)") == cost(want)


def test_bad_link_is_explained():
    at = start({"case": "nope"})
    assert any("does not exist" in w.value for w in at.warning)


def test_save_and_open_scenario(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOVERY_SCENARIOS_DIR", str(tmp_path))
    at = start({"case": "toy", "scale": ["demand[]=1.1"]})
    at.text_input(key="save_name").input("../my run/..").run()
    at.button(key="save").click().run()
    assert [p.name for p in tmp_path.iterdir()] == ["my_run.json"]
    at2 = start()
    assert at2.session_state["req"].overrides == ()
    at2.selectbox(key="open_name").set_value("my_run").run()
    at2.button(key="open").click().run()
    assert at2.session_state["req"].override_dicts == [{"scale": "demand[]=1.1"}]


def test_infeasible_plan_is_explained_in_words(toy_copy):
    cy = toy_copy / "case.yaml"
    cy.write_text(cy.read_text().replace("allow_unmet: true", "allow_unmet: false"))
    caps = [
        {"set": "magnet_supply_cap[supplier=CN,destination=all,grade=standard,year=2030]=0"},
        {"set": "supply_cap[supplier=CN,destination=all,element=Nd,year=2030]=10"},
    ]
    req = sup.RunRequest.make(str(toy_copy), None, None, caps)
    at = start({}, {"req": req, "autosolve": True})
    (err,) = [e.value for e in at.error]
    assert "No plan" in err and "relax" in err


def test_lever_overrides_round_trip_through_values():
    lv = {x.key: x for x in sup.LEVERS}["share_cap"]
    keys = {"element": ["Nd", "Dy"]}
    ovs = sup.apply_lever([{"scale": "demand[]=2.0"}], lv, 0.5, keys)
    assert ovs[1:] == [{"set": "share_cap[nation=all,element=Nd]=0.5"},
                       {"set": "share_cap[nation=all,element=Dy]=0.5"}]  # fmt: skip
    assert lv.value_from(ovs) == 0.5
    assert sup.apply_lever(ovs, lv, 1.0, keys) == [{"scale": "demand[]=2.0"}]


def test_safe_name_never_a_path():
    assert sup.safe_name("../../etc/passwd") == "etc_passwd"
    with pytest.raises(ValueError):
        sup.safe_name("../..")


def test_added_row_becomes_override_and_incomplete_rows_wait():
    import pandas as pd

    from recovery.schema import TABLES_BY_NAME

    spec = TABLES_BY_NAME["supply_cap"]
    df = pd.DataFrame(columns=[*spec.columns, "edited"])
    state = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"supplier": "CN", "destination": "all", "element": "Nd", "year": "2030", "value": 10},
        {"supplier": "CN", "value": 5},
    ]}  # fmt: skip
    ovs, bad = sup.edits_to_overrides(spec, df, state, [])
    assert ovs == [{"set": "supply_cap[supplier=CN,destination=all,element=Nd,year=2030]=10.0"}]
    assert bad == [{"supplier": "CN", "value": 5}]
    res = recovery.run_case("toy", overrides=ovs)
    imp = res.tables["imports"]
    assert imp[(imp.form == "oxide") & (imp.year == 2030)]["import_t"].sum() <= 10 + 1e-6


def test_capital_budget_lever_in_million_usd():
    """2 (million USD) per nation over the horizon: the package answer with 2e6 USD budgets."""
    at = start()
    at.number_input(key="lv_capital_budget0").set_value(2.0).run()
    ovs = at.session_state["req"].override_dicts
    assert {"set": "capital_budget_total[nation=US]=2000000.0"} in ovs
    solve(at)
    want = recovery.run_case("toy", overrides=ovs)
    assert metric(at, "Total cost (USD m, PV)") == cost(want) != "52.98"
