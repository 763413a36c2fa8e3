"""Feedstock: end-of-life magnet arisings derived from units put on the market.

Public data on magnet mass in end-of-life products per nation and year does not exist, but sales
(units put on the market), product lifetimes and the magnet mass per unit can be estimated. This
module turns them into the ``arisings`` table with a discretised Weibull lifetime model (the
method of the CBS/UNU "Waste over Time" tool)::

    A[n,p,y] = sum_{v <= y} POM[n,p,v] * w_p(y - v) * m_p / 1000 * s_p

    w_p(0) = F_p(0.5),  w_p(a) = F_p(a + 0.5) - F_p(a - 0.5)  (a >= 1)
    F_p(t) = 1 - exp(-(t / scale_p) ** shape_p)

with ``POM`` the units put on the market (units/yr), ``m_p`` the NdFeB mass in a unit that has
magnets (kg/unit) and ``s_p`` the share of units that have NdFeB magnets. Rows given explicitly in
``arisings.csv`` win over derived rows with the same (nation, product, year).

``derive_arisings`` is pure: it reads the tables of an :class:`~recovery.inputs.InputData` and
returns a table plus the problems it found; it never raises on bad data.
"""

from __future__ import annotations

import math

import pandas as pd

from recovery.errors import Issue

ARISINGS_COLUMNS = (
    "nation",
    "product",
    "year",
    "value",
    "unit",
    "low",
    "high",
    "source",
    "basis",
    "note",
)
METHOD_NOTE = (
    "derived: sum over sales years of put_on_market x discretised Weibull discard share "
    "(lifetime_scale, lifetime_shape) x magnet_per_unit/1000 x ndfeb_unit_share; "
    "low/high from the low/high of put_on_market, magnet_per_unit and ndfeb_unit_share"
)
DERIVED_LABEL = "arisings (derived from put_on_market)"
_PRODUCT_TABLES = ("lifetime_scale", "lifetime_shape", "magnet_per_unit", "ndfeb_unit_share")


def weibull_cdf(t: float, scale: float, shape: float) -> float:
    """Share of a sales cohort discarded by age ``t`` years (0 for t <= 0)."""
    if t <= 0:
        return 0.0
    return 1.0 - math.exp(-((t / scale) ** shape))


def discard_share(age: int, scale: float, shape: float) -> float:
    """Share of a sales cohort discarded in the year ``age`` years after sale (age 0: F(0.5))."""
    if age < 0:
        return 0.0
    if age == 0:
        return weibull_cdf(0.5, scale, shape)
    return weibull_cdf(age + 0.5, scale, shape) - weibull_cdf(age - 0.5, scale, shape)


def _per_product(data, name: str) -> dict[str, tuple[float, float, float]]:
    """``{product: (value, low, high)}`` of a per-product table (rows with a NaN value skipped)."""
    df = data.tables.get(name)
    out: dict[str, tuple[float, float, float]] = {}
    if df is None:
        return out
    for p, v, lo, hi in zip(df["product"], df["value"], df["low"], df["high"]):
        if isinstance(v, float) and math.isnan(v):
            continue
        lo = v if (isinstance(lo, float) and math.isnan(lo)) else lo
        hi = v if (isinstance(hi, float) and math.isnan(hi)) else hi
        out[str(p)] = (float(v), float(lo), float(hi))
    return out


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[*ARISINGS_COLUMNS, "_row"])


def derive_arisings(data) -> tuple[pd.DataFrame, list[Issue]]:
    """Arisings [nation, product, year] (t/yr of magnet mass) for every year of the case horizon.

    Returns the table in the long ``arisings`` format (index columns as text, ``value``/``low``/
    ``high`` floats, ``source`` and ``basis`` "derived", a note naming the method, ``_row`` 0),
    with explicit rows of ``arisings.csv`` (if any) replacing derived rows of the same key, and the
    list of problems found (a product with sales but no lifetime or magnet mass).
    """
    issues: list[Issue] = []
    pom = data.tables.get("put_on_market")
    explicit = data.tables.get("arisings")
    if pom is None or pom.empty:
        return (explicit.copy() if explicit is not None else _empty()), issues
    params = {name: _per_product(data, name) for name in _PRODUCT_TABLES}
    share = _per_product(data, "ndfeb_unit_share")
    years = list(data.case.years)

    # cohorts per (nation, product): {sales year: (value, low, high)}
    cohorts: dict[tuple[str, str], dict[int, tuple[float, float, float]]] = {}
    for n, p, yr, v, lo, hi in zip(
        pom["nation"], pom["product"], pom["year"], pom["value"], pom["low"], pom["high"]
    ):
        try:
            year = int(str(yr))
        except ValueError:
            continue  # reported by check_index_keys
        if isinstance(v, float) and math.isnan(v):
            continue  # reported when reading
        lo = v if (isinstance(lo, float) and math.isnan(lo)) else lo
        hi = v if (isinstance(hi, float) and math.isnan(hi)) else hi
        cohorts.setdefault((str(n), str(p)), {})[year] = (float(v), float(lo), float(hi))

    missing_reported: set[tuple[str, str]] = set()
    rows = []
    for (n, p), sales in sorted(cohorts.items()):
        absent = [t for t in _PRODUCT_TABLES if p not in params[t]]
        if absent:
            for t in absent:
                if (t, p) not in missing_reported:
                    missing_reported.add((t, p))
                    issues.append(
                        Issue(
                            f"{t}.csv",
                            "coverage",
                            f"product '{p}' has put_on_market rows but no {t} row, so its arisings "
                            "cannot be derived",
                            value=p,
                            fix=f"add a row for '{p}' to {t}.csv",
                        )
                    )
            continue
        scale, shape = params["lifetime_scale"][p][0], params["lifetime_shape"][p][0]
        if scale <= 0 or shape <= 0:
            continue  # reported by check_ranges
        m, m_lo, m_hi = params["magnet_per_unit"][p]
        s, s_lo, s_hi = share[p]
        for y in years:
            tot = tot_lo = tot_hi = 0.0
            for v, (u, u_lo, u_hi) in sales.items():
                w = discard_share(y - v, scale, shape)
                if w == 0.0:
                    continue
                tot += u * w
                tot_lo += u_lo * w
                tot_hi += u_hi * w
            rows.append(
                {
                    "nation": n,
                    "product": p,
                    "year": str(y),
                    "value": tot * m / 1000.0 * s,
                    "unit": "t/yr",
                    "low": tot_lo * m_lo / 1000.0 * s_lo,
                    "high": tot_hi * m_hi / 1000.0 * s_hi,
                    "source": "derived",
                    "basis": "derived",
                    "note": f"{METHOD_NOTE} (Weibull scale {scale:g} yr, shape {shape:g})",
                    "_row": 0,
                }
            )
    derived = pd.DataFrame(rows, columns=[*ARISINGS_COLUMNS, "_row"]) if rows else _empty()
    for c in ("value", "low", "high"):
        derived[c] = derived[c].astype(float)
    if explicit is not None and not explicit.empty:
        key = ["nation", "product", "year"]
        have = set(map(tuple, explicit[key].astype(str).to_numpy().tolist()))
        keep = [tuple(k) not in have for k in derived[key].to_numpy().tolist()]
        derived = pd.concat([explicit, derived[keep]], ignore_index=True)
    return derived.reset_index(drop=True), issues


def check_arisings_source(data) -> list[Issue]:
    """A case needs end-of-life feedstock: ``arisings`` or ``put_on_market`` to derive it from."""
    has_arisings = "arisings" in data.tables and not data.tables["arisings"].empty
    has_pom = "put_on_market" in data.tables and not data.tables["put_on_market"].empty
    if has_arisings or has_pom:
        return []
    return [
        Issue(
            "arisings.csv",
            "table-missing",
            "the case has no end-of-life feedstock: neither arisings.csv nor put_on_market.csv "
            "(with lifetime_scale, lifetime_shape, magnet_per_unit, ndfeb_unit_share) was found",
            fix="add arisings.csv (t/yr of magnet mass per nation, product, year) or "
            "put_on_market.csv and the per-product lifetime and magnet tables",
        )
    ]
