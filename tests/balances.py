"""Recompute every balance and cost of a solved case from its result tables and inputs.

Used by tests on the toy, the baseline, scenarios and generated cases. Nothing here calls model
code: parameters come from the input tables (pandas), quantities from the result tables.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

TOL = 1e-6


def param(data, table: str) -> dict:
    """``{index tuple: value}`` straight from an input table (years and tiers as int)."""
    df = data.tables.get(table)
    if df is None:
        return {}
    from recovery.schema import TABLES_BY_NAME

    idx = list(TABLES_BY_NAME[table].index)
    out = {}
    for row in df.itertuples(index=False):
        key = tuple(int(getattr(row, c)) if c in ("year", "tier") else getattr(row, c) for c in idx)
        out[key if len(key) > 1 else key[0]] = float(row.value)
    return out


def _close(a, b, what: str, scale: float = 1.0) -> None:
    tol = TOL * max(1.0, abs(scale), abs(a), abs(b))
    assert abs(a - b) <= tol, f"{what}: {a} != {b}"


def _group(df: pd.DataFrame, keys: list[str], col: str) -> dict:
    if df.empty:
        return defaultdict(float)
    out = defaultdict(float)
    out.update(df.groupby(keys)[col].sum().to_dict())
    return out


def check_all(res, data) -> None:
    """Every check below; raises AssertionError naming the first violated balance."""
    check_stocks(res, data)
    check_element_balance(res, data)
    check_magnet_balance(res, data)
    check_chain(res, data)
    check_capacity(res, data)
    check_limits(res, data)
    check_costs(res, data)


def check_element_balance(res, data) -> None:
    eb = res.element_balance
    resid = (
        eb.recovered_t
        + eb.imported_t
        + eb.received_t
        - eb.sent_t
        - eb.demand_t
        + eb.unmet_t
        - eb.surplus_t
    )
    assert float(np.max(np.abs(resid.to_numpy()), initial=0)) <= TOL * max(
        1, float(eb.demand_t.abs().max() if len(eb) else 0)
    )
    ro = res.route_output[res.route_output.form == "oxide"]
    rec = _group(ro, ["nation", "element", "year"], "output_t")
    imp = _group(
        res.imports[res.imports.form == "oxide"], ["nation", "element", "year"], "import_t"
    )
    fl = res.flows[res.flows.form == "oxide"]
    rcv = _group(fl, ["destination", "element", "year"], "flow_t")
    snt = _group(fl, ["origin", "element", "year"], "flow_t")
    sold = _group(res.sales[res.sales.form == "oxide"], ["nation", "element", "year"], "sold_t")
    recipe = param(data, "grade_recipe")
    mb = res.magnet_balance
    used = defaultdict(float)
    for r in mb.itertuples(index=False):
        for (g, e), v in recipe.items():
            if g == r.grade:
                used[r.nation, e, r.year] += v * r.made_from_oxide_t
    direct = param(data, "oxide_demand")
    for r in eb.itertuples(index=False):
        k = (r.nation, r.element, r.year)
        _close(r.recovered_t, rec[k], f"recovered {k}")
        _close(r.imported_t, imp[k], f"imported {k}")
        _close(r.received_t, rcv[k], f"received {k}")
        _close(r.sent_t, snt[k], f"sent {k}")
        _close(r.surplus_t, sold[k], f"sold {k}")
        _close(r.demand_t, used[k] + direct.get(k, 0.0), f"oxide demand {k}")


def check_magnet_balance(res, data) -> None:
    mb = res.magnet_balance
    demand = param(data, "demand")
    imp = _group(res.imports[res.imports.form == "magnet"], ["nation", "grade", "year"], "import_t")
    fl = res.flows[res.flows.form == "magnet"]
    rcv = _group(fl, ["destination", "grade", "year"], "flow_t")
    snt = _group(fl, ["origin", "grade", "year"], "flow_t")
    sold = _group(res.sales[res.sales.form == "magnet"], ["nation", "grade", "year"], "sold_t")
    reused = _group(
        res.route_output[res.route_output.form == "magnet"], ["nation", "grade", "year"], "output_t"
    )
    for r in mb.itertuples(index=False):
        k = (r.nation, r.grade, r.year)
        _close(r.demand_t, demand.get(k, 0.0), f"magnet demand {k}")
        _close(r.made_t, r.made_from_oxide_t + r.resintered_t + r.reused_t, f"made {k}")
        _close(r.reused_t, reused[k], f"reused {k}")
        _close(r.imported_t, imp[k], f"magnet imports {k}")
        _close(r.received_t, rcv[k], f"magnets received {k}")
        _close(r.sent_t, snt[k], f"magnets sent {k}")
        _close(r.sold_t, sold[k], f"magnets sold {k}")
        lhs = (
            r.made_t
            + r.imported_t
            + r.received_t
            - r.sent_t
            - r.sold_t
            + r.unmet_t
            - r.stock_change_t
        )
        _close(lhs, r.demand_t, f"magnet balance {k}")
        assert min(r.made_t, r.imported_t, r.unmet_t, r.sold_t) >= -TOL


def check_chain(res, data) -> None:
    """Collection -> pre-processing -> concentrate -> routes -> alloy, recomputed."""
    share, arisings = param(data, "collection_share"), param(data, "arisings")
    col = res.collection
    for r in col.itertuples(index=False):
        limit = share[r.nation, r.product, r.tier] * arisings[r.nation, r.product, r.year]
        assert -TOL <= r.collected_t <= limit + TOL * max(1, limit), (r, limit)
    collected = _group(col, ["nation", "product", "year"], "collected_t")
    fl = res.flows
    pre = res.preprocessing
    pre_in = _group(pre, ["nation", "product", "year"], "input_t")
    ew = fl[fl.form == "ewaste"]
    ew_in = _group(ew, ["destination", "product", "year"], "flow_t")
    ew_out = _group(ew, ["origin", "product", "year"], "flow_t")
    for k in set(collected) | set(pre_in) | set(ew_in) | set(ew_out):
        _close(collected[k] + ew_in[k] - ew_out[k], pre_in[k], f"e-waste balance {k}")
    pyield = param(data, "preprocess_yield")
    for r in pre.itertuples(index=False):
        _close(r.concentrate_t, pyield[r.product, r.preprocess] * r.input_t, f"pre-yield {r}")
    conc = _group(pre, ["nation", "form", "product", "year"], "concentrate_t")
    cf = fl[fl.form.isin(["intact", "fines"])]
    c_in = _group(cf, ["destination", "form", "product", "year"], "flow_t")
    c_out = _group(cf, ["origin", "form", "product", "year"], "flow_t")
    feed = _group(res.route_feed, ["nation", "form", "product", "year"], "feed_t")
    sold = _group(
        res.sales[res.sales.form.isin(["intact", "fines"])],
        ["nation", "form", "product", "year"],
        "sold_t",
    )
    for k in set(conc) | set(c_in) | set(c_out) | set(feed):
        _close(conc[k] + c_in[k] - c_out[k], feed[k] + sold[k], f"concentrate balance {k}")
    # route outputs from yields x composition x feed
    ry, comp = param(data, "route_yield"), param(data, "composition")
    grade_of = dict(zip(data.sets["product"]["product"], data.sets["product"]["grade"]))
    expect = defaultdict(float)
    for r in res.route_feed.itertuples(index=False):
        for (route, form, el), b in ry.items():
            if route != r.route:
                continue
            if form in ("oxide", "mixed_oxide"):
                expect[r.nation, route, form, el, r.year] += (
                    b * comp.get((r.product, el), 0) * r.feed_t
                )
            else:
                expect[r.nation, route, form, grade_of[r.product], r.year] += b * r.feed_t
    for r in res.route_output.itertuples(index=False):
        item = r.element if r.form in ("oxide", "mixed_oxide") else r.grade
        _close(r.output_t, expect[r.nation, r.route, r.form, item, r.year], f"route output {r}")
    # alloy
    ao = _group(
        res.route_output[res.route_output.form == "alloy"], ["nation", "grade", "year"], "output_t"
    )
    af = fl[fl.form == "alloy"]
    a_in = _group(af, ["destination", "grade", "year"], "flow_t")
    a_out = _group(af, ["origin", "grade", "year"], "flow_t")
    a_sold = _group(res.sales[res.sales.form == "alloy"], ["nation", "grade", "year"], "sold_t")
    resint = _group(res.magnet_balance, ["nation", "grade", "year"], "resintered_t")
    for k in set(ao) | set(a_in) | set(a_out):
        _close(ao[k] + a_in[k] - a_out[k], resint[k] + a_sold[k], f"alloy balance {k}")
    # no flow on a closed lane
    lanes = set(param(data, "freight"))
    for r in fl[fl.flow_t > TOL].itertuples(index=False):
        assert (r.form, r.origin, r.destination) in lanes


def check_capacity(res, data) -> None:
    cap = res.capacity
    life, lead = param(data, "lifetime"), param(data, "lead_time")
    avail, existing = param(data, "availability"), param(data, "existing_capacity")
    builds = _group(cap, ["nation", "process", "year"], "build_t")
    pre_in = _group(res.preprocessing, ["nation", "preprocess", "year"], "input_t")
    feed = _group(res.route_feed, ["nation", "route", "year"], "feed_t")
    mb = res.magnet_balance
    making = _group(mb.assign(x=mb.made_from_oxide_t + mb.resintered_t), ["nation", "year"], "x")
    routes = set(data.sets["route"]["route"])
    for r in cap.itertuples(index=False):
        L, ld = int(round(life[r.process])), int(lead.get(r.process, 0))
        expect = existing.get((r.nation, r.process, r.year), 0.0) + sum(
            v
            for (n, x, b), v in builds.items()
            if n == r.nation and x == r.process and b + ld <= r.year < b + ld + L
        )
        _close(r.capacity_t, expect, f"capacity {r}")
        if r.process == "magnet_making":
            thr = making[r.nation, r.year]
        elif r.process in routes:
            thr = feed[r.nation, r.process, r.year]
        else:
            thr = pre_in[r.nation, r.process, r.year]
        _close(r.throughput_t, thr, f"throughput {r}")
        assert thr <= avail.get(r.process, 1.0) * r.capacity_t + TOL * max(1, r.capacity_t), r


def check_costs(res, data) -> None:
    """Costs sum to the objective, and the flow-priced components are recomputed."""
    costs = res.costs
    _close(
        costs.discounted_usd.sum(),
        res.objective,
        "discounted costs vs objective",
        scale=abs(res.objective),
    )
    by = _group(costs, ["nation", "year", "component"], "usd")
    ip, mp = param(data, "import_price"), param(data, "magnet_import_price")
    imp = defaultdict(float)
    for r in res.imports.itertuples(index=False):
        price = ip[r.supplier, r.element] if r.form == "oxide" else mp[r.supplier, r.grade]
        imp[r.nation, r.year] += price * r.import_t
    ccost = param(data, "collection_cost")
    col = defaultdict(float)
    for r in res.collection.itertuples(index=False):
        col[r.nation, r.year] += ccost[r.nation, r.product, r.tier] * r.collected_t
    pen = param(data, "unmet_penalty")
    unmet = defaultdict(float)
    for r in res.magnet_balance.itertuples(index=False):
        unmet[r.nation, r.year] += pen[r.grade] * r.unmet_t
    op, mgp, sp = (
        param(data, "oxide_price"),
        param(data, "magnet_price"),
        param(data, "scrap_price"),
    )
    sales = defaultdict(float)
    for r in res.sales.itertuples(index=False):
        if r.form in ("oxide", "mixed_oxide"):
            price = op[r.form, r.element]
        elif r.form in ("alloy", "magnet"):
            price = mgp[r.form, r.grade]
        else:
            price = sp[r.form, r.product]
        sales[r.nation, r.year] -= price * r.sold_t
    fr, em = param(data, "freight"), param(data, "ewaste_mass")
    cc = param(data, "consent_cost")
    freight, consent = defaultdict(float), defaultdict(float)
    for r in res.flows.itertuples(index=False):
        mult = em[r.product] if r.form == "ewaste" else 1.0
        freight[r.destination, r.year] += fr[r.form, r.origin, r.destination] * mult * r.flow_t
        consent[r.destination, r.year] += (
            cc.get((r.form, r.origin, r.destination), 0.0) * mult * r.flow_t
        )
    for n in data.sets["nation"]["nation"]:
        for y in data.case.years:
            for comp, table in (
                ("imports", imp),
                ("collection", col),
                ("unmet", unmet),
                ("sales", sales),
                ("freight", freight),
            ):
                _close(
                    by[n, y, comp],
                    table[n, y],
                    f"{comp} cost {n} {y}",
                    scale=1e-3 * abs(res.objective),
                )


def check_stocks(res, data) -> None:
    """Stock changes in the balances equal differences of stock levels; levels within limits."""
    st = res.stocks
    for table, key, form, cap_table in (
        ("element_balance", "element", "oxide", "oxide_stock_max"),
        ("magnet_balance", "grade", "magnet", "magnet_stock_max"),
    ):
        lv = st[st.form == form].set_index(["nation", key, "year"])["stock_t"].to_dict()
        for r in getattr(res, table).itertuples(index=False):
            k = (r.nation, getattr(r, key), r.year)
            prev = (r.nation, getattr(r, key), r.year - 1)
            _close(r.stock_change_t, lv.get(k, 0.0) - lv.get(prev, 0.0), f"stock change {k}")
        caps = param(data, cap_table)
        for k, v in lv.items():
            assert -TOL <= v <= caps.get(k[:2], float("inf")) + TOL, (k, v)


def check_limits(res, data) -> None:
    """Supplier caps, single-supplier share caps and capital budgets, from the result tables."""
    imp = res.imports
    for table, form, key in (
        ("supply_cap", "oxide", "element"),
        ("magnet_supply_cap", "magnet", "grade"),
    ):
        for (s, dest, item, y), cap in param(data, table).items():
            rows = imp[
                (imp.supplier == s) & (imp.form == form) & (imp[key] == item) & (imp.year == y)
            ]
            if dest != "all":
                rows = rows[rows.nation == dest]
            assert rows.import_t.sum() <= cap + TOL * max(1, cap), (table, s, dest, item, y)
    recipe = param(data, "grade_recipe")
    ro = res.route_output
    for (scope, e), sigma in param(data, "share_cap").items():
        for y in data.case.years:
            by_sup = defaultdict(float)
            sub = (
                imp[imp.year == y]
                if scope == "all"
                else imp[(imp.year == y) & (imp.nation == scope)]
            )
            for r in sub.itertuples(index=False):
                if r.form == "oxide" and r.element == e:
                    by_sup[r.supplier] += r.import_t
                elif r.form == "magnet":
                    by_sup[r.supplier] += recipe.get((r.grade, e), 0.0) * r.import_t
            rsub = ro[ro.year == y] if scope == "all" else ro[(ro.year == y) & (ro.nation == scope)]
            other = rsub[(rsub.form == "oxide") & (rsub.element == e)].output_t.sum()
            for r in rsub[rsub.form.isin(["alloy", "magnet"])].itertuples(index=False):
                other += recipe.get((r.grade, e), 0.0) * r.output_t
            if scope != "all":
                fl = res.flows[(res.flows.destination == scope) & (res.flows.year == y)]
                other += fl[(fl.form == "oxide") & (fl.element == e)].flow_t.sum()
                for r in fl[fl.form == "magnet"].itertuples(index=False):
                    other += recipe.get((r.grade, e), 0.0) * r.flow_t
            total = sum(by_sup.values()) + other
            for s, q in by_sup.items():
                assert q <= sigma * total + TOL * max(1, total), (scope, e, y, s, q, total)
    capex, cf = param(data, "capex"), param(data, "capex_factor")
    cap = res.capacity
    for (n, y), budget in param(data, "capital_budget").items():
        rows = cap[(cap.nation == n) & (cap.year == y)]
        spent = sum(capex[r.process] * cf.get(n, 1.0) * r.build_t for r in rows.itertuples())
        assert spent <= budget + TOL * max(1, budget), (n, y, spent, budget)
    for n, budget in param(data, "capital_budget_total").items():
        rows = cap[cap.nation == n]
        spent = sum(capex[r.process] * cf.get(n, 1.0) * r.build_t for r in rows.itertuples())
        assert spent <= budget + TOL * max(1, budget), (n, spent, budget)
    tr = res.transfers
    if not tr.empty:
        assert (tr.paid_usd <= tr.entitlement_usd + TOL * tr.entitlement_usd.abs().clip(1)).all()
        for (n, y), budget in param(data, "public_budget").items():
            paid = tr[(tr.nation == n) & (tr.year == y)].paid_usd.sum()
            assert paid <= budget + TOL * max(1, budget), (n, y, paid, budget)
