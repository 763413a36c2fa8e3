"""Solved model -> tidy result tables, a summary with KPIs and provenance, and atomic export.

Column names equal the set names (``nation``, ``product``, ``element``, ``grade``, ``year``, ...);
quantities carry their unit in the name (``_t`` tonnes per year, ``_usd`` real USD).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.expression import ExpressionData
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import NumericExpression

from recovery.data import ModelData
from recovery.model.capacity import throughput
from recovery.model.objective import COMPONENTS
from recovery.schema import FORM_BASIS, MAGNET_MAKING
from recovery.solve import SolveInfo

TABLE_FILES = (
    "element_balance",
    "magnet_balance",
    "flows",
    "capacity",
    "costs",
    "imports",
    "collection",
    "arisings",
    "preprocessing",
    "route_feed",
    "route_output",
    "sales",
    "transfers",
    "stocks",
    "shadow_prices",
)


@dataclass
class Results:
    """Tidy result tables (pandas) plus ``summary`` (KPIs and provenance). Picklable."""

    summary: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @property
    def objective(self) -> float:
        return self.summary["objective"]

    def to_dir(self, path: str | Path) -> Path:
        """Write every table as CSV plus ``summary.json``; the folder is swapped in whole."""
        path = Path(path).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            for name, df in self.tables.items():
                df.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "summary.json").write_text(json.dumps(self.summary, indent=2, default=str))
            swap_in(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return path


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file via a temporary sibling and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return rc == 0


def swap_in(tmp: Path, path: Path) -> None:
    """Replace folder ``path`` by the fully written folder ``tmp``.

    Where the OS allows it the two folders are exchanged in one atomic step, so ``path`` always
    holds either the complete old results or the complete new ones, even if the process is
    killed; elsewhere the old folder is moved aside first and removed only after the new one is
    in place.
    """
    if path.exists() and _exchange(tmp, path):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old results
        return
    old = None
    if path.exists():
        old = path.with_name(f".{path.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.replace(path, old)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class _NoValue(Exception):
    pass


def _eval(x):
    """``pyo.value(x)`` for a solved model, without Pyomo's generic visitor (same arithmetic:
    each node's own ``_apply_operation`` on its arguments' values, in the same order)."""
    cls = x.__class__
    if cls is VarData:
        v = x._value
        if v is None:
            raise _NoValue
        return v
    if cls in native_numeric_types:
        return x
    if cls is ExpressionData:
        return _eval(x.expr)
    if isinstance(x, NumericExpression):
        return x._apply_operation([_eval(a) for a in x.args])
    v = pyo.value(x, exception=False)
    if v is None:
        raise _NoValue
    return v


def _v(x) -> float:
    try:
        return float(_eval(x))
    except _NoValue:
        return 0.0


def extract_results(m: pyo.ConcreteModel, info: SolveInfo, meta: dict | None = None) -> Results:
    """Read every result table from a solved model; ``meta`` is merged into the summary."""
    d: ModelData = m.data
    t: dict[str, pd.DataFrame] = {}
    t["flows"] = _flows(m, d)
    t["imports"] = _imports(m, d)
    t["sales"] = _sales(m, d)
    t["collection"] = _collection(m, d)
    t["arisings"] = _arisings(t["collection"], d)
    t["preprocessing"] = _preprocessing(m, d)
    t["route_feed"] = pd.DataFrame(
        [(n, r, p, f, y, _v(m.v_feed[n, r, p, f, y])) for (n, r, p, f, y) in m.FEED],
        columns=["nation", "route", "product", "form", "year", "feed_t"],
    )
    t["route_output"] = _route_output(m, d)
    t["capacity"] = _capacity(m, d)
    t["costs"] = _costs(m, d)
    t["magnet_balance"] = _magnet_balance(m, d)
    t["element_balance"] = _element_balance(m, d)
    t["transfers"] = _transfers(m, d)
    t["stocks"] = pd.DataFrame(
        [
            {
                "nation": n,
                "form": f,
                **_split_item(f, i),
                "year": y,
                "stock_t": _v(m.v_stock[n, f, i, y]),
            }
            for (n, f, i, y) in m.STOCK
        ],
        columns=["nation", "form", "product", "element", "grade", "year", "stock_t"],
    ).drop(columns="product")
    _add_stock_change(t, m)
    t["shadow_prices"] = _shadow_prices(m, d, info)
    summary = {
        "status": "optimal" if info.optimal else info.status,
        "objective": info.objective,
        "objective_unit": f"USD (real {d.config.currency_year}, present value in {d.years[0]})",
        "perspective": d.config.perspective,
        "solver": info.solver,
        "solver_version": info.solver_version,
        "times_s": {k: round(v, 4) for k, v in info.times.items()},
        "horizon": [d.years[0], d.years[-1]],
        "discount_rate": d.config.discount_rate,
        "currency_year": d.config.currency_year,
    }
    summary.update(meta or {})
    summary["kpis"] = kpis(t, d, info)
    return Results(summary=summary, tables=t)


def _split_item(f: str, i: str) -> dict:
    basis = FORM_BASIS[f]
    return {
        "product": i if basis == "product" else "",
        "element": i if basis == "element" else "",
        "grade": i if basis == "grade" else "",
    }


def _flows(m, d: ModelData) -> pd.DataFrame:
    rows = []
    for f, o, dd, i, y in m.SHIPS:
        q = _v(m.v_ship[f, o, dd, i, y])
        per_t = d.p["freight"][f, o, dd] * (d.p["ewaste_mass"].get(i, 1.0) if f == "ewaste" else 1)
        rows.append(
            {
                "form": f,
                "origin": o,
                "destination": dd,
                **_split_item(f, i),
                "year": y,
                "flow_t": q,
                "freight_usd": q * per_t,
            }
        )
    cols = [
        "form",
        "origin",
        "destination",
        "product",
        "element",
        "grade",
        "year",
        "flow_t",
        "freight_usd",
    ]
    return pd.DataFrame(rows, columns=cols)


def _imports(m, d: ModelData) -> pd.DataFrame:
    rows = []
    for s, n, f, i, y in m.IMPORTS:
        q = _v(m.v_import[s, n, f, i, y])
        price = d.purchase_price(s, f, i)
        rows.append(
            {
                "supplier": s,
                "nation": n,
                "form": f,
                **_split_item(f, i),
                "year": y,
                "import_t": q,
                "cost_usd": q * price,
            }
        )
    cols = [
        "supplier",
        "nation",
        "form",
        "product",
        "element",
        "grade",
        "year",
        "import_t",
        "cost_usd",
    ]
    return pd.DataFrame(rows, columns=cols).drop(columns="product")


def _sales(m, d: ModelData) -> pd.DataFrame:
    rows = []
    for n, f, i, y in m.SALES:
        q = _v(m.v_sell[n, f, i, y])
        rows.append(
            {
                "nation": n,
                "form": f,
                **_split_item(f, i),
                "year": y,
                "sold_t": q,
                "revenue_usd": q * d.sale_price(f, i),
            }
        )
    cols = ["nation", "form", "product", "element", "grade", "year", "sold_t", "revenue_usd"]
    return pd.DataFrame(rows, columns=cols)


def _collection(m, d: ModelData) -> pd.DataFrame:
    rows = []
    for n, p, k, y in m.COLLECT:
        q = _v(m.v_collect[n, p, k, y])
        rows.append(
            (
                n,
                p,
                k,
                y,
                q,
                d.p["arisings"][n, p, y],
                d.p["collection_share"][n, p, k] * d.p["arisings"][n, p, y],
                q * d.p["collection_cost"][n, p, k],
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "nation",
            "product",
            "tier",
            "year",
            "collected_t",
            "arisings_t",
            "tier_limit_t",
            "cost_usd",
        ],
    )


def _arisings(collection: pd.DataFrame, d: ModelData) -> pd.DataFrame:
    """Magnet mass arising in end-of-life products (as used: derived or given) and collected."""
    got = collection.groupby(["nation", "product", "year"])["collected_t"].sum().to_dict()
    rows = [
        (n, p, y, a, got.get((n, p, y), 0.0), got.get((n, p, y), 0.0) / a if a > 0 else 0.0)
        for (n, p, y), a in sorted(d.p["arisings"].items())
    ]
    cols = ["nation", "product", "year", "arisings_t", "collected_t", "collected_share"]
    return pd.DataFrame(rows, columns=cols)


def _preprocessing(m, d: ModelData) -> pd.DataFrame:
    rows = []
    for n, p, q, y in m.PREPROCESS:
        x = _v(m.v_preprocess[n, p, q, y])
        rows.append((n, p, q, d.preprocess_output[q], y, x, x * d.p["preprocess_yield"][p, q]))
    return pd.DataFrame(
        rows,
        columns=["nation", "product", "preprocess", "form", "year", "input_t", "concentrate_t"],
    )


def _route_output(m, d: ModelData) -> pd.DataFrame:
    rows = []
    for n, r, f, i, y in m.ROUTE_OUTPUT:
        rows.append(
            {
                "nation": n,
                "route": r,
                "form": f,
                **_split_item(f, i),
                "year": y,
                "output_t": _v(m.e_route_output[n, r, f, i, y]),
            }
        )
    cols = ["nation", "route", "form", "element", "grade", "year", "output_t"]
    return pd.DataFrame(rows, columns=[*cols[:3], "product", *cols[3:]]).drop(columns="product")


def _transfers(m, d: ModelData) -> pd.DataFrame:
    """Entitlements and transfers paid per nation, year and kind.

    Capital subsidies are counted in the year the build is decided (as budgets count them).
    Investor perspective: what the LP chose to draw (within entitlements and public budgets).
    Alliance perspective: transfers do not affect the plan; they are what the schemes would pay
    for it: entitlements, scaled down pro rata where a yearly or total public budget is short.
    """
    from recovery.model.money import subsidy_rate

    rows = []
    for n, y, k in m.ENTITLEMENT:
        if k == "capex_subsidy":  # owed and paid when the build is decided, per process
            for x in d.processes:
                rate = subsidy_rate(d, n, x)
                if rate <= 0 or (n, x, y) not in m.BUILDS:
                    continue
                ent = rate * _v(m.v_build[n, x, y])
                paid = _v(m.v_capital_subsidy[n, x, y]) if (n, x, y) in m.CAPITAL_SUBSIDY else None
                rows.append(
                    {
                        "nation": n,
                        "year": y,
                        "kind": k,
                        "process": x,
                        "entitlement_usd": ent,
                        "paid_usd": paid,
                    }
                )
            continue
        ent = _v(m.e_entitlement[n, y, k])
        paid = _v(m.v_transfer[n, y, k]) if (n, y, k) in m.TRANSFER else None
        rows.append(
            {
                "nation": n,
                "year": y,
                "kind": k,
                "process": "",
                "entitlement_usd": ent,
                "paid_usd": paid,
            }
        )
    cols = ["nation", "year", "kind", "process", "entitlement_usd", "paid_usd"]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty or d.config.perspective == "investor":
        return df
    df["paid_usd"] = df["entitlement_usd"]
    budget = d.p["public_budget"]
    for (n, y), idx in df.groupby(["nation", "year"]).groups.items():
        total = df.loc[idx, "paid_usd"].sum()
        if (n, y) in budget and total > budget[n, y] > -1:
            df.loc[idx, "paid_usd"] *= budget[n, y] / total if total > 0 else 0.0
    for n, idx in df.groupby("nation").groups.items():
        total = df.loc[idx, "paid_usd"].sum()
        cap = d.p["public_budget_total"].get(n)
        if cap is not None and total > cap:
            df.loc[idx, "paid_usd"] *= cap / total
    return df


def _add_stock_change(t: dict, m) -> None:
    st = t["stocks"]
    for table, key, form in (
        ("element_balance", "element", "oxide"),
        ("magnet_balance", "grade", "magnet"),
    ):
        df = t[table]
        change = pd.Series(0.0, index=df.index)
        if not st.empty:
            s = st[st.form == form].set_index(["nation", key, "year"])["stock_t"].to_dict()
            change = pd.Series(
                [
                    s.get((n, i, y), 0.0) - s.get((n, i, y - 1), 0.0)
                    for n, i, y in zip(df["nation"], df[key], df["year"])
                ],
                index=df.index,
                dtype=float,
            )
        df["stock_change_t"] = change


def _stage(d: ModelData, x: str) -> str:
    if x in d.preprocesses:
        return "preprocess"
    return "route" if x in d.routes else MAGNET_MAKING


def _capacity(m, d: ModelData) -> pd.DataFrame:
    util = set(m.UTILISATION)
    rows = []
    for n, x, y in m.CAPACITY:
        cap = _v(m.e_capacity[n, x, y])
        build = _v(m.v_build[n, x, y]) if (n, x, y) in m.BUILDS else 0.0
        thr = _v(throughput(m, n, x, y)) if (n, x, y) in util else 0.0
        avail = d.p["availability"][x]
        rows.append(
            (n, _stage(d, x), x, y, cap, build, thr, thr / (avail * cap) if cap > 1e-9 else 0.0)
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "nation",
            "stage",
            "process",
            "year",
            "capacity_t",
            "build_t",
            "throughput_t",
            "utilisation",
        ],
    )
    typical, minimum = d.p["typical_size"], d.p["min_size"]
    df["typical_plants"] = [
        c / typical[x] if x in typical else float("nan") for c, x in zip(df.capacity_t, df.process)
    ]
    df["build_below_min_size"] = [
        bool(1e-6 < b < minimum.get(x, 0.0)) for b, x in zip(df.build_t, df.process)
    ]
    return df


def _costs(m, d: ModelData) -> pd.DataFrame:
    rows = []
    for n, y, c in m.COST:
        usd = _v(m.e_cost[n, y, c])
        rows.append((n, y, c, usd, usd * d.discount(y)))
    return pd.DataFrame(rows, columns=["nation", "year", "component", "usd", "discounted_usd"])


def _sum_by(df: pd.DataFrame, keys: list[str], col: str) -> dict:
    if df.empty:
        return {}
    return df.groupby(keys)[col].sum().to_dict()


def _magnet_balance(m, d: ModelData) -> pd.DataFrame:
    t_out = {}
    for n, r, f, i, y in m.ROUTE_OUTPUT:
        if f == "magnet":
            t_out[n, i, y] = t_out.get((n, i, y), 0.0) + _v(m.e_route_output[n, r, f, i, y])
    rows = []
    for n, g, y in m.MAGNET:
        made = _v(m.v_make[n, g, y])
        res = _v(m.v_resinter[n, g, y]) if (n, g, y) in m.RESINTER else 0.0
        reused = t_out.get((n, g, y), 0.0)
        imp = sum(_v(m.v_import[k]) for k in m.imports_to.get((n, "magnet", g, y), ()))
        rec = sum(_v(m.v_ship[k]) for k in m.ship_in.get(("magnet", n, g, y), ()))
        snt = sum(_v(m.v_ship[k]) for k in m.ship_out.get(("magnet", n, g, y), ()))
        sold = _v(m.v_sell[n, "magnet", g, y]) if (n, "magnet", g, y) in m.sellable else 0.0
        rows.append(
            (
                n,
                g,
                y,
                d.p["demand"].get((n, g, y), 0.0),
                made + res + reused,
                imp,
                rec,
                snt,
                _v(m.v_unmet[n, g, y]),
                made,
                res,
                reused,
                sold,
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "nation",
            "grade",
            "year",
            "demand_t",
            "made_t",
            "imported_t",
            "received_t",
            "sent_t",
            "unmet_t",
            "made_from_oxide_t",
            "resintered_t",
            "reused_t",
            "sold_t",
        ],
    )


def _element_balance(m, d: ModelData) -> pd.DataFrame:
    rows = []
    recipe = d.p["grade_recipe"]
    for n, e, y in m.OXIDE_BALANCE:
        rec = sum(
            _v(m.e_route_output[n, r, "oxide", e, y])
            for r in m.outputs_of.get((n, "oxide", e, y), ())
        )
        imp = sum(_v(m.v_import[k]) for k in m.imports_to.get((n, "oxide", e, y), ()))
        rcv = sum(_v(m.v_ship[k]) for k in m.ship_in.get(("oxide", n, e, y), ()))
        snt = sum(_v(m.v_ship[k]) for k in m.ship_out.get(("oxide", n, e, y), ()))
        used = sum(recipe.get((g, e), 0.0) * _v(m.v_make[n, g, y]) for g in d.grades)
        direct = d.p["oxide_demand"].get((n, e, y), 0.0)
        unmet = _v(m.v_unmet_oxide[n, e, y]) if (n, e, y) in m.UNMET_OXIDE else 0.0
        sold = _v(m.v_sell[n, "oxide", e, y]) if (n, "oxide", e, y) in m.sellable else 0.0
        rows.append((n, e, y, used + direct, rec, imp, rcv, snt, unmet, sold, used, direct))
    return pd.DataFrame(
        rows,
        columns=[
            "nation",
            "element",
            "year",
            "demand_t",
            "recovered_t",
            "imported_t",
            "received_t",
            "sent_t",
            "unmet_t",
            "surplus_t",
            "used_in_magnets_t",
            "direct_demand_t",
        ],
    )


_MEANING = {
    "magnet_balance": (
        "USD/t",
        "one more tonne of {grade} magnet demand in {nation} in {year} would cost {value:,.0f} USD",
    ),
    "oxide_balance": (
        "USD/t",
        "one more tonne of {element} oxide (element content) needed in "
        "{nation} in {year} would cost {value:,.0f} USD",
    ),
    "capacity_utilisation": (
        "USD/t",
        "one more t/yr of {process} capacity in service in "
        "{nation} in {year} would save {neg:,.0f} USD",
    ),
    "collection_limit": (
        "USD/t",
        "one more tonne of {product} magnet collectable in tier {tier} "
        "in {nation} in {year} would save {neg:,.0f} USD",
    ),
}
_MEANING.update(
    {
        "capacity_limit": (
            "USD/t",
            "one more t/yr allowed for {process} in {nation} in {year} would save {neg:,.0f} USD",
        ),
        "supply_cap": (
            "USD/t",
            "one more tonne from {supplier} to {destination} ({item}) in {year} "
            "would save {neg:,.0f} USD",
        ),
        "share_cap": (
            "USD/t",
            "letting {supplier} supply one more tonne of {element} to {scope} in "
            "{year} beyond the share cap would save {neg:,.0f} USD",
        ),
        "capital_budget": (
            "USD/USD",
            "one more USD of capital budget in {nation} in {year} would save {neg:,.4f} USD",
        ),
        "capital_budget_total": (
            "USD/USD",
            "one more USD of total capital budget in {nation} would "
            "save {neg:,.4f} USD (present value)",
        ),
        "public_budget": (
            "USD/USD",
            "one more USD of public budget in {nation} in {year} would "
            "save the investor {neg:,.4f} USD",
        ),
    }
)
_INDEX = {
    "magnet_balance": ("nation", "grade", "year"),
    "oxide_balance": ("nation", "element", "year"),
    "capacity_utilisation": ("nation", "process", "year"),
    "collection_limit": ("nation", "product", "tier", "year"),
    "capacity_limit": ("nation", "process", "year"),
    "supply_cap": ("supplier", "destination", "form", "item", "year"),
    "share_cap": ("scope", "element", "supplier", "year"),
    "capital_budget": ("nation", "year"),
    "capital_budget_total": ("nation",),
    "public_budget": ("nation", "year"),
}


def _shadow_prices(m, d: ModelData, info: SolveInfo) -> pd.DataFrame:
    """Duals in USD of the year they occur (the PV dual divided by that year's discount factor)."""
    rows = []
    for name, cols in _INDEX.items():
        con = getattr(m, name)
        unit, text = _MEANING[name]
        for idx in con:
            cd = con[idx]
            dual = info.duals.get(cd, 0.0)
            idx = idx if isinstance(idx, tuple) else (idx,)
            keys = dict(zip(cols, idx))
            value = dual / d.discount(keys["year"]) if "year" in keys else dual
            value = 0.0 if abs(value) < 1e-9 else value
            row = {
                "constraint": name,
                **dict.fromkeys(_ALL_COLS, ""),
                **{k: v for k, v in keys.items() if k in _ALL_COLS},
                "value": value,
                "value_pv": dual,
                "unit": unit,
            }
            if name == "supply_cap":
                row.update(nation=keys["destination"], supplier=keys["supplier"])
                row["element" if keys["form"] == "oxide" else "grade"] = keys["item"]
            if name == "share_cap":
                row["nation"] = keys["scope"]
            if name == "capacity_utilisation":  # the row is per t of throughput
                neg = -value * d.p["availability"][keys["process"]]
            else:
                neg = -value
            row["meaning"] = text.format(**keys, value=value, neg=neg)
            rows.append(row)
    return pd.DataFrame(
        rows, columns=["constraint", *_ALL_COLS, "value", "value_pv", "unit", "meaning"]
    )


_ALL_COLS = ("nation", "supplier", "product", "process", "grade", "element", "tier", "year")


def kpis(t: dict[str, pd.DataFrame], d: ModelData, info: SolveInfo) -> dict:
    """Headline numbers: cost, recovered tonnes, self-sufficiency, supplier shares, unmet."""
    recipe = d.p["grade_recipe"]
    ro = t["route_output"]
    rec = defaultdict(float)  # (nation, element) over the horizon, t element
    for row in ro.itertuples(index=False):
        if row.form in ("oxide", "mixed_oxide"):
            rec[row.nation, row.element] += row.output_t
        else:
            for e in d.elements:
                rec[row.nation, e] += recipe.get((row.grade, e), 0.0) * row.output_t
    mb = t["magnet_balance"]
    eb = t["element_balance"]
    use = defaultdict(float)  # element content of demand met
    for row in mb.itertuples(index=False):
        for e in d.elements:
            use[row.nation, e] += recipe.get((row.grade, e), 0.0) * (row.demand_t - row.unmet_t)
    for row in eb.itertuples(index=False):
        use[row.nation, row.element] += row.direct_demand_t - row.unmet_t
    imp = t["imports"]
    by_sup = defaultdict(float)  # (supplier, element) t element over horizon
    for row in imp.itertuples(index=False):
        if row.form == "oxide":
            by_sup[row.supplier, row.element] += row.import_t
        else:
            for e in d.elements:
                by_sup[row.supplier, e] += recipe.get((row.grade, e), 0.0) * row.import_t
    recovered_by_element = {e: sum(rec[n, e] for n in d.nations) for e in d.elements}
    largest = {}
    for e in d.elements:
        total = recovered_by_element[e] + sum(v for (s, ee), v in by_sup.items() if ee == e)
        if total > 1e-9:
            s_best = max(d.suppliers, key=lambda s, e=e: by_sup.get((s, e), 0.0))
            share = by_sup.get((s_best, e), 0.0) / total
            # nothing bought: recovery is the only source, so no supplier holds a share
            largest[e] = {"supplier": s_best if share > 0 else None, "share": share}
    self_suff = {
        n: {e: (rec[n, e] / use[n, e] if use[n, e] > 1e-9 else None) for e in d.elements}
        for n in d.nations
    }
    costs = t["costs"]
    return {
        "total_cost_usd": info.objective,
        "cost_by_component_usd": costs.groupby("component")["discounted_usd"]
        .sum()
        .reindex(list(COMPONENTS))
        .fillna(0.0)
        .to_dict(),
        "recovered_t": recovered_by_element,
        "magnet_demand_t": float(mb["demand_t"].sum()),
        "unmet_magnet_t": float(mb["unmet_t"].sum()),
        "unmet_oxide_t": float(eb["unmet_t"].sum()) if not eb.empty else 0.0,
        "self_sufficiency": self_suff,
        "largest_supplier_share": largest,
        "capacity_built_t": t["capacity"].groupby("process")["build_t"].sum().to_dict(),
        "builds_below_min_size": int(t["capacity"]["build_below_min_size"].sum()),
    }
