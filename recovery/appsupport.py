"""Non-UI helpers of the planner app: the run request, the process-pool worker, levers as
overrides, query-parameter encoding and the local scenarios folder.

A run request is (case, scenario, settings, overrides); overrides are ``{"set"|"scale": text}``
dicts, the one representation shared with the CLI, ``scenarios.yaml`` and the URL.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import recovery
from recovery.errors import InputError, Issue, NotOptimalError, RecoveryError
from recovery.overrides import Override, parse_overrides

DEFAULT_CASE = "quad_baseline"
#: Case settings the app lets a planner change (applied after the scenario's own settings).
SETTING_KEYS = ("perspective", "discount_rate")
MAX_SCENARIO_BYTES = 1_000_000


@dataclass(frozen=True)
class RunRequest:
    """Everything that determines a run; ``key()`` is its cache key."""

    case: str
    scenario: str | None = None
    settings: tuple[tuple[str, object], ...] = ()
    overrides: tuple[tuple[str, str], ...] = ()  # (op, text)

    @classmethod
    def make(cls, case, scenario=None, settings=None, overrides=None) -> RunRequest:
        ovs = tuple(next(iter(o.items())) for o in (overrides or []))
        sets = tuple(sorted((k, v) for k, v in (settings or {}).items() if k in SETTING_KEYS))
        return cls(str(case), scenario or None, sets, ovs)

    @property
    def override_dicts(self) -> list[dict]:
        return [{op: text} for op, text in self.overrides]

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, default=str)

    def describe(self) -> str:
        parts = [self.case + (f"/{self.scenario}" if self.scenario else "")]
        parts += [f"{k}={v}" for k, v in self.settings]
        parts += [f"{op} {text}" for op, text in self.overrides]
        return "; ".join(parts)


@dataclass
class Outcome:
    """What a worker sends back (exceptions with extra fields do not pickle reliably)."""

    kind: str  # ok | input | not_optimal | usage
    results: object = None
    issues: list[Issue] = field(default_factory=list)
    message: str = ""
    status: str = ""


def default_case(cases: list[str]) -> str | None:
    """The Quad baseline if it exists, else the first case."""
    return DEFAULT_CASE if DEFAULT_CASE in cases else (cases[0] if cases else None)


def case_for(req: RunRequest):
    """The case with the scenario's settings and then the app's settings applied.

    The scenario's own settings are folded in here and removed from the returned copy, so
    ``run_case`` does not apply them again over the app's settings.
    """
    case = recovery.load_case(req.case)
    if req.scenario and req.scenario in case.scenarios:
        sc = case.scenarios[req.scenario]
        case = case.with_settings(sc.settings)
        scen = dict(case.scenarios)
        scen[req.scenario] = sc.model_copy(update={"settings": {}})
        case = case.model_copy(update={"scenarios": scen})
    return case.with_settings(dict(req.settings))


def warm_up() -> bool:
    """Process-pool warm-up: import the solver stack so the first real solve starts at once."""
    import highspy  # noqa: F401
    import pyomo.environ  # noqa: F401

    from recovery.solve import highs_version

    highs_version()
    return True


def solve_request(req: RunRequest) -> Outcome:
    """Process-pool worker: validate, build, solve and extract one run."""
    try:
        res = recovery.run_case(case_for(req), req.scenario, req.override_dicts)
        return Outcome("ok", results=res)
    except InputError as exc:
        return Outcome("input", issues=exc.issues, message=f"{len(exc.issues)} problem(s)")
    except NotOptimalError as exc:
        return Outcome("not_optimal", message=exc.explanation, status=exc.status)
    except RecoveryError as exc:
        return Outcome("usage", message=str(exc))
    except Exception as exc:  # noqa: BLE001 - words for the planner, never a traceback
        return Outcome(
            "usage",
            message=f"internal error ({exc.__class__.__name__}: {exc}); "
            "please report it with the inputs that caused it",
        )


def prepare_request(req: RunRequest):
    """(InputData with overrides applied, issues): the editors' view; never raises on values."""
    from recovery.overrides import apply_overrides

    try:
        case = case_for(req)
        data = recovery.read_inputs(case)
        if data.issues:
            return data, list(data.issues)
        ovs = []
        if req.scenario:
            if req.scenario not in case.scenarios:
                return data, [Issue("scenario", "scenario", f"unknown scenario {req.scenario}")]
            ovs += parse_overrides(case.scenarios[req.scenario].overrides)
        ovs += parse_overrides(req.override_dicts)
        if ovs:
            data = apply_overrides(data, ovs)
        return data, recovery.validate(data)
    except InputError as exc:
        return None, exc.issues
    except RecoveryError as exc:
        return None, [Issue(req.case, "usage", str(exc))]
    except Exception as exc:  # noqa: BLE001 - words for the planner, never a traceback
        return None, [
            Issue(
                req.case,
                "internal",
                f"internal error ({exc.__class__.__name__}: "
                f"{exc}); please report it with the inputs that caused it",
            )
        ]


# -- levers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lever:
    """A widget that writes overrides: ``scale`` a table's rows, or ``set`` one value per key."""

    key: str
    label: str
    op: str  # scale | set
    tables: tuple[str, ...]
    filters: str = ""  # e.g. "supplier=CN"
    each: str = ""  # set: one override per key of this index column (e.g. element)
    neutral: float = 1.0
    lo: float = 0.0
    hi: float = 3.0
    step: float = 0.05
    help: str = ""

    def overrides(self, value: float, keys: dict[str, list[str]] | None = None) -> list[dict]:
        if value == self.neutral:
            return []
        out = []
        for table in self.tables:
            if self.op == "scale":
                out.append({"scale": f"{table}[{self.filters}]={value!r}"})
            else:
                for k in (keys or {}).get(self.each, []):
                    flt = ",".join(x for x in (self.filters, f"{self.each}={k}") if x)
                    out.append({"set": f"{table}[{flt}]={value!r}"})
        return out

    def matches(self, ov: dict) -> bool:
        ((op, text),) = ov.items()
        if op != self.op:
            return False
        o = Override.parse(op, text)
        if o.table not in self.tables:
            return False
        want = dict(p.split("=", 1) for p in self.filters.split(",") if p)
        have = dict(o.filters)
        if self.op == "scale":
            return have == want
        return set(have) == {*want, self.each} and all(have[k] == v for k, v in want.items())

    def value_from(self, overrides: list[dict]) -> float:
        for ov in overrides:
            if self.matches(ov):
                return next(iter(parse_overrides([ov]))).value
        return self.neutral


LEVERS = (
    Lever("demand", "Magnet demand (x)", "scale", ("demand",), help="scales every demand row"),
    Lever("cn_price", "China import prices (x)", "scale", ("import_price", "magnet_import_price"),
          "supplier=CN", help="oxide and magnet prices from China"),
    Lever("oxide_price", "Oxide market prices (x)", "scale", ("oxide_price",),
          help="prices at which surplus oxide sells"),
    Lever("collection_cost", "Collection costs (x)", "scale", ("collection_cost",)),
    Lever("capex", "Capital costs (x)", "scale", ("capex",)),
    Lever("supply_cap", "Supply caps (x)", "scale", ("supply_cap",),
          help="scales every supplier's delivery cap (export controls < 1)"),
    Lever("share_cap", "Largest one-supplier share, alliance", "set", ("share_cap",),
          "nation=all", each="element", neutral=1.0, lo=0.0, hi=1.0,
          help="1 = no cap; e.g. 0.5: no supplier provides more than half of an element"),
    Lever("capital_budget", "Capital budget per nation, horizon (million USD)", "set",
          ("capital_budget_total",), each="nation", neutral=0.0, lo=0.0, hi=1e14, step=1e8,
          help="0 = no limit"),
)  # fmt: skip


def apply_lever(
    overrides: list[dict], lever: Lever, value: float, keys: dict[str, list[str]]
) -> list[dict]:
    """Overrides with the lever's old entries replaced by those for ``value`` (same place)."""
    new = lever.overrides(value, keys)
    out: list[dict] = []
    placed = False
    for ov in overrides:
        if lever.matches(ov):
            if not placed:
                out += new
                placed = True
        else:
            out.append(ov)
    return out if placed else out + new


def available_levers(data) -> list[Lever]:
    """Scale levers need rows to scale; set levers add rows, so they are always available."""
    if data is None:
        return []
    return [lv for lv in LEVERS if lv.op == "set" or all(t in data.tables for t in lv.tables)]


def set_keys(data) -> dict[str, list[str]]:
    return {name: list(df[name].astype(str)) for name, df in data.sets.items() if name in df}


def cell_override(table: str, index: dict, value: float) -> dict:
    """The ``set`` override of one edited cell (every index column named)."""
    inner = ",".join(f"{k}={v}" for k, v in index.items())
    return {"set": f"{table}[{inner}]={float(value)!r}"}


def merge_override(overrides: list[dict], new: dict) -> list[dict]:
    """Replace an override of the same operation, table and filters, else append."""
    ((op, text),) = new.items()
    o = Override.parse(op, text)
    out = []
    for ov in overrides:
        ((op2, text2),) = ov.items()
        p = Override.parse(op2, text2)
        if not (p.op == o.op and p.table == o.table and p.filters == o.filters):
            out.append(ov)
    return [*out, new]


def editor_options(col: str, data, spec, df) -> list[str] | None:
    """Dropdown choices for an index column of a parameter table (None: free text)."""
    from recovery.schema import FORMS, INDEX_SETS, MAGNET_MAKING

    s = INDEX_SETS.get(col)
    if s == "year":
        opts = [str(y) for y in data.case.years]
    elif s == "form":
        opts = list(spec.forms or FORMS)
    elif s == "process":
        opts = [*data.sets["preprocess"]["preprocess"], *data.sets["route"]["route"], MAGNET_MAKING]
    elif s in data.sets:
        opts = list(data.sets[s][s].astype(str))
    else:
        return None
    return list(dict.fromkeys([*opts, *spec.extra_keys.get(col, ()), *df[col].astype(str)]))


def edits_to_overrides(spec, df, state: dict, overrides: list[dict]) -> tuple[list[dict], list]:
    """A data editor's edited and added rows as ``set`` overrides merged into ``overrides``;
    also the added rows that still lack a key or a value."""
    ovs, incomplete = list(overrides), []
    for i, ch in state.get("edited_rows", {}).items():
        if ch.get("value") is not None:
            row = df.iloc[int(i)]
            idx = {c: str(row[c]) for c in spec.index}
            ovs = merge_override(ovs, cell_override(spec.name, idx, ch["value"]))
    for row in state.get("added_rows", []):
        if all(row.get(c) not in (None, "") for c in (*spec.index, "value")):
            idx = {c: str(row[c]) for c in spec.index}
            ovs = merge_override(ovs, cell_override(spec.name, idx, row["value"]))
        else:
            incomplete.append(row)
    return ovs, incomplete


# -- URL query ----------------------------------------------------------------------------------


def to_query(req: RunRequest) -> dict[str, str | list[str]]:
    q: dict[str, str | list[str]] = {"case": req.case}
    if req.scenario:
        q["scenario"] = req.scenario
    for k, v in req.settings:
        q[k] = str(v)
    for op in ("set", "scale"):
        vals = [t for o, t in req.overrides if o == op]
        if vals:
            q[op] = vals
    return q


def from_query(get_all, cases: list[str]) -> tuple[RunRequest | None, list[str]]:
    """A request from query parameters (``get_all(name) -> list[str]``); problems in words.

    The order of ``set`` and ``scale`` overrides is kept only within each kind (sets first)."""
    problems: list[str] = []
    case = (get_all("case") or [None])[0]
    if case is None:
        return None, []
    if case not in cases:
        return None, [f"The link names case '{case}', which does not exist here."]
    settings: dict = {}
    if get_all("perspective"):
        settings["perspective"] = get_all("perspective")[0]
    if get_all("discount_rate"):
        try:
            settings["discount_rate"] = float(get_all("discount_rate")[0])
        except ValueError:
            problems.append("The link's discount_rate is not a number; it was ignored.")
    ovs = [{op: t} for op in ("set", "scale") for t in get_all(op)]
    try:
        parse_overrides(ovs)
    except InputError as exc:
        problems += [str(i) for i in exc.issues]
        ovs = []
    scen = (get_all("scenario") or [None])[0]
    return RunRequest.make(case, scen, settings, ovs), problems


# -- local scenarios folder ---------------------------------------------------------------------


def scenarios_dir() -> Path:
    return Path(os.environ.get("RECOVERY_SCENARIOS_DIR", "scenarios")).resolve()


def safe_name(name: str) -> str:
    """A file stem from user text: letters, digits, '-' and '_' only (never a path)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", name.strip())[:60].strip("_")
    if not stem:
        raise ValueError("give the scenario a name with letters or digits")
    return stem


def save_scenario(name: str, req: RunRequest, folder: Path | None = None) -> Path:
    """Write the request as JSON atomically (temp file, then ``os.replace``)."""
    folder = folder or scenarios_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{safe_name(name)}.json"
    body = {"name": name, **json.loads(req.key())}
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def list_saved(folder: Path | None = None) -> list[str]:
    folder = folder or scenarios_dir()
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def load_scenario(stem: str, folder: Path | None = None) -> RunRequest:
    """Read a saved scenario (by its listed stem only); raise ValueError in words."""
    folder = folder or scenarios_dir()
    path = folder / f"{safe_name(stem)}.json"
    raw = path.read_bytes()
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ValueError("saved scenario file is larger than 1 MB")
    body = json.loads(raw.decode("utf-8"))
    ovs = [{op: t} for op, t in body.get("overrides", [])]
    parse_overrides(ovs)
    return RunRequest.make(body["case"], body.get("scenario"), dict(body.get("settings", [])), ovs)


def diff_requests(a: RunRequest, b: RunRequest) -> list[dict]:
    """Inputs that differ between two runs, one row per item."""
    rows = []
    for name, va, vb in (("case", a.case, b.case), ("scenario", a.scenario, b.scenario)):
        if va != vb:
            rows.append({"input": name, "A": va, "B": vb})
    sa, sb = dict(a.settings), dict(b.settings)
    for k in sorted(set(sa) | set(sb)):
        if sa.get(k) != sb.get(k):
            rows.append({"input": k, "A": sa.get(k), "B": sb.get(k)})
    oa = {f"{op} {Override.parse(op, t).table}{list(Override.parse(op, t).filters)}": t
          for op, t in a.overrides}  # fmt: skip
    ob = {f"{op} {Override.parse(op, t).table}{list(Override.parse(op, t).filters)}": t
          for op, t in b.overrides}  # fmt: skip
    for k in sorted(set(oa) | set(ob)):
        if oa.get(k) != ob.get(k):
            rows.append({"input": k.split(" ")[0] + " override", "A": oa.get(k), "B": ob.get(k)})
    return rows
