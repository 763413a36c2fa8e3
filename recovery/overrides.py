"""One override object for the CLI, the app, scenarios and sweeps.

An override changes the ``value`` of the rows of one parameter table selected by key filters::

    set    import_price[supplier=CN,element=Dy]=900000     value := 900000
    scale  demand[nation=IN]=1.5                            value := value * 1.5

``set`` with filters naming every index column adds the row if it does not exist (e.g. opening a
freight lane), marked as an assumption with source ``override``. ``scale`` also scales ``low`` and
``high``; ``set`` widens the row's range to contain the new value. Overrides never touch files.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from recovery.errors import InputError, Issue
from recovery.inputs import ROW, InputData, parse_number
from recovery.schema import TABLES_BY_NAME

_SPEC = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[(.*)\])?\s*=\s*(.+?)\s*$")


@dataclass(frozen=True)
class Override:
    """``op`` (set or scale) the value of rows of ``table`` matching ``filters`` by ``value``."""

    op: str
    table: str
    filters: tuple[tuple[str, str], ...]
    value: float

    @classmethod
    def parse(cls, op: str, text: str) -> Override:
        """Parse ``table[col=key,...]=number``; raise :class:`InputError` naming the problem."""
        where = f"--{op} {text!r}"
        if op not in ("set", "scale"):
            raise InputError(
                [Issue(where, "override", f"unknown operation '{op}'", "use set or scale")]
            )
        m = _SPEC.match(text)
        if not m:
            raise InputError(
                [
                    Issue(
                        where,
                        "override",
                        "cannot read the override",
                        'write it as table[column=key,...]=number, e.g. "demand[nation=IN]=1.5"',
                    )
                ]
            )
        table, inner, number = m.group(1), m.group(2), m.group(3)
        filters = []
        if inner and inner.strip():
            for part in inner.split(","):
                if "=" not in part:
                    raise InputError(
                        [
                            Issue(
                                where,
                                "override",
                                f"filter '{part.strip()}' has no '='",
                                "write filters as column=key",
                            )
                        ]
                    )
                k, v = part.split("=", 1)
                filters.append((k.strip(), v.strip()))
        v, problem = parse_number(number)
        if problem:
            raise InputError([Issue(where, "override", problem, value=number)])
        return cls(op, table, tuple(filters), v)

    def __str__(self) -> str:
        inner = ",".join(f"{k}={v}" for k, v in self.filters)
        return f"{self.op} {self.table}[{inner}]={self.value:g}"

    def as_dict(self) -> dict:
        inner = ",".join(f"{k}={v}" for k, v in self.filters)
        return {self.op: f"{self.table}[{inner}]={self.value!r}"}


def parse_overrides(items) -> list[Override]:
    """Accept Override objects, ``{"set": "..."}`` dicts or ``("scale", "...")`` pairs."""
    out: list[Override] = []
    issues: list[Issue] = []
    for item in items or []:
        try:
            if isinstance(item, Override):
                out.append(item)
            elif isinstance(item, dict) and len(item) == 1:
                ((op, text),) = item.items()
                out.append(Override.parse(op, str(text)))
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                out.append(Override.parse(str(item[0]), str(item[1])))
            else:
                issues.append(
                    Issue(str(item), "override", "an override is {set: ...} or {scale: ...}")
                )
        except InputError as exc:
            issues += exc.issues
    if issues:
        raise InputError(issues)
    return out


def apply_overrides(data: InputData, overrides: list[Override]) -> InputData:
    """A copy of ``data`` with every override applied; all unknown names are reported at once."""
    from recovery.inputs import FEEDSTOCK_TABLES, derive_feedstock

    out = data.copy()
    issues: list[Issue] = []
    first = [o for o in overrides if o.table in FEEDSTOCK_TABLES]
    for ov in first:
        issues += _apply_one(out, ov)
    if first and not issues:
        issues += derive_feedstock(out)
    for ov in overrides:
        if ov.table not in FEEDSTOCK_TABLES:
            issues += _apply_one(out, ov)
    if issues:
        raise InputError(issues)
    out.overrides = tuple(data.overrides) + tuple(overrides)
    return out


def _apply_one(data: InputData, ov: Override) -> list[Issue]:
    where = f"override '{ov}'"
    spec = TABLES_BY_NAME.get(ov.table)
    if spec is None:
        known = ", ".join(sorted(TABLES_BY_NAME))
        return [Issue(where, "override-table", f"unknown table '{ov.table}'", f"tables: {known}")]
    bad = [k for k, _ in ov.filters if k not in spec.index]
    if bad:
        return [
            Issue(
                where,
                "override-column",
                f"table {ov.table} has no index column '{bad[0]}'",
                f"its index columns are: {', '.join(spec.index)}",
            )
        ]
    if not math.isfinite(ov.value):
        return [Issue(where, "override", "value must be finite")]
    if ov.table in ("fx_rate", "deflator"):
        return [
            Issue(
                where,
                "override-table",
                f"{ov.table} is applied when the inputs are read, so an override cannot change it",
                "edit the CSV (or a copy of it in the "
                "case folder), or override the converted table rows directly",
            )
        ]
    df = data.tables.get(ov.table)
    if df is None:
        df = pd.DataFrame(columns=[*spec.columns, ROW])
    mask = pd.Series(True, index=df.index)
    for k, v in ov.filters:
        mask &= df[k].astype(str) == v
    if not mask.any():
        full = {k for k, _ in ov.filters} == set(spec.index)
        if ov.op == "set" and full:
            row = dict(ov.filters)
            row.update(
                value=ov.value,
                unit=spec.unit,
                low=ov.value,
                high=ov.value,
                source="override",
                basis="assumption",
                note=f"added by {where}",
            )
            row[ROW] = 0
            data.tables[ov.table] = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
            return []
        for k, v in ov.filters:
            if k in df.columns and not (df[k].astype(str) == v).any():
                keys = sorted(df[k].astype(str).unique())[:12]
                return [
                    Issue(
                        where,
                        "override-key",
                        f"no row of {ov.table} has {k}={v}",
                        f"known {k} values: {', '.join(keys)}",
                    )
                ]
        return [Issue(where, "override-key", f"no row of {ov.table} matches all filters")]
    df = df.copy()
    df.loc[mask, ROW] = -df.loc[mask, ROW].abs()  # negative: changed by an override
    if ov.op == "scale":
        if ov.value < 0:
            return [Issue(where, "override", "scale factor must not be negative")]
        for col in ("value", "low", "high"):
            df.loc[mask, col] = df.loc[mask, col] * ov.value
    else:
        df.loc[mask, "value"] = ov.value
        df.loc[mask, "low"] = df.loc[mask, "low"].where(df.loc[mask, "low"] <= ov.value, ov.value)
        df.loc[mask, "high"] = df.loc[mask, "high"].where(
            df.loc[mask, "high"] >= ov.value, ov.value
        )
    data.tables[ov.table] = df
    return []
