"""Money in real USD of the case's currency year, converted from the sources' currencies and years.

A row of a table whose declared unit is in USD (``USD/t``, ``USD/(t/yr)``, ``USD``, ...) may state
its unit with another currency and price year instead, e.g. ``INR2025/t`` or ``USD2020/t``. On
reading, such rows are converted::

    USD(case year) = value x fx_rate[currency, price year]
                   x deflator[case year] / deflator[price year]

with ``fx_rate`` (USD per unit of currency, yearly average) and ``deflator`` (US GDP price
deflator) themselves sourced input tables. ``low`` and ``high`` are converted alike, the unit
becomes the declared one and the note records the original figure. Rows already in plain ``USD``
units are taken to be in the case's currency year.
"""

from __future__ import annotations

import math
import re

from recovery.errors import Issue
from recovery.schema import TABLES

_UNIT = re.compile(r"^([A-Z]{3})(\d{4})(.*)$")


def _lookup(data, name: str) -> dict:
    df = data.tables.get(name)
    if df is None:
        return {}
    cols = [c for c in ("currency", "year") if c in df.columns]
    return {
        tuple(str(x) for x in k): float(v)
        for k, v in zip(df[cols].itertuples(index=False, name=None), df["value"], strict=False)
    }


def convert_currencies(data) -> list[Issue]:
    """Convert every row given in another currency or price year; return the problems found."""
    fx, defl = _lookup(data, "fx_rate"), _lookup(data, "deflator")
    target = str(data.case.config.currency_year)
    issues: list[Issue] = []
    for spec in TABLES:
        if not spec.unit.startswith("USD") or spec.name in ("fx_rate",):
            continue
        df = data.tables.get(spec.name)
        if df is None or df.empty:
            continue
        rest = spec.unit[3:]
        for i in df.index:
            unit = df.at[i, "unit"]
            m = _UNIT.match(unit)
            if unit == spec.unit or not m or m.group(3) != rest:
                continue  # plain USD, or a unit error reported by check_units
            cur, year = m.group(1), m.group(2)
            file, row = data.files.get(spec.name, spec.name), int(abs(df.at[i, "_row"])) or None
            rate = 1.0 if cur == "USD" else fx.get((cur, year))
            if rate is None:
                issues.append(
                    Issue(
                        file,
                        "currency",
                        f"no fx_rate for {cur} in {year}",
                        row=row,
                        column="unit",
                        value=unit,
                        fix=f"add a row {cur},{year} to fx_rate.csv",
                    )
                )
                continue
            if (year,) not in defl or (target,) not in defl:
                missing = year if (year,) not in defl else target
                issues.append(
                    Issue(
                        file,
                        "currency",
                        f"no deflator for {missing}",
                        row=row,
                        column="unit",
                        value=unit,
                        fix=f"add a row for {missing} to deflator.csv",
                    )
                )
                continue
            rates = (rate, defl[(year,)], defl[(target,)])
            if not all(x > 0 and math.isfinite(x) for x in rates):
                issues.append(
                    Issue(
                        file,
                        "currency",
                        f"fx_rate or deflator for {cur} {year} is not a positive number",
                        row=row,
                        column="unit",
                        value=unit,
                        fix="give positive rates in fx_rate.csv and deflator.csv",
                    )
                )
                continue
            factor = rate * defl[(target,)] / defl[(year,)]
            orig = df.at[i, "value"]
            for col in ("value", "low", "high"):
                if not math.isnan(df.at[i, col]):
                    df.at[i, col] = df.at[i, col] * factor
            df.at[i, "unit"] = spec.unit
            note = f"converted from {orig:g} {unit} (x {factor:.6g})"
            df.at[i, "note"] = f"{df.at[i, 'note']}; {note}" if df.at[i, "note"] else note
    return issues
