"""Figures are checked on their plotly objects against the result tables they draw."""

from __future__ import annotations

import pytest

import recovery
from recovery import plots

HOMES = {"CN": "CN"}


@pytest.fixture(scope="module")
def res():
    return recovery.run_case("toy")


@pytest.fixture(scope="module")
def quad():
    """The default case: it must be present and solve (a failure here is a real failure)."""
    assert "quad_baseline" in recovery.list_cases()
    return recovery.run_case("quad_baseline")


def test_sankey_first_layer_equals_collected_tonnes(res):
    fig = plots.sankey_figure(res)
    sk = fig.data[0]
    labels = list(sk.node.label)
    products = set(res.tables["collection"]["product"])
    first = [v for s, v in zip(sk.link.source, sk.link.value) if labels[s] in products]
    assert sum(first) == pytest.approx(res.tables["collection"]["collected_t"].sum())
    assert sum(first) == pytest.approx(560.0)  # toy: 80+120 hdd in US, 160+200 motor in JP


def test_sankey_stages_balance_with_processing_tables(res):
    links = plots.sankey_links(res)
    by = links.groupby("stage")["value_t"].sum()
    assert by["pre"] == pytest.approx(res.tables["preprocessing"]["input_t"].sum())
    assert by["route"] == pytest.approx(res.tables["route_feed"]["feed_t"].sum())
    assert by["output"] == pytest.approx(res.tables["route_output"]["output_t"].sum())


def test_sankey_year_filter(res):
    links = plots.sankey_links(res, 2031)
    col = res.tables["collection"]
    assert links[links.stage == "collect"]["value_t"].sum() == pytest.approx(
        col[col.year == 2031]["collected_t"].sum()
    )


def test_sankey_quad_balances_with_trade(quad):
    links = plots.sankey_links(quad, 2040)
    t = {k: v[v["year"] == 2040] for k, v in quad.tables.items() if "year" in v}
    by = links.groupby("stage")["value_t"].sum()
    assert by["collect"] == pytest.approx(t["collection"]["collected_t"].sum(), rel=1e-9)
    assert by["pre"] == pytest.approx(t["preprocessing"]["input_t"].sum(), rel=1e-6)
    sold = t["sales"][t["sales"]["form"].isin(["intact", "fines"])]["sold_t"].sum()
    assert by["route"] == pytest.approx(t["route_feed"]["feed_t"].sum() + sold, rel=1e-6)


def test_capacity_figure_values(res):
    fig = plots.capacity_figure(res)
    total = sum(sum(tr.y) for tr in fig.data)
    assert total == pytest.approx(res.tables["capacity"]["capacity_t"].sum())
    names = {tr.name for tr in fig.data}
    assert names == set(res.tables["capacity"]["process"])


def test_costs_figure_sums_to_objective(res):
    fig = plots.costs_figure(res)
    total = sum(sum(tr.y) for tr in fig.data)
    assert total == pytest.approx(res.objective, rel=1e-9)


def test_magnet_balance_figure(res):
    fig = plots.balance_figure(res, "magnet", "US")
    by = {tr.name: list(tr.y) for tr in fig.data}
    assert by["demand"] == [200.0, 200.0]
    assert by["imported from CN"] == pytest.approx([128.0, 92.0])
    assert by["made"] == pytest.approx([72.0, 108.0])


def test_map_has_outlines_markers_and_arcs(res):
    fig = plots.map_figure(res, 2031, HOMES)
    assert fig.data[0].name == "outlines" and len(fig.data[0].x) > 5000
    caps = {tr.name: sum(tr.customdata[i][1] for i in range(len(tr.x))) for tr in fig.data
            if str(tr.name).startswith("capacity:")}  # fmt: skip
    cap = res.tables["capacity"]
    want = cap[cap.year == 2031].groupby("process")["capacity_t"].sum()
    assert caps == pytest.approx({f"capacity: {k}": v for k, v in want.items() if v > 0})
    arcs = plots.trade_arcs(res, 2031, HOMES)
    imp = res.tables["imports"]
    assert arcs["t"].sum() == pytest.approx(imp[imp.year == 2031]["import_t"].sum())
    assert set(arcs["origin"]) == {"CN"}
    assert "Natural Earth" in fig.layout.annotations[0].text


def test_places_are_where_the_nations_are():
    pl = plots.places()
    assert 70 < pl["IN"][0] < 90 and 10 < pl["IN"][1] < 30
    assert 235 < pl["US"][0] < 290 and 30 < pl["US"][1] < 48  # shifted east of the Pacific
    assert 115 < pl["AU"][0] < 150 and -35 < pl["AU"][1] < -18


def test_shadow_prices_and_kpi_deltas(res):
    sp = plots.shadow_price_frame(res)
    assert (sp["value"].abs() > 0).all() and sp["meaning"].str.len().min() > 10
    other = recovery.run_case("toy", overrides=[{"scale": "demand[]=1.1"}])
    d = plots.kpi_delta_frame(res, other)
    assert d.loc["total cost (USD)", "delta"] == pytest.approx(other.objective - res.objective)
    assert d.loc["total cost (USD)", "a"] == pytest.approx(52_978_000.0)
