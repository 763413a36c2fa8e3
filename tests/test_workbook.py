"""Exports: results workbook/zip, scenario workbook round trip, safe re-import."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pandas as pd
import pytest

import recovery
from recovery import appsupport as sup
from recovery import workbook as wbk
from recovery.results import Results


@pytest.fixture(scope="module")
def res():
    return recovery.run_case("toy")


def _edit(blob: bytes, sheet: str, row: int, col: str, value) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index(col) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_results_workbook_has_every_table(res):
    book = pd.read_excel(io.BytesIO(wbk.results_workbook(res)), sheet_name=None)
    assert set(res.tables) <= set(book)
    assert book["capacity"]["capacity_t"].sum() == pytest.approx(
        res.tables["capacity"]["capacity_t"].sum()
    )
    summ = dict(zip(book["summary"]["item"], book["summary"]["value"]))
    assert float(summ["objective"]) == pytest.approx(52_978_000.0)
    assert summ["inputs_hash"] == res.summary["inputs_hash"]


def test_csv_zip(res):
    with zipfile.ZipFile(io.BytesIO(wbk.results_csv_zip(res))) as zf:
        flows = pd.read_csv(zf.open("flows.csv"))
        summary = json.loads(zf.read("summary.json"))
    assert len(flows) == len(res.tables["flows"])
    assert summary["objective"] == pytest.approx(res.objective)


def test_formula_like_text_is_neutralised(res):
    evil = Results(
        summary={**res.summary, "case": '=HYPERLINK("http://x")'},
        tables={
            "t": pd.DataFrame({"note": ["=1+1", "+cmd", "-2", "@SUM(A1)", "ok"], "v": [-1] * 5})
        },
    )
    book = pd.read_excel(io.BytesIO(wbk.results_workbook(evil)), sheet_name=None)
    assert list(book["t"]["note"]) == ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "ok"]
    assert list(book["t"]["v"]) == [-1] * 5  # numbers stay numbers
    with zipfile.ZipFile(io.BytesIO(wbk.results_csv_zip(evil))) as zf:
        assert pd.read_csv(zf.open("t.csv"))["note"][0] == "'=1+1"
    ws = openpyxl.load_workbook(io.BytesIO(wbk.results_workbook(evil)))["summary"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_scenario_round_trip_same_inputs_same_answer():
    req = sup.RunRequest.make(
        "toy", None, {"discount_rate": 0.05},
        [{"scale": "demand[]=1.2"}, {"set": "import_price[supplier=CN,element=Nd]=150000.0"}],
    )  # fmt: skip
    a = sup.solve_request(req).results
    back, issues = wbk.read_scenario_workbook(wbk.scenario_workbook(req))
    assert issues == []
    assert back == req
    b = sup.solve_request(back).results
    assert b.summary["inputs_hash"] == a.summary["inputs_hash"]
    assert b.objective == a.objective


def test_offline_edit_becomes_override_with_the_right_answer():
    req = sup.RunRequest.make("toy")
    blob = wbk.scenario_workbook(req)
    sheet = pd.read_excel(io.BytesIO(blob), sheet_name="demand", dtype={"year": str})
    i = sheet.index[(sheet.nation == "US") & (sheet.year == "2030")][0]
    blob = _edit(blob, "demand", int(i) + 2, "value", 250)
    back, issues = wbk.read_scenario_workbook(blob)
    assert issues == []
    assert back.override_dicts == [{"set": "demand[nation=US,grade=standard,year=2030]=250.0"}]
    got = sup.solve_request(back).results
    want = recovery.run_case("toy", overrides=back.override_dicts)
    assert got.objective == pytest.approx(want.objective)
    assert got.summary["kpis"]["magnet_demand_t"] == pytest.approx(1050.0)


def test_bad_values_are_reported_not_raised():
    blob = wbk.scenario_workbook(sup.RunRequest.make("toy"))
    bad = _edit(blob, "demand", 2, "value", "lots")
    req, issues = wbk.read_scenario_workbook(bad)
    assert req is None and issues[0].rule == "number" and issues[0].row == 2
    neg = _edit(blob, "demand", 2, "value", -5)
    req, issues = wbk.read_scenario_workbook(neg)
    assert req is None and any("demand" in str(i) for i in issues)


def test_not_a_workbook_and_too_big():
    req, issues = wbk.read_scenario_workbook(b"PK\x03\x04 not really")
    assert req is None and issues[0].rule == "xlsx"
    req, issues = wbk.read_scenario_workbook(b"x" * (wbk.MAX_UPLOAD_BYTES + 1))
    assert req is None and issues[0].rule == "file-size"


def test_zip_bomb_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (wbk.MAX_UNZIPPED_BYTES + 10))
    assert len(buf.getvalue()) < wbk.MAX_UPLOAD_BYTES
    req, issues = wbk.read_scenario_workbook(buf.getvalue())
    assert req is None and issues[0].rule == "file-size"
