"""Figures of one solved plan: pure functions ``Results -> plotly Figure`` (no Streamlit, no I/O
beyond reading the packaged country outlines once).

Every figure is built from the result tables only, so a test can recompute what it shows.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

import pandas as pd
import plotly.graph_objects as go

from recovery.results import Results

OUTLINES = "ne_110m_countries.geojson"
ATTRIBUTION = "Country outlines: Natural Earth (public domain), 1:110m, simplified."
#: Map longitudes west of this are shifted by 360 so the map is centred on the Pacific.
_SHIFT_BELOW = -25.0
#: Places with no outline in the file (supplier home 'ZZ' = rest of the world).
_EXTRA_PLACES = {"ZZ": (55.0, -35.0)}
COLORS = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf".split()


def _ring(ring: list) -> list[tuple[float, float]]:
    """A ring shifted as a whole (by its mean longitude), so no ring is torn across the map."""
    shift = 360.0 if sum(x for x, _ in ring) / len(ring) < _SHIFT_BELOW else 0.0
    return [(x + shift, y) for x, y in ring]


@lru_cache(maxsize=1)
def outlines() -> dict:
    """The packaged country outlines (GeoJSON FeatureCollection)."""
    text = resources.files("recovery").joinpath("geodata", OUTLINES).read_text(encoding="utf-8")
    return json.loads(text)


def _ring_area_centroid(ring: list) -> tuple[float, float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    if abs(a) < 1e-12:
        xs, ys = zip(*ring)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(a / 2), cx / (3 * a), cy / (3 * a)


@lru_cache(maxsize=1)
def places() -> dict[str, tuple[float, float]]:
    """ISO alpha-2 code -> (shifted lon, lat) of the centroid of the country's largest ring."""
    out = dict(_EXTRA_PLACES)
    for f in outlines()["features"]:
        code = f["properties"].get("iso_a2")
        if not code:
            continue
        rings = [_ring(poly[0]) for poly in f["geometry"]["coordinates"]]
        best = max((_ring_area_centroid(r) for r in rings), key=lambda t: t[0])
        out[code] = (best[1], best[2])
    return out


def _year_filter(df: pd.DataFrame, year: int | None) -> pd.DataFrame:
    return df if year is None or "year" not in df.columns else df[df["year"] == year]


def _arc(a: tuple[float, float], b: tuple[float, float], n: int = 24, bend: float = 0.2):
    (x0, y0), (x1, y1) = a, b
    mx, my = (x0 + x1) / 2 - (y1 - y0) * bend, (y0 + y1) / 2 + (x1 - x0) * bend
    ts = [i / n for i in range(n + 1)]
    xs = [(1 - t) ** 2 * x0 + 2 * (1 - t) * t * mx + t**2 * x1 for t in ts]
    ys = [(1 - t) ** 2 * y0 + 2 * (1 - t) * t * my + t**2 * y1 for t in ts]
    return xs, ys


def trade_arcs(
    results: Results, year: int | None = None, homes: dict | None = None, min_t: float = 1e-6
) -> pd.DataFrame:
    """Trade between places: flows between nations and imports (origin, destination, kind, t).

    ``homes`` maps a supplier to its home nation code (``supplier.csv``); unknown suppliers are
    placed at their own name."""
    f = _year_filter(results.tables["flows"], year)
    f = f.groupby(["origin", "destination", "form"], as_index=False)["flow_t"].sum()
    f = f.rename(columns={"flow_t": "t"}).assign(kind="trade " + f["form"])
    imp = _year_filter(results.tables["imports"], year)
    homes = homes or {}
    imp = imp.assign(origin=imp["supplier"].map(lambda s: homes.get(s, s)))
    imp = imp.groupby(["supplier", "origin", "nation", "form"], as_index=False)["import_t"].sum()
    imp = imp.rename(columns={"nation": "destination", "import_t": "t"})
    imp = imp.assign(kind="import " + imp["form"] + " from " + imp["supplier"])
    cols = ["origin", "destination", "kind", "t"]
    out = pd.concat([f[cols], imp[cols]], ignore_index=True)
    return out[(out["t"] > min_t) & (out["origin"] != out["destination"])].reset_index(drop=True)


def map_figure(results: Results, year: int | None = None, homes: dict | None = None) -> go.Figure:
    """Nations on an offline outline map: capacity by route (markers) and trade arcs."""
    fig = go.Figure()
    pl = places()
    xs: list = []
    ys: list = []
    for feat in outlines()["features"]:
        for poly in feat["geometry"]["coordinates"]:
            for ring in map(_ring, poly):
                xs += [x for x, _ in ring] + [None]
                ys += [y for _, y in ring] + [None]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"color": "#9aa4ad", "width": 0.6},
            fill="toself",
            fillcolor="#eef1f4",
            hoverinfo="skip",
            name="outlines",
            showlegend=False,
        )
    )
    cap = results.tables["capacity"]
    yr = year if year is not None else int(cap["year"].max()) if len(cap) else None
    cap = _year_filter(cap, yr)
    cap = cap.groupby(["nation", "process"], as_index=False)["capacity_t"].sum()
    cap = cap[cap["capacity_t"] > 1e-6]
    procs = sorted(cap["process"].unique())
    scale = max(cap["capacity_t"].max() if len(cap) else 1.0, 1e-9)
    for i, proc in enumerate(procs):
        sub = cap[cap["process"] == proc]
        ang = 6.283 * i / max(len(procs), 1)
        lon = [pl.get(n, (0, 0))[0] + 3.0 * math.cos(ang) for n in sub["nation"]]
        lat = [pl.get(n, (0, 0))[1] + 3.0 * math.sin(ang) for n in sub["nation"]]
        fig.add_trace(
            go.Scatter(
                x=lon,
                y=lat,
                mode="markers",
                name=f"capacity: {proc}",
                marker={
                    "size": [8 + 30 * (v / scale) ** 0.5 for v in sub["capacity_t"]],
                    "color": COLORS[i % len(COLORS)],
                    "opacity": 0.8,
                },
                customdata=list(zip(sub["nation"], sub["capacity_t"])),
                hovertemplate="%{customdata[0]} "
                + proc
                + ": %{customdata[1]:,.1f} t/yr<extra></extra>",
            )
        )
    arcs = trade_arcs(results, yr, homes)
    amax = max(arcs["t"].max() if len(arcs) else 1.0, 1e-9)
    for _, a in arcs.iterrows():
        if a["origin"] not in pl or a["destination"] not in pl:
            continue
        ax, ay = _arc(pl[a["origin"]], pl[a["destination"]])
        imp = a["kind"].startswith("import")
        fig.add_trace(
            go.Scatter(
                x=ax,
                y=ay,
                mode="lines",
                showlegend=False,
                line={"width": 1 + 7 * a["t"] / amax, "color": "#d62728" if imp else "#2ca02c"},
                opacity=0.6,
                name=f"{a['origin']}→{a['destination']}",
                hovertemplate=f"{a['origin']}→{a['destination']} {a['kind']}: {a['t']:,.1f} t"
                "<extra></extra>",
            )
        )
    nations = sorted(set(results.tables["magnet_balance"]["nation"]))
    fig.add_trace(
        go.Scatter(
            x=[pl[n][0] for n in nations if n in pl],
            y=[pl[n][1] for n in nations if n in pl],
            mode="text",
            text=[n for n in nations if n in pl],
            textfont={"size": 14},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.update_xaxes(range=[40, 310], visible=False)
    fig.update_yaxes(range=[-50, 75], visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(
        title=f"Capacity by process and trade, {yr} (red: imports, green: trade between nations)",
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        plot_bgcolor="#dbe9f6",
        height=480,
        annotations=[
            {
                "text": ATTRIBUTION,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "showarrow": False,
                "font": {"size": 9},
            }
        ],
    )
    return fig


def sankey_links(results: Results, year: int | None = None) -> pd.DataFrame:
    """Links (source, target, value_t, stage) from products to collection, pre-processing,
    routes and route outputs. Trade in between is allocated in proportion to what arrives."""
    t = {k: _year_filter(v, year) for k, v in results.tables.items()}
    links = []
    col = t["collection"].groupby(["product", "nation"], as_index=False)["collected_t"].sum()
    for r in col.itertuples():
        links.append((f"{r.product}", f"collected {r.nation}", r.collected_t, "collect"))
    # collected in n -> pre-processing q in m (e-waste trade allocated by product)
    pre = (
        t["preprocessing"]
        .groupby(["nation", "product", "preprocess", "form"], as_index=False)[
            ["input_t", "concentrate_t"]
        ]
        .sum()
    )
    fl = (
        t["flows"]
        .groupby(["form", "origin", "destination", "product"], as_index=False)["flow_t"]
        .sum()
    )
    for (m, p), g in pre.groupby(["nation", "product"]):
        total = g["input_t"].sum()
        if total <= 0:
            continue
        rec = fl[(fl["form"] == "ewaste") & (fl["destination"] == m) & (fl["product"] == p)]
        sources = {o: v for o, v in zip(rec["origin"], rec["flow_t"]) if o != m}
        sources[m] = max(total - sum(sources.values()), 0.0)
        for q in g.itertuples():
            for n, v in sources.items():
                links.append(
                    (f"collected {n}", f"{q.preprocess} {m}", v * q.input_t / total, "pre")
                )
    # pre-processing q in m -> route r in k (concentrate trade allocated), or scrap sales
    feed = (
        t["route_feed"]
        .groupby(["nation", "route", "product", "form"], as_index=False)["feed_t"]
        .sum()
    )
    sales = t["sales"]
    for (m, p, f), g in pre.groupby(["nation", "product", "form"]):
        made = g["concentrate_t"].sum()
        if made <= 0:
            continue
        sent = fl[(fl["form"] == f) & (fl["origin"] == m) & (fl["product"] == p)]
        sent = sent[sent["destination"] != m]
        sold = sales[(sales["nation"] == m) & (sales["form"] == f) & (sales["product"] == p)]
        dest = dict(zip(sent["destination"], sent["flow_t"]))
        dest[m] = max(made - sum(dest.values()) - sold["sold_t"].sum(), 0.0)
        for q in g.itertuples():
            share = q.concentrate_t / made
            if sold["sold_t"].sum() > 0:
                links.append(
                    (
                        f"{q.preprocess} {m}",
                        f"scrap sold {m}",
                        share * sold["sold_t"].sum(),
                        "route",
                    )
                )
            for k, v in dest.items():
                fk = feed[(feed["nation"] == k) & (feed["product"] == p) & (feed["form"] == f)]
                arrived = fk["feed_t"].sum()
                for r in fk.itertuples():
                    if arrived > 0:
                        links.append(
                            (
                                f"{q.preprocess} {m}",
                                f"{r.route} {k}",
                                share * v * r.feed_t / arrived,
                                "route",
                            )
                        )
    out = t["route_output"].groupby(["nation", "route", "form"], as_index=False)["output_t"].sum()
    for r in out.itertuples():
        links.append((f"{r.route} {r.nation}", f"{r.form} in {r.nation}", r.output_t, "output"))
    df = pd.DataFrame(links, columns=["source", "target", "value_t", "stage"])
    return df[df["value_t"] > 1e-9].reset_index(drop=True)


def sankey_figure(results: Results, year: int | None = None) -> go.Figure:
    """Sankey: e-waste products -> collected per nation -> pre-processing -> routes -> outputs."""
    links = sankey_links(results, year)
    nodes = list(dict.fromkeys([*links["source"], *links["target"]]))
    idx = {n: i for i, n in enumerate(nodes)}
    fig = go.Figure(
        go.Sankey(
            node={"label": nodes, "pad": 12, "thickness": 14},
            link={
                "source": [idx[s] for s in links["source"]],
                "target": [idx[s] for s in links["target"]],
                "value": list(links["value_t"]),
                "label": list(links["stage"]),
            },
            valueformat=",.1f",
            valuesuffix=" t",
        )
    )
    when = "all years" if year is None else str(year)
    fig.update_layout(
        title=f"Material flow, {when} (t magnet mass; oxide outputs in t element)", height=520
    )
    return fig


def capacity_figure(results: Results) -> go.Figure:
    """Capacity in service by nation and process over the years (stacked bars, one per nation)."""
    cap = (
        results.tables["capacity"]
        .groupby(["nation", "process", "year"], as_index=False)["capacity_t"]
        .sum()
    )
    nations = list(dict.fromkeys(cap["nation"]))
    fig = go.Figure()
    procs = sorted(cap["process"].unique())
    for i, proc in enumerate(procs):
        sub = cap[cap["process"] == proc]
        fig.add_trace(
            go.Bar(
                x=[sub["nation"], sub["year"]],
                y=sub["capacity_t"],
                name=proc,
                marker_color=COLORS[i % len(COLORS)],
            )
        )
    fig.update_layout(
        barmode="stack",
        title="Capacity in service (t/yr) by nation and year",
        yaxis_title="t/yr",
        height=420,
        xaxis={"categoryorder": "array", "categoryarray": nations},
    )
    return fig


def balance_figure(results: Results, kind: str = "magnet", nation: str | None = None) -> go.Figure:
    """Magnet (t magnet) or element (t element) balance per year: sources stacked, demand line."""
    bal = results.tables[f"{kind}_balance"]
    if nation:
        bal = bal[bal["nation"] == nation]
    own = ["made_t", "reused_t"] if kind == "magnet" else ["recovered_t"]
    by = bal.groupby("year").sum(numeric_only=True)
    imp = results.tables["imports"]
    imp = imp[imp["form"] == ("magnet" if kind == "magnet" else "oxide")]
    if nation:
        imp = imp[imp["nation"] == nation]
    imp = imp.groupby(["year", "supplier"], as_index=False)["import_t"].sum()
    fig = go.Figure()
    for c in own + ["received_t"]:
        fig.add_trace(go.Bar(x=by.index, y=by[c], name=c.removesuffix("_t").replace("_", " ")))
    for s, g in imp.groupby("supplier"):
        fig.add_trace(go.Bar(x=g["year"], y=g["import_t"], name=f"imported from {s}"))
    fig.add_trace(go.Bar(x=by.index, y=by["unmet_t"], name="unmet", marker_color="#d62728"))
    fig.add_trace(go.Bar(x=by.index, y=-by["sent_t"], name="sent to partners"))
    fig.add_trace(
        go.Scatter(
            x=by.index,
            y=by["demand_t"],
            name="demand",
            mode="lines+markers",
            line={"color": "black"},
        )
    )
    unit = "t magnet" if kind == "magnet" else "t element"
    fig.update_layout(
        barmode="relative",
        height=420,
        yaxis_title=unit,
        title=f"{kind.title()} balance ({nation or 'all nations'}, {unit})",
    )
    return fig


def costs_figure(results: Results) -> go.Figure:
    """Discounted cost by component and nation (stacked bars)."""
    c = (
        results.tables["costs"]
        .groupby(["nation", "component"], as_index=False)["discounted_usd"]
        .sum()
    )
    fig = go.Figure()
    for i, (comp, g) in enumerate(c.groupby("component")):
        if g["discounted_usd"].abs().sum() == 0:
            continue
        fig.add_trace(
            go.Bar(
                x=g["nation"],
                y=g["discounted_usd"],
                name=comp,
                marker_color=COLORS[i % len(COLORS)],
            )
        )
    fig.update_layout(
        barmode="relative",
        title="Cost by component and nation (present value, USD)",
        yaxis_title="USD",
        height=420,
    )
    return fig


def transfers_figure(results: Results) -> go.Figure:
    """Subsidies and support paid per nation and year, by kind."""
    tr = results.tables["transfers"]
    fig = go.Figure()
    for kind, g in tr.groupby("kind"):
        g = g.groupby(["nation", "year"], as_index=False)["paid_usd"].sum()
        fig.add_trace(go.Bar(x=[g["nation"], g["year"]], y=g["paid_usd"], name=kind))
    fig.update_layout(
        barmode="stack",
        title="Transfers paid by public budgets (USD)",
        height=380,
        yaxis_title="USD",
    )
    return fig


def shadow_price_frame(results: Results, top: int = 50) -> pd.DataFrame:
    """Non-zero shadow prices, largest first, with their plain-language meaning."""
    sp = results.tables["shadow_prices"]
    sp = sp[sp["value"].abs() > 1e-9]
    sp = sp.reindex(sp["value"].abs().sort_values(ascending=False).index).head(top)
    return sp[["constraint", "year", "value", "unit", "meaning"]].reset_index(drop=True)


def kpi_delta_frame(a: Results, b: Results) -> pd.DataFrame:
    """Headline KPIs of two runs side by side with the difference (b - a)."""
    rows = []
    for res, col in ((a, "a"), (b, "b")):
        k = res.summary["kpis"]
        vals = {
            "total cost (USD)": k["total_cost_usd"],
            "unmet magnet demand (t)": k["unmet_magnet_t"],
        }
        for e, v in k["recovered_t"].items():
            vals[f"recovered {e} (t)"] = v
        for e, d in k["largest_supplier_share"].items():
            vals[f"largest supplier share {e}"] = d["share"]
        for comp, v in k["cost_by_component_usd"].items():
            vals[f"cost: {comp} (USD)"] = v
        rows.append(pd.Series(vals, name=col))
    df = pd.concat(rows, axis=1).fillna(0.0)
    df["delta"] = df["b"] - df["a"]
    return df


def compare_costs_figure(a: Results, b: Results, names=("A", "B")) -> go.Figure:
    """Cost by component of two runs side by side."""
    fig = go.Figure()
    for res, name in zip((a, b), names):
        comp = res.summary["kpis"]["cost_by_component_usd"]
        fig.add_trace(go.Bar(x=list(comp), y=list(comp.values()), name=name))
    fig.update_layout(barmode="group", title="Cost by component (USD, present value)", height=380)
    return fig
