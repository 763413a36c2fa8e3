"""Exports of results (one Excel workbook, a CSV zip) and of a whole scenario's inputs as an
editable workbook, plus the safe re-import of that workbook as a run request.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are written with a leading ``'``. Uploads are size-capped, opened with
openpyxl (which uses defusedxml when installed), never evaluated, and validated like any input.
"""

from __future__ import annotations

import io
import json
import math
import zipfile

import pandas as pd

from recovery.appsupport import RunRequest, cell_override, prepare_request
from recovery.errors import Issue
from recovery.schema import SET_TABLES, TABLES

MAX_UPLOAD_BYTES = 5_000_000
MAX_UNZIPPED_BYTES = 60_000_000
MAX_ROWS = 200_000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
META_SHEET = "scenario"
OVERRIDES_SHEET = "overrides"


def neutralise(value):
    """A text cell that cannot start a formula in a spreadsheet."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def _flatten(d: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            rows += _flatten(v, key + ".")
        elif isinstance(v, (list, tuple)):
            rows.append((key, "; ".join(map(str, v))))
        else:
            rows.append((key, v))
    return rows


def summary_frame(results) -> pd.DataFrame:
    return pd.DataFrame(_flatten(results.summary), columns=["item", "value"])


def results_workbook(results) -> bytes:
    """Every result table as a sheet, after a ``summary`` sheet (KPIs and provenance)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        neutralise_frame(summary_frame(results)).to_excel(xw, sheet_name="summary", index=False)
        for name, df in results.tables.items():
            neutralise_frame(df).to_excel(xw, sheet_name=name[:31], index=False)
    return buf.getvalue()


def results_csv_zip(results) -> bytes:
    """Every result table as CSV plus ``summary.json`` in one zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, df in results.tables.items():
            zf.writestr(f"{name}.csv", neutralise_frame(df).to_csv(index=False))
        zf.writestr("summary.json", json.dumps(results.summary, indent=2, default=str))
    return buf.getvalue()


# -- scenario workbook ---------------------------------------------------------------------------

README = (
    "Scenario workbook of the recovery planner. Edit the 'value' column of any parameter sheet "
    "(or add a row with every index column filled) and upload the file in the app. Only 'value' "
    "is read back: unit, low, high, source, basis and note are shown for reference. Rows cannot "
    "be deleted (set the value instead). Sheets whose name starts with 'set_' list the keys and "
    "are not read back. The 'scenario' and 'overrides' sheets say which case and edits the "
    "values came from; keep them."
)


def scenario_workbook(req: RunRequest) -> bytes:
    """The whole scenario's inputs (after its overrides) as an editable workbook."""
    data, issues = prepare_request(req)
    if data is None:
        raise ValueError("; ".join(str(i) for i in issues))
    meta = [("case", req.case), ("scenario", req.scenario or "")]
    meta += [(f"setting.{k}", v) for k, v in req.settings]
    meta += [("inputs_hash", data.content_hash()), ("readme", README)]
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        pd.DataFrame(meta, columns=["item", "value"]).map(neutralise).to_excel(
            xw, sheet_name=META_SHEET, index=False
        )
        pd.DataFrame(req.overrides, columns=["op", "override"]).map(neutralise).to_excel(
            xw, sheet_name=OVERRIDES_SHEET, index=False
        )
        for spec in TABLES:
            if spec.name not in data.tables:
                df = pd.DataFrame(columns=list(spec.columns))
            else:
                df = data.tables[spec.name][list(spec.columns)]
            neutralise_frame(df).to_excel(xw, sheet_name=spec.name[:31], index=False)
        for sspec in SET_TABLES:
            if sspec.name in data.sets:
                neutralise_frame(data.sets[sspec.name][list(sspec.columns)]).to_excel(
                    xw, sheet_name=f"set_{sspec.name}"[:31], index=False
                )
    return buf.getvalue()


def _sheet_rows(ws, limit: int) -> list[list]:
    rows = []
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        if i > limit:
            raise ValueError(f"sheet '{ws.title}' has more than {limit} rows")
        rows.append(list(row))
    return rows


def _key(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(_unquote(v)).strip()


def _unquote(v):
    if isinstance(v, str) and v.startswith("'") and v[1:].startswith(_DANGEROUS):
        return v[1:]
    return v


def read_scenario_workbook(blob: bytes) -> tuple[RunRequest | None, list[Issue]]:
    """A run request from an uploaded scenario workbook: its case, scenario, settings and
    overrides, plus one ``set`` override for every value that differs from them."""
    name = "uploaded workbook"
    if len(blob) > MAX_UPLOAD_BYTES:
        return None, [Issue(name, "file-size", f"larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")]
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_UNZIPPED_BYTES:
                return None, [Issue(name, "file-size", "workbook expands to more than 60 MB")]
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(blob), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parser failure is the same problem for a user
        return None, [
            Issue(name, "xlsx", f"cannot read as an Excel workbook ({type(exc).__name__})",
                  "upload the .xlsx the app exported")
        ]  # fmt: skip
    try:
        return _read_book(wb, name)
    except ValueError as exc:
        return None, [Issue(name, "xlsx", str(exc))]
    finally:
        wb.close()


def _read_book(wb, name: str) -> tuple[RunRequest | None, list[Issue]]:
    if META_SHEET not in wb.sheetnames:
        return None, [Issue(name, "xlsx", f"no '{META_SHEET}' sheet", "keep the exported sheets")]
    meta = {str(r[0]): _unquote(r[1]) for r in _sheet_rows(wb[META_SHEET], 100)[1:] if r and r[0]}
    settings = {k.removeprefix("setting."): v for k, v in meta.items() if k.startswith("setting.")}
    if "discount_rate" in settings:
        try:
            settings["discount_rate"] = float(settings["discount_rate"])
        except (TypeError, ValueError):
            return None, [Issue(name, "xlsx", "discount_rate is not a number", column="value")]
    ovs = []
    if OVERRIDES_SHEET in wb.sheetnames:
        for r in _sheet_rows(wb[OVERRIDES_SHEET], 10_000)[1:]:
            if r and r[0] in ("set", "scale") and r[1]:
                ovs.append({r[0]: str(_unquote(r[1]))})
    base = RunRequest.make(str(meta.get("case", "")), meta.get("scenario") or None, settings, ovs)
    data, issues = prepare_request(base)
    if data is None:
        return None, issues
    issues = []
    for spec in TABLES:
        if spec.name not in wb.sheetnames:
            continue
        rows = _sheet_rows(wb[spec.name], MAX_ROWS)
        if not rows:
            continue
        header = [str(c).strip() if c is not None else "" for c in rows[0]]
        missing = [c for c in (*spec.index, "value") if c not in header]
        if missing:
            issues.append(Issue(spec.name, "column-missing", f"column '{missing[0]}' is missing"))
            continue
        pos = {c: header.index(c) for c in (*spec.index, "value")}
        old = data.tables.get(spec.name)
        known = {}
        if old is not None and len(old):
            keys = zip(*(old[c].astype(str) for c in spec.index))
            known = dict(zip(keys, old["value"]))
        for i, r in enumerate(rows[1:], start=2):
            if all(v is None or str(v).strip() == "" for v in r):
                continue
            idx = tuple(_key(r[pos[c]]) for c in spec.index)
            v = r[pos["value"]]
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                try:
                    v = float(str(v).strip())
                except (TypeError, ValueError):
                    issues.append(Issue(spec.name, "number", "not a number", row=i,
                                        column="value", value=str(v)))  # fmt: skip
                    continue
            if not math.isfinite(v):
                issues.append(Issue(spec.name, "number", "not finite", row=i, column="value"))
                continue
            if "" in idx:
                issues.append(Issue(spec.name, "key", "an index cell is empty", row=i))
                continue
            if idx in known and math.isclose(known[idx], float(v), rel_tol=1e-12, abs_tol=1e-300):
                continue
            ovs.append(cell_override(spec.name, dict(zip(spec.index, idx)), v))
    if issues:
        return None, issues
    req = RunRequest.make(base.case, base.scenario, settings, ovs)
    _, problems = prepare_request(req)
    return (None, problems) if problems else (req, [])
