"""The inputs layer: the only code that reads input files.

``read_inputs(case)`` finds each declared table (the case folder's own copy wins over the shared
``inputs/`` one), reads it as text, parses the numbers and returns an :class:`InputData` whose
``issues`` list every reading problem at once. Nothing here raises on bad data.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from recovery.case import Case
from recovery.errors import Issue
from recovery.schema import SET_TABLES, TABLES, SetSpec, TableSpec

MAX_TABLE_BYTES = 20_000_000
MAX_TABLE_ROWS = 200_000
NUMBER_COLUMNS = ("value", "low", "high")
ROW = "_row"  # line number in the file (header = 1)

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass
class InputData:
    """All input tables of a case after reading (and, later, overrides).

    ``sets`` maps a set name to its table (text columns); ``tables`` maps a parameter table name to
    its long table: index columns as text, ``value``/``low``/``high`` as floats (NaN where a cell
    could not be read: the matching issue is in ``issues``), the provenance columns as text, and
    ``_row`` with the line number in the file. ``files`` names the file each table came from.
    """

    case: Case
    sets: dict[str, pd.DataFrame] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    overrides: tuple = ()
    #: the rows of arisings.csv as read (before derived rows are merged in), or None
    explicit_arisings: pd.DataFrame | None = None

    def table(self, name: str) -> pd.DataFrame:
        """The named parameter table (an empty one with the declared columns if absent)."""
        if name in self.tables:
            return self.tables[name]
        from recovery.schema import TABLES_BY_NAME

        spec = TABLES_BY_NAME[name]
        return pd.DataFrame(columns=[*spec.columns, ROW])

    def copy(self) -> InputData:
        return replace(
            self,
            sets={k: v.copy() for k, v in self.sets.items()},
            tables={k: v.copy() for k, v in self.tables.items()},
            files=dict(self.files),
            issues=list(self.issues),
            explicit_arisings=None
            if self.explicit_arisings is None
            else self.explicit_arisings.copy(),
        )

    def content_hash(self) -> str:
        """SHA-256 of every table's content (after overrides), independent of file layout."""
        h = hashlib.sha256()
        for name in sorted(self.sets):
            h.update(name.encode())
            h.update(self.sets[name].to_csv(index=False).encode())
        for name in sorted(self.tables):
            df = self.tables[name].drop(columns=[ROW], errors="ignore")
            h.update(name.encode())
            h.update(df.to_csv(index=False, float_format="%.17g").encode())
        return h.hexdigest()[:16]


def parse_number(text: str) -> tuple[float, str | None]:
    """Parse a cell as a finite float; return (value, problem) with NaN and a reason on failure."""
    s = text.strip()
    if s == "":
        return math.nan, "empty cell where a number is required"
    if _NUMBER.match(s):
        v = float(s)
        if not math.isfinite(v):
            return math.nan, "number too large"
        return v, None
    low = s.lower()
    if low in {"nan", "na", "n/a", "null", "none", "-"}:
        return math.nan, "missing value where a number is required"
    if low.lstrip("+-") in {"inf", "infinity"}:
        return math.nan, "infinite value; give a finite number"
    if re.match(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", s):
        return math.nan, "thousands separator in a number; write 1000 not 1,000"
    if re.match(r"^[+-]?\d+,\d+$", s):
        return math.nan, "decimal comma; use a point (0.5 not 0,5)"
    return math.nan, "not a number"


def _read_text_table(
    path: Path, columns: tuple[str, ...]
) -> tuple[pd.DataFrame | None, list[Issue]]:
    """Read a CSV as text; report file-level problems (size, encoding, syntax, columns)."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Issue(name, "file-readable", f"cannot read the file: {exc.strerror}")]
    if size > MAX_TABLE_BYTES:
        return None, [Issue(name, "file-size", f"file is {size / 1e6:.1f} MB; the limit is 20 MB")]
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        return None, [Issue(name, "utf-8", "file is binary, not a CSV text file", "save as CSV")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            Issue(
                name,
                "utf-8",
                f"file is not UTF-8 text (bad byte at position {exc.start})",
                "save it as CSV UTF-8",
            )
        ]
    if not text.strip():
        return None, [Issue(name, "table-empty", "file is empty", "add the header and rows")]
    import io

    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=True,
            nrows=MAX_TABLE_ROWS + 1,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        return None, [Issue(name, "csv-syntax", f"cannot parse as CSV: {exc}")]
    if len(df) > MAX_TABLE_ROWS:
        return None, [Issue(name, "file-size", f"more than {MAX_TABLE_ROWS} rows")]
    df.columns = [str(c).strip() for c in df.columns]
    issues = []
    missing = [c for c in columns if c not in df.columns]
    extra = [c for c in df.columns if c not in columns]
    for c in missing:
        issues.append(
            Issue(
                name,
                "column-missing",
                f"required column '{c}' is missing",
                column=c,
                fix=f"the columns are: {', '.join(columns)}",
            )
        )
    for c in extra:
        issues.append(
            Issue(
                name,
                "column-unknown",
                f"unknown column '{c}'",
                column=c,
                fix=f"remove it or rename it; the columns are: {', '.join(columns)}",
            )
        )
    if missing:
        return None, issues
    df = df[list(columns)].copy()
    for c in columns:
        df[c] = df[c].astype(str).str.strip()
    df[ROW] = range(2, len(df) + 2)
    return df, issues


def _parse_numbers(df: pd.DataFrame, file: str, spec: TableSpec) -> list[Issue]:
    issues = []
    for col in NUMBER_COLUMNS:
        vals = []
        for text, row in zip(df[col], df[ROW]):
            v, problem = parse_number(text)
            if problem:
                issues.append(
                    Issue(
                        file,
                        "number",
                        problem,
                        row=int(row),
                        column=col,
                        value=text,
                        fix=f"give a finite number in {spec.unit}",
                    )
                )
            vals.append(v)
        df[col] = pd.Series(vals, index=df.index, dtype=float)
    return issues


def locate_table(case: Case, filename: str) -> Path | None:
    """The case folder's copy of a table if it has one, else the shared inputs copy."""
    own = case.path / filename
    if own.is_file():
        return own
    shared = case.inputs_dir
    if shared is not None and (shared / filename).is_file():
        return shared / filename
    return None


def read_table(
    case: Case, spec: TableSpec | SetSpec
) -> tuple[pd.DataFrame | None, str, list[Issue]]:
    """Read one declared table of a case; returns (table or None, file name, issues)."""
    path = locate_table(case, spec.file)
    if path is None:
        if spec.required:
            where = str(case.path) + (f" or {case.inputs_dir}" if case.inputs_dir else "")
            return (
                None,
                spec.file,
                [
                    Issue(
                        spec.file,
                        "table-missing",
                        f"required table {spec.file} not found in {where}",
                        fix="add the file (see inputs/README.md for its columns)",
                    )
                ],
            )
        return None, spec.file, []
    file = _display(path)
    df, issues = _read_text_table(path, spec.columns)
    if df is None:
        return None, file, issues
    if isinstance(spec, TableSpec):
        issues += _parse_numbers(df, file, spec)
    return df, file, issues


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_inputs(case: Case) -> InputData:
    """Read every declared table of the case; problems are collected in ``InputData.issues``."""
    data = InputData(case=case)
    for spec in (*SET_TABLES, *TABLES):
        df, file, issues = read_table(case, spec)
        data.issues += issues
        data.files[spec.name] = file
        if df is None:
            continue
        if isinstance(spec, SetSpec):
            data.sets[spec.name] = df
        else:
            data.tables[spec.name] = df
    from recovery.currency import convert_currencies

    data.issues += convert_currencies(data)
    data.explicit_arisings = data.tables.get("arisings")
    data.issues += derive_feedstock(data)
    return data


#: Tables from which arisings are derived; an override of any of them re-derives the arisings.
FEEDSTOCK_TABLES = (
    "put_on_market",
    "lifetime_scale",
    "lifetime_shape",
    "magnet_per_unit",
    "ndfeb_unit_share",
)


def derive_feedstock(data: InputData) -> list[Issue]:
    """(Re)derive ``arisings`` from ``put_on_market`` and the lifetime and magnet tables.

    Explicit rows of ``arisings.csv`` (kept in ``explicit_arisings``) win over derived rows.
    Returns the problems found; does nothing when there is no ``put_on_market`` table.
    """
    if "put_on_market" not in data.tables:
        return []
    from recovery.feedstock import DERIVED_LABEL, derive_arisings

    explicit = data.explicit_arisings
    if explicit is not None:
        data.tables["arisings"] = explicit
    else:
        data.tables.pop("arisings", None)
    arisings, issues = derive_arisings(data)
    data.tables["arisings"] = arisings
    base = data.files.get("arisings", "")
    if DERIVED_LABEL not in base:
        data.files["arisings"] = (
            f"{base} + {DERIVED_LABEL}" if explicit is not None else (DERIVED_LABEL)
        )
    return issues
