"""Synthetic case generator for the performance bench (not used by the package or its tests).

Writes a self-contained case folder (``case.yaml`` with ``inputs: null`` plus every table in the
long format of ``inputs/``) with made-up ISO-like nation codes AA, AB, ... and knobs for the size:

* ``nations`` N, ``products`` P, ``routes`` R (cycling through four route archetypes: separation
  to oxides, pyrometallurgy to mixed oxide, hydrogen processing to alloy, direct reuse), ``years``
  T, ``lane_density`` (share of ordered nation pairs with an open lane, per form), ``suppliers``
  S (the first two outside, the rest alliance producers with a cap).

The economics make recycling worthwhile (recovered oxide and re-sintered alloy are cheaper than
imports for most streams) so an optimal plan recovers something in every preset.

Usage::

    .venv/bin/python bench/generate.py            # writes bench/cases/{s10k,m100k,l250k}
    .venv/bin/python bench/generate.py --check    # also validates, builds and solves each
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import string
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"

ELEMENTS = ("Nd", "Pr", "Dy", "Tb")
GRADES = ("standard", "high_temp")
RECIPE = {
    "standard": {"Nd": 0.225, "Pr": 0.07, "Dy": 0.008, "Tb": 0.001},
    "high_temp": {"Nd": 0.2, "Pr": 0.06, "Dy": 0.04, "Tb": 0.008},
}
OXIDE_IMPORT = {"Nd": 87500.0, "Pr": 90600.0, "Dy": 264000.0, "Tb": 1100000.0}
MAGNET_IMPORT = {"standard": 30000.0, "high_temp": 50000.0}
PREPROCESSES = (("manual", "intact"), ("auto", "intact"), ("shred", "fines"))
ARCHETYPES = ("oxide", "mixed_oxide", "alloy", "magnet")
UNITS = {}  # filled from recovery.schema at import time (units must match the schema)


@dataclass(frozen=True)
class Knobs:
    nations: int
    products: int
    routes: int
    years: int
    lane_density: float
    suppliers: int
    feed_density: float = 0.7
    #: HiGHS method written to case.yaml: IPM is 8-20x faster than the default dual simplex on
    #: cold solves of the larger presets (m100k: 4.9 vs 38.8 s; l250k: 10.4 vs 224 s)
    method: str = "ipm"
    seed: int = 1


PRESETS = {
    "s10k": Knobs(
        nations=6, products=8, routes=4, years=10, lane_density=0.5, suppliers=4, method="choose"
    ),
    "m100k": Knobs(nations=16, products=12, routes=6, years=15, lane_density=0.28, suppliers=5),
    "l250k": Knobs(nations=24, products=16, routes=8, years=17, lane_density=0.2, suppliers=6),
}

VALUE_TAIL = ("low", "high", "source", "basis", "note")


def nation_codes(n: int) -> list[str]:
    """AA, AB, ..., AZ, BA, ... (made up; two upper-case letters like ISO 3166 alpha-2)."""
    pairs = ("".join(p) for p in itertools.product(string.ascii_uppercase, repeat=2))
    return list(itertools.islice(pairs, n))


def _units() -> dict[str, str]:
    from recovery.schema import TABLES_BY_NAME

    return {name: spec.unit for name, spec in TABLES_BY_NAME.items()}


class Writer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.units = _units()
        from recovery.schema import TABLES_BY_NAME

        self.specs = TABLES_BY_NAME

    def set_table(self, name: str, header: list[str], rows: list[tuple]) -> None:
        with open(self.folder / f"{name}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)

    def table(self, name: str, rows: list[tuple]) -> None:
        """``rows`` are (*index, value); unit from the schema, low = high = value."""
        spec = self.specs[name]
        unit = self.units[name]
        with open(self.folder / f"{name}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([*spec.index, "value", "unit", *VALUE_TAIL])
            for *idx, v in rows:
                v = round(float(v), 6)
                if spec.integer:
                    v = int(round(v))
                w.writerow([*idx, v, unit, v, v, "synthetic", "assumption", ""])


def generate(folder: Path, k: Knobs) -> Path:
    """Write one synthetic case into ``folder`` (created or overwritten)."""
    rng = random.Random(k.seed)  # noqa: S311 - reproducible synthetic data, not crypto
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    w = Writer(folder)
    nations = nation_codes(k.nations)
    products = [f"p{i:02d}" for i in range(k.products)]
    routes = [f"r{i:02d}_{ARCHETYPES[i % 4]}" for i in range(k.routes)]
    start = 2030
    years = list(range(start, start + k.years))
    pre = [q for q, _ in PREPROCESSES]
    processes = [*pre, *routes, "magnet_making"]
    grade_of = {p: GRADES[i % 2] for i, p in enumerate(products)}

    (folder / "case.yaml").write_text(
        f'title: "Synthetic bench case {folder.name}: {asdict(k)}"\n'
        "inputs: null\n"
        f"horizon: {{start: {years[0]}, end: {years[-1]}}}\n"
        "discount_rate: 0.08\n"
        "currency_year: 2025\n"
        "perspective: alliance\n"
        "options:\n"
        "  allow_unmet: true\n"
        f"solver: {{method: {k.method}}}\n"
    )
    (folder / "README.md").write_text(
        f"# {folder.name}\n\nGenerated by `bench/generate.py` with {asdict(k)}; do not edit.\n"
    )

    # sets
    w.set_table("nation", ["nation", "name"], [(n, f"Nation {n}") for n in nations])
    w.set_table("element", ["element", "name"], [(e, e) for e in ELEMENTS])
    w.set_table("grade", ["grade", "name"], [(g, g) for g in GRADES])
    w.set_table(
        "product",
        ["product", "name", "grade"],
        [(p, f"Product {p}", grade_of[p]) for p in products],
    )
    w.set_table(
        "preprocess", ["preprocess", "name", "output"], [(q, q, o) for q, o in PREPROCESSES]
    )
    w.set_table("route", ["route", "name"], [(r, r) for r in routes])
    suppliers = []
    for i in range(k.suppliers):
        if i < 2:
            suppliers.append((f"OUT{i}", f"Outside supplier {i}", "ZZ", "outside"))
        else:
            suppliers.append(
                (f"ALL{i}", f"Alliance producer {i}", nations[i % k.nations], "alliance")
            )
    w.set_table("supplier", ["supplier", "name", "home", "kind"], suppliers)

    # products: magnet content and arisings
    comp = {}
    for p in products:
        base = RECIPE[grade_of[p]]
        comp[p] = {e: round(v * rng.uniform(0.85, 1.1), 4) for e, v in base.items()}
    w.table("composition", [(p, e, comp[p][e]) for p in products for e in ELEMENTS])
    w.table("ewaste_mass", [(p, rng.uniform(10, 200)) for p in products])
    size = {n: rng.uniform(0.3, 3.0) for n in nations}
    ar = []
    for n in nations:
        for p in products:
            a0 = size[n] * rng.uniform(20, 400)
            g = rng.uniform(0.02, 0.08)
            ar += [(n, p, y, a0 * (1 + g) ** (y - start)) for y in years]
    w.table("arisings", ar)
    shares, ccost = [], []
    for n in nations:
        for p in products:
            s1 = rng.uniform(0.1, 0.3)
            s2 = rng.uniform(0.2, 0.35)
            s3 = rng.uniform(0.1, 0.25)
            shares += [(n, p, 1, s1), (n, p, 2, s2), (n, p, 3, s3)]
            c = rng.uniform(0, 2000)
            ccost += [(n, p, 1, c), (n, p, 2, c + rng.uniform(2000, 8000))]
            ccost += [(n, p, 3, c + rng.uniform(10000, 30000))]
    w.table("collection_share", shares)
    w.table("collection_cost", ccost)

    # pre-processing
    pyld, pcost = [], []
    for p in products:
        pyld += [(p, "manual", rng.uniform(0.8, 0.98)), (p, "auto", rng.uniform(0.7, 0.95))]
        pyld += [(p, "shred", rng.uniform(0.5, 0.8))]
    w.table("preprocess_yield", pyld)
    for n in nations:
        for p in products:
            pcost += [
                (n, p, "manual", rng.uniform(500, 4000)),
                (n, p, "auto", rng.uniform(200, 1500)),
                (n, p, "shred", rng.uniform(50, 300)),
            ]
    w.table("preprocess_cost", pcost)

    # routes
    feed, ryld = [], []
    for i, r in enumerate(routes):
        kind = ARCHETYPES[i % 4]
        forms = ("intact", "fines") if kind in ("oxide", "mixed_oxide") else ("intact",)
        for p in products:
            for f in forms:
                if rng.random() < k.feed_density:
                    feed.append((r, p, f, 1))
        if kind in ("oxide", "mixed_oxide"):
            ryld += [(r, kind, e, rng.uniform(0.85, 0.98)) for e in ELEMENTS]
        else:
            ryld.append((r, kind, "all", rng.uniform(0.85, 0.97)))
    w.table("route_feed", feed)
    w.table("route_yield", ryld)
    w.table("grade_recipe", [(g, e, v) for g in GRADES for e, v in RECIPE[g].items()])

    # processes
    cap = {"manual": 2000, "auto": 20000, "shred": 1000, "magnet_making": 50000}
    vom = {"manual": 0, "auto": 300, "shred": 100, "magnet_making": 8000}
    life = {"manual": 10, "auto": 10, "shred": 15, "magnet_making": 20}
    lead = {"manual": 0, "auto": 1, "shred": 1, "magnet_making": 2}
    for i, r in enumerate(routes):
        kind = ARCHETYPES[i % 4]
        cap[r] = {"oxide": 70000, "mixed_oxide": 50000, "alloy": 60000, "magnet": 5000}[kind]
        cap[r] *= rng.uniform(0.8, 1.2)
        vom[r] = {"oxide": 6000, "mixed_oxide": 4000, "alloy": 3000, "magnet": 1000}[kind]
        vom[r] *= rng.uniform(0.8, 1.2)
        life[r], lead[r] = 20, 1 + i % 2
    w.table("capex", [(x, cap[x]) for x in processes])
    w.table("fixed_om", [(x, 0.04 * cap[x]) for x in processes])
    w.table("variable_om", [(x, vom[x]) for x in processes])
    w.table("lifetime", [(x, life[x]) for x in processes])
    w.table("lead_time", [(x, lead[x]) for x in processes])
    w.table("cost_of_capital", [(n, rng.uniform(0.06, 0.12)) for n in nations])
    w.table("capex_factor", [(n, rng.uniform(0.7, 1.3)) for n in nations])
    w.table("opex_factor", [(n, rng.uniform(0.5, 1.5)) for n in nations])
    w.table(
        "max_build",
        [(n, x, rng.uniform(500, 5000)) for n in nations for x in processes if x not in pre],
    )
    w.table("existing_capacity", [(n, "magnet_making", years[0], size[n] * 1000) for n in nations])

    # demand and prices
    dem = []
    for n in nations:
        for g in GRADES:
            d0 = size[n] * rng.uniform(300, 3000)
            dem += [(n, g, y, d0 * 1.04 ** (y - start)) for y in years]
    w.table("demand", dem)
    w.table("unmet_penalty", [(g, 10 * MAGNET_IMPORT[g]) for g in GRADES])
    ip, mp, scap = [], [], []
    for s, _name, _home, kind in suppliers:
        f = rng.uniform(0.95, 1.3) if kind == "outside" else rng.uniform(1.1, 1.5)
        ip += [(s, e, OXIDE_IMPORT[e] * f) for e in ELEMENTS]
        if kind == "outside":
            mp += [(s, g, MAGNET_IMPORT[g] * f) for g in GRADES]
        else:
            scap += [(s, "all", e, y, rng.uniform(50, 500)) for e in ELEMENTS for y in years]
    w.table("import_price", ip)
    w.table("magnet_import_price", mp)
    w.table("supply_cap", scap)
    w.table(
        "oxide_price",
        [("oxide", e, 0.9 * OXIDE_IMPORT[e]) for e in ELEMENTS]
        + [("mixed_oxide", e, 0.7 * OXIDE_IMPORT[e]) for e in ELEMENTS],
    )
    w.table(
        "magnet_price",
        [("magnet", g, 0.8 * MAGNET_IMPORT[g]) for g in GRADES]
        + [("alloy", g, 0.6 * MAGNET_IMPORT[g]) for g in GRADES],
    )
    w.table(
        "scrap_price",
        [("intact", p, rng.uniform(8000, 15000)) for p in products]
        + [("fines", p, rng.uniform(1000, 3000)) for p in products],
    )

    # trade lanes: each form on a random share of ordered pairs
    lanes, consent = [], []
    pos = {n: (rng.random(), rng.random()) for n in nations}
    for f in ("ewaste", "intact", "fines", "oxide", "mixed_oxide", "alloy", "magnet"):
        for o, dd in itertools.permutations(nations, 2):
            if rng.random() < k.lane_density:
                dist = ((pos[o][0] - pos[dd][0]) ** 2 + (pos[o][1] - pos[dd][1]) ** 2) ** 0.5
                lanes.append((f, o, dd, 50 + 400 * dist))
                if f == "ewaste" and rng.random() < 0.3:
                    consent.append((f, o, dd, rng.uniform(10, 100)))
    w.table("freight", lanes)
    w.table("consent_cost", consent)
    return folder


def check(folder: Path) -> dict:
    """Validate, build and solve a generated case; return its size and recovery."""
    sys.path.insert(0, str(HERE.parent))
    from recovery.api import prepare_case, solve_inputs

    c, data, _ = prepare_case(folder)
    res, m = solve_inputs(c, data, return_model=True)
    from pyomo.environ import Constraint, Var

    nvars = sum(len(v) for v in m.component_objects(Var, active=True))
    nrows = sum(len(v) for v in m.component_objects(Constraint, active=True))
    rec = res.summary["kpis"]["recovered_t"]
    return {
        "case": folder.name,
        "vars": nvars,
        "rows": nrows,
        "objective": res.objective,
        "recovered_t": {e: round(v, 1) for e, v in rec.items()},
        "built_t": {
            x: round(v, 1) for x, v in res.summary["kpis"]["capacity_built_t"].items() if v > 1e-6
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("presets", nargs="*", default=list(PRESETS), help="presets to write")
    ap.add_argument("--out", type=Path, default=CASES, help="parent folder of the cases")
    ap.add_argument("--check", action="store_true", help="validate, build and solve each")
    a = ap.parse_args(argv)
    for name in a.presets:
        folder = generate(a.out / name, PRESETS[name])
        print(f"wrote {folder}")
        if a.check:
            info = check(folder)
            print(f"  {info}")
            if sum(info["recovered_t"].values()) <= 0:
                print("  ERROR: nothing recovered")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
