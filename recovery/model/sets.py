r"""Index sets, dense and sparse, built once before any variable or constraint.

Index letters (fixed across the formulation):

=========  ==================  ==========================================
letter     set                 members
=========  ==================  ==========================================
:math:`n`  ``NATIONS``          nations (also :math:`o` origin, :math:`d` destination)
:math:`s`  ``SUPPLIERS``        outside and alliance suppliers
:math:`p`  ``PRODUCTS``         end-of-life product streams
:math:`q`  ``PREPROCESSES``     pre-processing methods
:math:`r`  ``ROUTES``           recovery routes
:math:`x`  ``PROCESSES``        pre-processing methods, routes and magnet making
:math:`f`  ``FORMS``            ewaste, intact, fines, oxide, mixed_oxide, alloy, magnet
:math:`i`  (item)              the product, element or grade an amount of form f is keyed by
:math:`g`  ``GRADES``           magnet grades
:math:`e`  ``ELEMENTS``         rare-earth elements
:math:`k`  (tier)              collection-cost tier
:math:`y`  ``YEARS``            modelled years
=========  ==================  ==========================================

Sparse sets hold only the combinations that can carry a flow, so no constraint is ever skipped.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from recovery.case import CaseConfig
from recovery.data import ModelData
from recovery.schema import ALL_ELEMENTS, CONCENTRATE_FORMS, FORMS


def add_sets(m: pyo.ConcreteModel, d: ModelData, config: CaseConfig) -> None:
    """Declare the dense sets and compute every sparse set and adjacency list."""
    p = d.p
    years = list(d.years)
    m.YEARS = pyo.Set(initialize=years, ordered=True)
    m.NATIONS = pyo.Set(initialize=d.nations, ordered=True)
    m.PRODUCTS = pyo.Set(initialize=d.products, ordered=True)
    m.GRADES = pyo.Set(initialize=d.grades, ordered=True)
    m.ELEMENTS = pyo.Set(initialize=d.elements, ordered=True)
    m.PROCESSES = pyo.Set(initialize=d.processes, ordered=True)

    # pre-processing paths: product p can go through method q
    pp = [(pr, q) for (pr, q), v in p["preprocess_yield"].items() if v > 0]
    # collection tiers with a positive share, in years with arisings, of products that some
    # method can pre-process (collecting anything else would serve no balance)
    treatable = {pr for (pr, _q) in pp}
    tiers = sorted(k for k, v in p["collection_share"].items() if v > 0 and k[1] in treatable)
    m.COLLECT = pyo.Set(
        dimen=4,
        initialize=[
            (n, pr, k, y)
            for (n, pr, k) in tiers
            for y in years
            if p["arisings"].get((n, pr, y), 0.0) > 0
        ],
    )
    m.PREPROCESS_PATHS = pyo.Set(
        dimen=3, initialize=[(n, pr, q) for n in d.nations for (pr, q) in pp]
    )
    # concentrate of form f from product p exists if some method makes it
    conc = sorted({(d.preprocess_output[q], pr) for (pr, q) in pp})
    m.CONCENTRATES = pyo.Set(dimen=2, initialize=conc)
    # route feeds: route r takes concentrate (f, p)
    feeds = sorted(
        (r, pr, f) for (r, pr, f), v in p["route_feed"].items() if v >= 0.5 and (f, pr) in conc
    )
    m.FEEDS = pyo.Set(
        dimen=4, initialize=[(n, r, pr, f) for n in d.nations for (r, pr, f) in feeds]
    )

    # which items of each form can exist anywhere
    yields = p["route_yield"]
    routes_fed = {r for (r, _, _) in feeds}
    out_forms = {(r, f) for (r, f, _e), v in yields.items() if v > 0 and r in routes_fed}
    grades_fed = defaultdict(set)
    for r, pr, _f in feeds:
        grades_fed[r].add(d.product_grade[pr])
    items: dict[str, list[str]] = {f: [] for f in FORMS}
    items["ewaste"] = sorted({pr for (pr, _q) in pp}, key=d.products.index)
    for f in CONCENTRATE_FORMS:
        items[f] = [pr for pr in d.products if (f, pr) in conc]
    items["oxide"] = list(d.elements)
    items["mixed_oxide"] = [
        e for e in d.elements if any(yields.get((r, "mixed_oxide", e), 0) > 0 for r in routes_fed)
    ]
    items["alloy"] = [
        g
        for g in d.grades
        if any((r, "alloy") in out_forms and g in grades_fed[r] for r in d.routes)
    ]
    items["magnet"] = list(d.grades)
    m.items_of = items
    route_outputs = []
    for n in d.nations:
        for r, f in sorted(out_forms):
            if f in ("oxide", "mixed_oxide"):
                outs = [e for e in d.elements if yields.get((r, f, e), 0) > 0]
            elif yields.get((r, f, ALL_ELEMENTS), 0) > 0:
                outs = [g for g in d.grades if g in grades_fed[r]]
            else:
                outs = []
            route_outputs += [(n, r, f, i) for i in outs]
    m.ROUTE_OUTPUTS = pyo.Set(dimen=4, initialize=route_outputs)

    # trade lanes and shipments
    lanes = sorted(p["freight"]) if config.options.trade else []
    m.SHIPS = pyo.Set(
        dimen=5,
        initialize=[(f, o, dd, i, y) for (f, o, dd) in lanes for i in items[f] for y in years],
    )
    # supplier offers (oxide per element, magnet per grade), open to every nation
    offers = [(s, "oxide", e) for (s, e) in p["import_price"]] + [
        (s, "magnet", g) for (s, g) in p["magnet_import_price"]
    ]
    m.IMPORTS = pyo.Set(
        dimen=5,
        initialize=[(s, n, f, i, y) for (s, f, i) in offers for n in d.nations for y in years],
    )
    # market sales at a price
    sale_rows = list(p["oxide_price"]) + list(p["magnet_price"]) + list(p["scrap_price"])
    m.SALES = pyo.Set(
        dimen=4,
        initialize=[
            (n, f, i, y) for (f, i) in sale_rows if i in items[f] for n in d.nations for y in years
        ],
    )
    m.RESINTER = pyo.Set(
        dimen=3, initialize=[(n, g, y) for n in d.nations for g in items["alloy"] for y in years]
    )
    # builds: decided in y, producing from y + lead, only if that is inside the horizon
    end = years[-1]
    m.BUILDS = pyo.Set(
        dimen=3,
        initialize=[
            (n, x, y)
            for n in d.nations
            for x in d.processes
            for y in years
            if y >= p["earliest_year"][x] and y + p["lead_time"][x] <= end
        ],
    )
    m.CAPACITY = pyo.Set(
        dimen=3, initialize=[(n, x, y) for n in d.nations for x in d.processes for y in years]
    )
    _adjacency(m, d)


def _adjacency(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Lists of variable indices that enter each balance row (computed once, O(size))."""
    inflow, outflow = defaultdict(list), defaultdict(list)
    for f, o, dd, i, y in m.SHIPS:
        inflow[f, dd, i, y].append((f, o, dd, i, y))
        outflow[f, o, i, y].append((f, o, dd, i, y))
    m.ship_in, m.ship_out = inflow, outflow
    imports = defaultdict(list)
    for s, n, f, i, y in m.IMPORTS:
        imports[n, f, i, y].append((s, n, f, i, y))
    m.imports_to = imports
    tiers = defaultdict(list)
    for n, pr, k, y in m.COLLECT:
        tiers[n, pr, y].append((n, pr, k, y))
    m.tiers_of = tiers
    methods, by_method = defaultdict(list), defaultdict(list)
    for n, pr, q in m.PREPROCESS_PATHS:
        methods[n, pr].append(q)
        by_method[n, q].append(pr)
    m.methods_of, m.products_of_method = methods, by_method
    makers = defaultdict(list)  # (n, f, p) -> methods making concentrate f from p
    for n, pr, q in m.PREPROCESS_PATHS:
        makers[n, d.preprocess_output[q], pr].append(q)
    m.makers_of = makers
    feeds_of_conc, feeds_of_route = defaultdict(list), defaultdict(list)
    for n, r, pr, f in m.FEEDS:
        feeds_of_conc[n, f, pr].append(r)
        feeds_of_route[n, r].append((pr, f))
    m.routes_taking, m.feeds_of_route = feeds_of_conc, feeds_of_route
    producers = defaultdict(list)  # (n, f, i) -> routes producing it
    for n, r, f, i in m.ROUTE_OUTPUTS:
        producers[n, f, i].append(r)
    m.producers_of = producers
    m.sellable = {(n, f, i, y) for (n, f, i, y) in m.SALES}
