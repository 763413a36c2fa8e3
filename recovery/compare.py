"""Run every scenario of a case and summarise them side by side (one row per scenario)."""

from __future__ import annotations

import pandas as pd

from recovery.api import run_case
from recovery.case import load_case
from recovery.errors import NotOptimalError
from recovery.results import Results


def headline_row(name: str, res: Results, base: float | None) -> dict:
    """The headline numbers of one run, as a flat dict (units in the keys)."""
    k = res.summary["kpis"]
    cap = res.capacity
    built = cap[cap.build_t > 1e-6].groupby(["process", "nation"])["build_t"].sum()
    routes = ", ".join(
        f"{x} {v:,.0f} ({n})" for (x, n), v in built.items() if x != "magnet_making" and v >= 1
    )
    tr = res.transfers
    paid = tr.groupby("kind")["paid_usd"].sum() if not tr.empty else pd.Series(dtype=float)
    largest = k["largest_supplier_share"]
    obj = res.objective
    return {
        "scenario": name,
        "objective_bn_usd": obj / 1e9,
        "change_vs_baseline": (obj / base - 1) if base else 0.0,
        **{f"recovered_{e}_t": v for e, v in k["recovered_t"].items()},
        "unmet_magnet_kt": k["unmet_magnet_t"] / 1e3,
        "capacity_built": routes,
        "largest_supplier": " / ".join(
            f"{e}: {v['supplier']} {v['share']:.2f}" for e, v in largest.items()
        ),
        "transfers_paid_m_usd": ", ".join(
            f"{kind} {v / 1e6:,.0f}" for kind, v in paid.items() if v > 0.5e6
        ),
    }


def scenario_table(case: str, scenarios: list[str] | None = None) -> pd.DataFrame:
    """Solve the base case and each scenario; a failed scenario is a row with its status."""
    c = load_case(case)
    names = scenarios or list(c.scenarios)
    base_res = run_case(c)
    rows = [headline_row("(case as is)", base_res, None)] if "baseline" not in names else []
    base = base_res.objective
    for name in names:
        try:
            rows.append(headline_row(name, run_case(c, scenario=name), base))
        except NotOptimalError as exc:
            rows.append(
                {
                    "scenario": name,
                    "objective_bn_usd": None,
                    "capacity_built": f"not optimal: {exc.status}",
                }
            )
    return pd.DataFrame(rows)


def to_markdown(df: pd.DataFrame) -> str:
    """A Markdown table of :func:`scenario_table` (numbers rounded for reading)."""
    cols = list(df.columns)
    out = ["|" + "|".join(cols) + "|", "|" + "---|" * len(cols)]
    for r in df.itertuples(index=False):
        cells = []
        for c, v in zip(cols, r, strict=True):
            if v is None or (isinstance(v, float) and pd.isna(v)):
                cells.append("")
            elif c == "change_vs_baseline":
                cells.append(f"{v:+.1%}")
            elif isinstance(v, float):
                cells.append(f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}")
            else:
                cells.append(str(v))
        out.append("|" + "|".join(cells) + "|")
    return "\n".join(out) + "\n"
