"""Planner app: a thin Streamlit shell over the ``recovery`` package (run: streamlit run app.py)."""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pandas as pd
import streamlit as st

import recovery
from recovery import appsupport as sup
from recovery import plots
from recovery import workbook as wbk
from recovery.errors import issues_frame
from recovery.schema import TABLES_BY_NAME

ss = st.session_state
MAX_RUNS = 8


@st.cache_resource
def pool() -> ProcessPoolExecutor:
    workers = int(os.environ.get("RECOVERY_APP_WORKERS", min(4, os.cpu_count() or 1)))
    ex = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
    ex.submit(sup.warm_up)  # start a worker and its imports while this session reads inputs
    return ex


@st.cache_data(max_entries=64, show_spinner=False)
def solve_cached(key: str, _req: sup.RunRequest) -> sup.Outcome:
    return pool().submit(sup.solve_request, _req).result()


@st.cache_data(max_entries=32, show_spinner=False)
def inputs_cached(key: str, _req: sup.RunRequest):
    return sup.prepare_request(_req)


@st.cache_data(max_entries=16, show_spinner=False)
def export_cached(kind: str, key: str, _obj) -> bytes:
    fn = {"xlsx": wbk.results_workbook, "zip": wbk.results_csv_zip, "scen": wbk.scenario_workbook}
    return fn[kind](_obj)


def set_req(req: sup.RunRequest, reset_widgets: bool = False) -> None:
    ss.req = req
    if reset_widgets:
        ss.gen += 1


def init_state(cases: list[str]) -> None:
    for k, v in {"gen": 0, "runs": {}, "shown": None, "failure": None, "editor_n": 0}.items():
        ss.setdefault(k, v)
    if "req" not in ss:
        req, ss.url_problems = sup.from_query(st.query_params.get_all, cases)
        ss.req = req or sup.RunRequest.make(sup.default_case(cases))
        ss.autosolve = True


def solve(req: sup.RunRequest) -> None:
    with st.spinner(f"Solving {req.describe()} (validate, build, HiGHS, extract)", show_time=True):
        out = solve_cached(req.key(), req)
    ss.failure = None if out.kind == "ok" else out
    if out.kind == "ok":
        label = f"run {len(ss.runs) + 1}: {req.describe()}"[:120]
        ss.runs[label] = {"req": req, "res": out.results}
        while len(ss.runs) > MAX_RUNS:
            ss.runs.pop(next(iter(ss.runs)))
        ss.shown = label


def sidebar_ui(cases: list[str], data) -> None:
    req, g = ss.req, ss.gen
    sb = st.sidebar
    cases = cases if req.case in cases else [*cases, req.case]
    case = sb.selectbox("Case", cases, index=cases.index(req.case), key=f"case{g}")
    if case != req.case:
        set_req(sup.RunRequest.make(case), True)
        st.rerun()
    names = ["(none)", *(data.case.scenarios if data is not None else ())]
    scen = sb.selectbox("Scenario", names, index=names.index(req.scenario or "(none)"),
                        key=f"scen{g}")  # fmt: skip
    scen = None if scen == "(none)" else scen
    if scen != req.scenario:
        set_req(dataclasses.replace(req, scenario=scen), True)
        st.rerun()
    cfg = sup.case_for(req).config if data is not None else None
    settings = dict(req.settings)
    if cfg is not None:
        opts = ["alliance", "investor"]
        settings["perspective"] = sb.radio(
            "Perspective", opts, index=opts.index(cfg.perspective), key=f"persp{g}",
            horizontal=True, help="alliance: resource cost; investor: counts subsidies",
        )  # fmt: skip
        settings["discount_rate"] = sb.number_input(
            "Discount rate (per yr)", 0.0, 0.5, float(cfg.discount_rate), 0.01, key=f"dr{g}"
        )
    ovs = list(req.override_dicts)
    with sb.expander("Levers", expanded=True):
        keys = sup.set_keys(data) if data is not None else {}
        for lv in sup.available_levers(data):
            cur = lv.value_from(ovs)
            if lv.key == "capital_budget":  # shown in million USD
                v = 1e6 * st.number_input(lv.label, lv.lo / 1e6, lv.hi / 1e6, cur / 1e6,
                                          lv.step / 1e6, key=f"lv_{lv.key}{g}", help=lv.help,
                                          format="%.0f")  # fmt: skip
            else:
                v = st.slider(lv.label, lv.lo, lv.hi, cur, lv.step, key=f"lv_{lv.key}{g}",
                              help=lv.help)  # fmt: skip
            if v != cur:
                ovs = sup.apply_lever(ovs, lv, v, keys)
    new = sup.RunRequest.make(req.case, req.scenario, settings, ovs)
    if new != req:
        set_req(new)
    if sb.button("Solve", type="primary", width="stretch", key="solve"):
        solve(ss.req)


def kpis_ui(res, prev) -> None:
    k, pk = res.summary["kpis"], (prev.summary["kpis"] if prev is not None else None)

    def delta(path):
        if pk is None:
            return None
        a, b = k, pk
        for p in path:
            a, b = a.get(p, {}), b.get(p, {})
        return (a - b) if isinstance(a, float | int) and isinstance(b, float | int) else None

    cols = st.columns(2 + len(k["recovered_t"]))
    d = delta(["total_cost_usd"])
    cols[0].metric("Total cost (USD m, PV)", f"{k['total_cost_usd'] / 1e6:,.2f}",
                   None if d is None else f"{d / 1e6:+,.2f}", delta_color="inverse")  # fmt: skip
    d = delta(["unmet_magnet_t"])
    cols[1].metric("Unmet magnet demand (t)", f"{k['unmet_magnet_t']:,.1f}",
                   None if d is None else f"{d:+,.1f}", delta_color="inverse")  # fmt: skip
    for c, (e, v) in zip(cols[2:], k["recovered_t"].items()):
        d = delta(["recovered_t", e])
        c.metric(f"Recovered {e} (t)", f"{v:,.1f}", None if d is None else f"{d:+,.1f}")
    left, right = st.columns(2)
    ssf = pd.DataFrame(k["self_sufficiency"]).T
    left.caption("Self-sufficiency (own recovery / demand) by nation and element")
    left.dataframe(ssf.style.format("{:.1%}"))
    share = pd.DataFrame(k["largest_supplier_share"]).T
    right.caption("Largest single supplier's share of the alliance's supply, per element")
    right.dataframe(share.style.format({"share": "{:.1%}"}))
    s = res.summary
    st.caption(f"Case {s['case']} / scenario {s['scenario'] or '-'} | {s['perspective']} | "
               f"inputs hash {s['inputs_hash']} | files hash {s['files_hash']} | recovery "
               f"{s['package_version']} | {s['solver']} {s['solver_version']} | solve "
               f"{sum(s['times_s'].values()):.2f} s | {s['objective_unit']}")  # fmt: skip


def views_ui(res, data) -> None:
    years = sorted(res.tables["capacity"]["year"].unique())
    homes = {}
    if data is not None and "supplier" in data.sets:
        homes = dict(zip(data.sets["supplier"]["supplier"], data.sets["supplier"]["home"]))
    tabs = st.tabs(["Map", "Flows", "Capacity", "Balances", "Costs", "Transfers", "Shadow prices"])
    with tabs[0]:
        y = st.select_slider("Year", years, value=years[-1], key="map_year")
        st.plotly_chart(plots.map_figure(res, int(y), homes), width="stretch")
    with tabs[1]:
        y = st.selectbox("Year", ["all", *years], index=len(years), key="sankey_year")
        st.plotly_chart(plots.sankey_figure(res, None if y == "all" else int(y)))
    with tabs[2]:
        st.plotly_chart(plots.capacity_figure(res))
    with tabs[3]:
        nations = ["all", *sorted(res.tables["magnet_balance"]["nation"].unique())]
        n = st.selectbox("Nation", nations, key="bal_nation")
        n = None if n == "all" else n
        st.plotly_chart(plots.balance_figure(res, "magnet", n))
        st.plotly_chart(plots.balance_figure(res, "element", n))
    with tabs[4]:
        st.plotly_chart(plots.costs_figure(res))
    with tabs[5]:
        if len(res.tables["transfers"]):
            st.plotly_chart(plots.transfers_figure(res))
        else:
            st.info("No subsidies or support are paid in this run.")
    with tabs[6]:
        st.dataframe(plots.shadow_price_frame(res), hide_index=True)


def inputs_ui(data, issues) -> None:
    if issues:
        st.error(f"{len(issues)} problem(s) in the inputs; fix them before solving.")
        st.dataframe(issues_frame(issues), hide_index=True)
    if data is None:
        return
    names = sorted(TABLES_BY_NAME)
    table = st.selectbox("Table", names, index=names.index("demand"), key="table")
    spec = TABLES_BY_NAME[table]
    st.caption(f"{spec.description} Unit: {spec.unit}. Edits become overrides.")
    df = data.table(table)
    df = df.assign(edited=df["_row"] < 0)[[*spec.columns, "edited"]].reset_index(drop=True)
    cc = {"value": st.column_config.NumberColumn(f"value ({spec.unit})", required=True)}
    for c in spec.index:
        opts = sup.editor_options(c, data, spec, df)
        if opts is not None:
            cc[c] = st.column_config.SelectboxColumn(c, options=opts)
    key = f"ed_{ss.gen}_{ss.editor_n}_{table}"
    fixed = ["unit", "low", "high", "source", "basis", "note", "edited"]
    st.data_editor(df, key=key, num_rows="add", hide_index=True, column_config=cc, disabled=fixed)
    ovs, bad = sup.edits_to_overrides(spec, df, ss.get(key) or {}, ss.req.override_dicts)
    if ovs != ss.req.override_dicts:
        set_req(dataclasses.replace(ss.req, overrides=tuple(next(iter(o.items())) for o in ovs)))
        ss.editor_n += 1
        st.rerun()
    if bad:
        st.warning("A new row needs every key column and a value before it is used.")
    st.caption("Overrides in effect (from levers, edits, links and uploads):")
    st.dataframe(pd.DataFrame(ss.req.overrides, columns=["op", "override"]), hide_index=True)
    if st.button("Clear all overrides", key="clear"):
        set_req(dataclasses.replace(ss.req, overrides=()), True)
        st.rerun()


def compare_ui() -> None:
    labels = list(ss.runs)
    if len(labels) < 2:
        st.info("Solve at least two runs to compare them.")
        return
    a = st.selectbox("Run A", labels, index=len(labels) - 2, key="cmp_a")
    b = st.selectbox("Run B", labels, index=len(labels) - 1, key="cmp_b")
    ra, rb = ss.runs[a], ss.runs[b]
    st.caption("Inputs that differ")
    st.dataframe(pd.DataFrame(sup.diff_requests(ra["req"], rb["req"])), hide_index=True)
    st.caption("KPIs (delta = B - A)")
    st.dataframe(plots.kpi_delta_frame(ra["res"], rb["res"]), key="cmp_kpis")
    st.plotly_chart(plots.compare_costs_figure(ra["res"], rb["res"]))
    left, right = st.columns(2)
    left.plotly_chart(plots.capacity_figure(ra["res"]), key="cap_a")
    right.plotly_chart(plots.capacity_figure(rb["res"]), key="cap_b")


def files_ui(res) -> None:
    req = ss.req
    c1, c2, c3 = st.columns(3)
    if res is not None:
        h = res.summary["inputs_hash"] + str(res.summary["perspective"])
        c1.download_button("Results (CSV zip)", lambda: export_cached("zip", h, res),
                           "results.zip", "application/zip", on_click="ignore")  # fmt: skip
        c2.download_button("Results (Excel)", lambda: export_cached("xlsx", h, res),
                           "results.xlsx", wbk.XLSX_MIME, on_click="ignore")  # fmt: skip
    c3.download_button("Scenario inputs (Excel, editable)",
                       lambda: export_cached("scen", req.key(), req), "scenario.xlsx",
                       wbk.XLSX_MIME, on_click="ignore")  # fmt: skip
    up = st.file_uploader("Upload an edited scenario workbook", type=["xlsx"], key="upload",
                          max_upload_size=5)  # fmt: skip
    if up is not None and ss.get("uploaded") != up.file_id:
        new, issues = wbk.read_scenario_workbook(up.getvalue())
        ss.uploaded = up.file_id
        if issues:
            st.error("The workbook was not loaded:")
            st.dataframe(issues_frame(issues), hide_index=True)
        else:
            set_req(new, True)
            st.success(f"Loaded {len(new.overrides)} override(s); press Solve.")
    name = st.text_input("Save the current inputs as", key="save_name")
    if st.button("Save scenario", key="save") and name:
        try:
            st.success(f"Saved to {sup.save_scenario(name, req).name}")
        except (OSError, ValueError) as exc:
            st.error(f"Could not save: {exc}")
    saved = sup.list_saved()
    pick = st.selectbox("Saved scenarios", saved, key="open_name") if saved else None
    if pick and st.button("Open scenario", key="open"):
        try:
            set_req(sup.load_scenario(pick), True)
            st.rerun()
        except (OSError, ValueError, KeyError, recovery.RecoveryError) as exc:
            st.error(f"Could not open {pick}: {exc}")


def main() -> None:
    st.set_page_config(page_title="Magnet recovery planner", layout="wide")
    cases = recovery.list_cases()
    if not cases:
        st.error("No cases found under models/.")
        return
    pool()
    init_state(cases)
    for p in ss.pop("url_problems", []):
        st.warning(p)
    data, issues = inputs_cached(ss.req.key(), ss.req)
    sidebar_ui(cases, data)
    if ss.pop("autosolve", False):
        solve(ss.req)
    st.title("Rare-earth magnet recovery planner")
    run = ss.runs.get(ss.shown)
    if ss.failure is not None:
        f = ss.failure
        st.error(
            f"No plan for these inputs: {f.message}" + (f" (status {f.status})" * bool(f.status))
        )
        if f.issues:
            st.dataframe(issues_frame(f.issues), hide_index=True)
    elif run is not None and run["req"] != ss.req:
        st.info("The inputs have changed since the run shown: press Solve.")
    query = sup.to_query(ss.req)
    if ss.get("last_query") != query:
        st.query_params.from_dict(query)
        ss.last_query = query
    t_res, t_in, t_cmp, t_files = st.tabs(["Results", "Inputs", "Compare", "Files"])
    with t_res:
        if run is not None:
            labels = list(ss.runs)
            prev = ss.runs[labels[labels.index(ss.shown) - 1]] if labels.index(ss.shown) else None
            st.caption(ss.shown)
            kpis_ui(run["res"], prev["res"] if prev else None)
            views_ui(run["res"], inputs_cached(run["req"].key(), run["req"])[0])
    with t_in:
        inputs_ui(data, issues)
    with t_cmp:
        compare_ui()
    with t_files:
        files_ui(run["res"] if run else None)


if __name__ == "__main__":  # spawn workers re-import this file as __mp_main__
    main()
