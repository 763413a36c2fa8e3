"""Checks on the inputs: small named functions, each returning every problem it finds.

``validate(data)`` runs them all after reading and returns the full list (reading problems first).
Each check names the file, the row as a spreadsheet shows it, the column, the value, the rule and
how to fix it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pandas as pd

from recovery.errors import Issue
from recovery.feedstock import check_arisings_source
from recovery.inputs import ROW, InputData
from recovery.schema import (
    ALL_ELEMENTS,
    BASES,
    FORM_BASIS,
    FORMS,
    INDEX_SETS,
    MAGNET_MAKING,
    SET_TABLES,
    TABLES,
    TableSpec,
)

ISO2 = re.compile(r"^[A-Z]{2}$")
KEY = re.compile(r"^[A-Za-z0-9_.\-]+$")


def _row(df: pd.DataFrame, i) -> int | None:
    r = abs(int(df.at[i, ROW]))
    return r if r > 0 else None


def _at(data: InputData, name: str, df: pd.DataFrame, i, rule: str, message: str, **where) -> Issue:
    """An issue at row ``i`` of a table: file and row as a spreadsheet shows them."""
    return Issue(_file(data, name, df, i), rule, message, row=_row(df, i), **where)


def _file(data: InputData, name: str, df: pd.DataFrame, i) -> str:
    """The file of a row; rows added or changed by an override say so."""
    r = int(df.at[i, ROW])
    base = data.files.get(name, name)
    if r == 0:  # not from a file: added by an override, or derived (e.g. arisings)
        return f"{name} (row added by an override)" if df.at[i, "source"] == "override" else base
    return f"{base} (after override)" if r < 0 else base


def keys(data: InputData, set_name: str) -> set[str]:
    """Members of a set as the checks see them (``process`` and ``year`` are derived)."""
    if set_name == "year":
        return {str(y) for y in data.case.years}
    if set_name == "form":
        return set(FORMS)
    if set_name == "process":
        return keys(data, "preprocess") | keys(data, "route") | {MAGNET_MAKING}
    df = data.sets.get(set_name)
    if df is None:
        return set()
    return set(df[set_name].astype(str))


# -- set tables ----------------------------------------------------------------------------------


def check_set_tables(data: InputData) -> list[Issue]:
    """Keys are present, unique and well formed; attributes reference known keys."""
    issues = []
    for spec in SET_TABLES:
        df = data.sets.get(spec.name)
        if df is None:
            continue
        file = data.files[spec.name]
        if df.empty:
            issues.append(
                Issue(
                    file, "table-empty", f"{spec.file} has no rows", f"add at least one {spec.name}"
                )
            )
            continue
        seen: dict[str, int] = {}
        for i in df.index:
            k = df.at[i, spec.name]
            row = _row(df, i)
            if k == "":
                issues.append(
                    Issue(
                        file,
                        "key-empty",
                        f"empty {spec.name} key",
                        row=row,
                        column=spec.name,
                        fix="give every row a key",
                    )
                )
                continue
            if spec.name == "nation" and not ISO2.match(k):
                issues.append(
                    Issue(
                        file,
                        "nation-code",
                        "nation codes are ISO 3166 alpha-2 (two capital letters)",
                        row=row,
                        column="nation",
                        value=k,
                        fix="e.g. IN, US, JP, AU",
                    )
                )
            elif not KEY.match(k):
                issues.append(
                    Issue(
                        file,
                        "key-format",
                        "keys use letters, digits, _ . - only",
                        row=row,
                        column=spec.name,
                        value=k,
                    )
                )
            if k in seen:
                issues.append(
                    Issue(
                        file,
                        "key-duplicate",
                        f"{spec.name} '{k}' appears twice (also row {seen[k]})",
                        row=row,
                        column=spec.name,
                        value=k,
                        fix="remove or rename one of the rows",
                    )
                )
            seen.setdefault(k, row)
            for col, ref in spec.references.items():
                v = df.at[i, col]
                if ref == "iso2":
                    ok = bool(ISO2.match(v))
                    hint = "an ISO 3166 alpha-2 code"
                else:
                    ok = v in keys(data, ref)
                    hint = f"one of: {', '.join(sorted(keys(data, ref)))}"
                if not ok:
                    issues.append(
                        Issue(
                            file,
                            "key-unknown",
                            f"unknown {col} '{v}'",
                            row=row,
                            column=col,
                            value=v,
                            fix=f"use {hint}",
                        )
                    )
            for col, allowed in spec.choices.items():
                v = df.at[i, col]
                if v not in allowed:
                    issues.append(
                        Issue(
                            file,
                            "choice",
                            f"{col} must be one of {', '.join(allowed)}",
                            row=row,
                            column=col,
                            value=v,
                        )
                    )
    overlap = keys(data, "preprocess") & keys(data, "route")
    for k in sorted(overlap | ({MAGNET_MAKING} & (keys(data, "preprocess") | keys(data, "route")))):
        issues.append(
            Issue(
                data.files.get("route", "route.csv"),
                "process-key",
                f"'{k}' is used as both a pre-processing method and a route (or is "
                f"the reserved name {MAGNET_MAKING})",
                value=k,
                fix="process keys must be unique across preprocess.csv and route.csv",
            )
        )
    return issues


# -- parameter tables ----------------------------------------------------------------------------


def check_required_not_empty(data: InputData) -> list[Issue]:
    """A required table has at least one row."""
    return [
        Issue(
            data.files[s.name],
            "table-empty",
            f"required table {s.file} has no rows",
            "add rows (see inputs/README.md)",
        )
        for s in TABLES
        if s.required and s.name in data.tables and data.tables[s.name].empty
    ]


def check_units(data: InputData) -> list[Issue]:
    """Every row states the table's declared unit."""
    issues = []
    for spec, df in _tables(data):
        for i in df.index[df["unit"] != spec.unit]:
            issues.append(
                _at(
                    data,
                    spec.name,
                    df,
                    i,
                    "unit",
                    f"unit must be '{spec.unit}'",
                    column="unit",
                    value=df.at[i, "unit"],
                    fix=f"convert the value to {spec.unit} and write '{spec.unit}'",
                )
            )
    return issues


def check_provenance(data: InputData) -> list[Issue]:
    """Every row names its source and a basis from the allowed list."""
    issues = []
    for spec, df in _tables(data):
        for i in df.index[df["source"] == ""]:
            issues.append(
                _at(
                    data,
                    spec.name,
                    df,
                    i,
                    "source-missing",
                    "every value needs a source",
                    column="source",
                    fix="name the source key (see inputs/SOURCES.md)",
                )
            )
        for i in df.index[~df["basis"].isin(BASES)]:
            issues.append(
                _at(
                    data,
                    spec.name,
                    df,
                    i,
                    "basis",
                    f"basis must be one of {', '.join(BASES)}",
                    column="basis",
                    value=df.at[i, "basis"],
                )
            )
    return issues


#: index columns whose keys are not a set's members but follow a pattern: (regex, message)
_PATTERNS = {
    "year": (r"\d{4}", "year must be a four-digit number"),
    "currency": (r"[A-Z]{3}", "currency must be an ISO 4217 code (e.g. INR)"),
    "tier": (r"[1-9]\d*", "tier must be a whole number 1, 2, ..."),
}


def check_index_keys(data: InputData) -> list[Issue]:
    """Index columns hold known keys; years lie in the horizon (unless history is allowed)."""
    issues = []
    years = keys(data, "year")
    for spec, df in _tables(data):
        for col in spec.index:
            ref = INDEX_SETS[col]
            extra = set(spec.extra_keys.get(col, ()))
            if ref in _PATTERNS:
                pattern, message = _PATTERNS[ref]
                for i in df.index[~df[col].str.fullmatch(pattern)]:
                    issues.append(
                        _at(
                            data,
                            spec.name,
                            df,
                            i,
                            ref,
                            message,
                            column=col,
                            value=df.at[i, col],
                        )
                    )
                if ref == "year" and not spec.history:
                    out = df[col].str.fullmatch(_PATTERNS["year"][0]) & ~df[col].isin(years)
                    for i in df.index[out]:
                        issues.append(
                            _at(
                                data,
                                spec.name,
                                df,
                                i,
                                "year-horizon",
                                "year outside the case horizon",
                                column=col,
                                value=df.at[i, col],
                                fix=f"use {min(years)}-{max(years)}",
                            )
                        )
                continue
            allowed = keys(data, ref) | extra
            if ref == "form" and spec.forms:
                allowed = set(spec.forms)
            for i in df.index[~df[col].isin(allowed)]:
                v = df.at[i, col]
                close = [k for k in allowed if k.lower() == v.lower().strip()]
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else (f"use one of: {', '.join(sorted(allowed))}")
                )
                issues.append(
                    _at(
                        data,
                        spec.name,
                        df,
                        i,
                        "key-unknown",
                        f"unknown {col} '{v}'",
                        column=col,
                        value=v,
                        fix=hint,
                    )
                )
    return issues


def check_duplicates(data: InputData) -> list[Issue]:
    """No two rows of a table share the same index."""
    issues = []
    for spec, df in _tables(data):
        dup = df.duplicated(list(spec.index), keep="first")
        for i in df.index[dup]:
            key = ", ".join(f"{c}={df.at[i, c]}" for c in spec.index)
            issues.append(
                _at(
                    data,
                    spec.name,
                    df,
                    i,
                    "key-duplicate",
                    f"duplicate row for {key}",
                    fix="keep one row per index",
                )
            )
    return issues


def _range_suspects(df: pd.DataFrame, spec: TableSpec) -> pd.Series:
    """Rows that may break a range rule (the rule-by-rule check then runs on these only)."""
    v, lo, hi = df["value"], df["low"], df["high"]
    bad = pd.Series(False, index=df.index)
    for x in (v, lo, hi):
        bad |= (x < spec.lo) | (x > spec.hi)
        if spec.integer:
            bad |= x.notna() & (x != x.round())
    return bad | (lo > hi) | (v < lo) | (v > hi)


def check_ranges(data: InputData) -> list[Issue]:
    """Values lie within the schema's bounds and within their own low-high range."""
    issues = []
    for spec, df in _tables(data):
        for i in df.index[_range_suspects(df, spec)]:
            v, lo, hi = df.at[i, "value"], df.at[i, "low"], df.at[i, "high"]
            for col, x in (("value", v), ("low", lo), ("high", hi)):
                if math.isnan(x):
                    continue  # reported when reading
                if x < spec.lo or x > spec.hi:
                    what = "negative" if x < 0 <= spec.lo else "outside the plausible range"
                    issues.append(
                        _at(
                            data,
                            spec.name,
                            df,
                            i,
                            "bounds",
                            f"{col} is {what} [{spec.lo:g}, {spec.hi:g}] {spec.unit}",
                            column=col,
                            value=f"{x:g}",
                            fix=f"check the unit ({spec.unit}) and the number",
                        )
                    )
                if spec.integer and x != round(x):
                    issues.append(
                        _at(
                            data,
                            spec.name,
                            df,
                            i,
                            "integer",
                            f"{col} must be a whole number",
                            column=col,
                            value=f"{x:g}",
                        )
                    )
            if not (math.isnan(lo) or math.isnan(hi)) and lo > hi:
                issues.append(
                    _at(
                        data,
                        spec.name,
                        df,
                        i,
                        "low-high",
                        "low is above high",
                        column="low",
                        value=f"{lo:g} > {hi:g}",
                        fix="swap low and high",
                    )
                )
            elif not any(math.isnan(x) for x in (v, lo, hi)) and not lo <= v <= hi:
                issues.append(
                    _at(
                        data,
                        spec.name,
                        df,
                        i,
                        "value-range",
                        f"value lies outside its own range [{lo:g}, {hi:g}]",
                        column="value",
                        value=f"{v:g}",
                        fix="correct the value or widen low/high with a source",
                    )
                )
    return issues


def check_group_sums(data: InputData) -> list[Issue]:
    """Shares and mass fractions add up to at most one within their group."""
    issues = []
    for spec, df in _tables(data):
        if not spec.sum_to_one_over or df.empty:
            continue
        sums = df.groupby(list(spec.sum_to_one_over))["value"].sum()
        for key, total in sums.items():
            if total > 1 + 1e-9:
                key = key if isinstance(key, tuple) else (key,)
                label = ", ".join(f"{c}={k}" for c, k in zip(spec.sum_to_one_over, key))
                issues.append(
                    Issue(
                        data.files[spec.name],
                        "sum-to-one",
                        f"values for {label} add up to {total:g}, more than 1",
                        value=f"{total:g}",
                        fix="shares must add up to at most 1",
                    )
                )
    return issues


def check_route_yield_elements(data: InputData) -> list[Issue]:
    """Element-based forms name elements; magnet-mass forms use element 'all'."""
    issues = []
    df = data.tables.get("route_yield")
    if df is None:
        return issues
    for i in df.index:
        form, el = df.at[i, "form"], df.at[i, "element"]
        if form not in FORM_BASIS:
            continue
        if FORM_BASIS[form] == "element" and el == ALL_ELEMENTS:
            issues.append(
                _at(
                    data,
                    "route_yield",
                    df,
                    i,
                    "yield-element",
                    f"form {form} is measured per element; name the element",
                    column="element",
                    value=el,
                )
            )
        if FORM_BASIS[form] == "grade" and el != ALL_ELEMENTS:
            issues.append(
                _at(
                    data,
                    "route_yield",
                    df,
                    i,
                    "yield-element",
                    f"form {form} keeps the magnet's composition; use element "
                    f"'{ALL_ELEMENTS}' (a mass yield)",
                    column="element",
                    value=el,
                )
            )
    return issues


def check_coverage(data: InputData) -> list[Issue]:
    """Rows that the chain needs exist: composition, recipes, process costs, penalties, prices."""
    issues = []

    def need(table: str, have: set, wanted: set, what: str) -> None:
        for k in sorted(wanted - have):
            issues.append(
                Issue(
                    data.files.get(table, table),
                    "coverage",
                    f"no row for {what} {k}",
                    value=str(k),
                    fix=f"add a row to {table}.csv",
                )
            )

    def col(table: str, c: str) -> set:
        df = data.tables.get(table)
        return set() if df is None else set(df[c].astype(str))

    products, grades = keys(data, "product"), keys(data, "grade")
    need("composition", col("composition", "product"), products, "product")
    need("ewaste_mass", col("ewaste_mass", "product"), products, "product")
    need("grade_recipe", col("grade_recipe", "grade"), grades, "grade")
    need("unmet_penalty", col("unmet_penalty", "grade"), grades, "grade")
    need("cost_of_capital", col("cost_of_capital", "nation"), keys(data, "nation"), "nation")
    processes = keys(data, "process")
    for t in ("capex", "fixed_om", "variable_om", "lifetime"):
        need(t, col(t, "process"), processes, "process")
    need("route_yield", col("route_yield", "route"), keys(data, "route"), "route")
    if "oxide_demand" in data.tables and not data.tables["oxide_demand"].empty:
        need(
            "oxide_unmet_penalty",
            col("oxide_unmet_penalty", "element"),
            set(data.tables["oxide_demand"]["element"]),
            "element",
        )
    share, cost = data.tables.get("collection_share"), data.tables.get("collection_cost")
    if share is not None and cost is not None:
        idx = ["nation", "product", "tier"]
        have = set(map(tuple, cost[idx].to_numpy().tolist()))
        for t in sorted(set(map(tuple, share[idx].to_numpy().tolist())) - have):
            issues.append(
                Issue(
                    data.files["collection_cost"],
                    "coverage",
                    f"collection tier {t} has a share but no cost",
                    value=str(t),
                    fix="add a collection_cost row for it",
                )
            )
    fr = data.tables.get("freight")
    if fr is not None:
        for i in fr.index[fr["origin"] == fr["destination"]]:
            issues.append(
                _at(
                    data,
                    "freight",
                    fr,
                    i,
                    "lane-self",
                    "a lane must join two different nations",
                    column="destination",
                    value=fr.at[i, "destination"],
                )
            )
    return issues


def check_arbitrage(data: InputData) -> list[Issue]:
    """No supplier sells below the market price the same thing can be sold at (that would be an
    unlimited profit unless the supplier is capped to the alliance)."""
    issues = []
    pairs = (
        ("import_price", "oxide_price", "oxide", "element", "supply_cap"),
        ("magnet_import_price", "magnet_price", "magnet", "grade", "magnet_supply_cap"),
    )
    for buy_t, sell_t, form, key, cap_t in pairs:
        buy, sell = data.tables.get(buy_t), data.tables.get(sell_t)
        if buy is None or sell is None or buy.empty or sell.empty:
            continue
        caps = data.tables.get(cap_t)
        capped = (
            set()
            if caps is None
            else set(
                zip(
                    caps["supplier"][caps["destination"] == "all"],
                    caps[key][caps["destination"] == "all"],
                )
            )
        )
        price = {r[key]: r["value"] for _, r in sell[sell["form"] == form].iterrows()}
        for i in buy.index:
            k, s = buy.at[i, key], buy.at[i, "supplier"]
            p = price.get(k)
            if p is not None and buy.at[i, "value"] < p and (s, k) not in capped:
                issues.append(
                    _at(
                        data,
                        buy_t,
                        buy,
                        i,
                        "arbitrage",
                        f"{s} sells {k} {form} at {buy.at[i, 'value']:g} USD/t, below "
                        f"its market sale price {p:g} USD/t in {sell_t}.csv: buying to "
                        "resell would be an unlimited profit",
                        column="value",
                        value=f"{buy.at[i, 'value']:g}",
                        fix="raise the purchase price, lower the sale price, or cap "
                        "the supplier (destination all)",
                    )
                )
    return issues


CHECKS: tuple[Callable[[InputData], list[Issue]], ...] = (
    check_set_tables,
    check_required_not_empty,
    check_units,
    check_provenance,
    check_index_keys,
    check_duplicates,
    check_ranges,
    check_group_sums,
    check_route_yield_elements,
    check_coverage,
    check_arbitrage,
    check_arisings_source,
)


def validate(data: InputData) -> list[Issue]:
    """Every problem in the inputs: reading problems, then each check in order."""
    issues = list(data.issues)
    for check in CHECKS:
        issues += check(data)
    return issues


def _tables(data: InputData):
    for spec in TABLES:
        df = data.tables.get(spec.name)
        if df is not None:
            yield spec, df
