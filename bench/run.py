"""Performance bench: the recovery pipeline against HiGHS alone on the same model (a script).

Every measurement runs in a fresh process, one at a time:

1. ``stages``: in one process, time each step of ``run_case`` separately: import of the package,
   validate (``prepare_case``), prepare + ``build_model``, hand-off (LP write), HiGHS read, HiGHS
   solve, load-back of values and duals, ``extract_results``; record variables, rows, nonzeros
   (from HiGHS) and peak RSS; then (untimed) write the LP file for step 3.
2. ``cli``: ``.venv/bin/recovery run <case> -o <tmp>``, wall time including Python start-up and
   writing the result tables; peak RSS of the child.
3. ``highs``: HiGHS alone (``highspy`` only) reading the LP file of step 1 and solving it with the
   case's method and threads: the limit.

Usage::

    .venv/bin/python bench/generate.py                  # once: the synthetic cases
    .venv/bin/python bench/run.py                       # all cases -> results.json, RESULTS.md
    .venv/bin/python bench/run.py quad_baseline s10k    # a subset (merged into results.json)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = ROOT / ".venv" / "bin" / "python"
CLI = ROOT / ".venv" / "bin" / "recovery"
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"

#: case -> (path or name given to the CLI, repeats: best of)
CASES = {
    "quad_baseline": ("quad_baseline", 5),
    "s10k": (str(HERE / "cases" / "s10k"), 3),
    "m100k": (str(HERE / "cases" / "m100k"), 2),
    "l250k": (str(HERE / "cases" / "l250k"), 1),
}
TARGETS = {
    "cli_default_s": 2.5,  # quad_baseline `recovery run` wall, start-up included
    "overhead_per_100k_s": 2.5,  # non-solve seconds per 100k variables
    "e2e_over_highs_100k": 1.5,  # end to end / HiGHS alone at 100k variables
}

#: Written under "Notes" in RESULTS.md (what the numbers mean, what was changed, what is left).
NOTES = [
    "Before the two optimisations below (same machine, same cases, git 647e61f): quad_baseline "
    "cli 2.46 s; m100k hand-off 1.71 s, extract 0.70 s, non-solve 5.22 s/100k vars, cli 2.88× "
    "HiGHS alone; l250k hand-off 3.51 s, extract 1.43 s, non-solve 4.52 s/100k, cli 2.20×.",
    "Optimised: (1) `solve._LPLabeler` precomputes the LP row/column names Pyomo's labeler "
    "builds with per-member regex checks (byte-identical LP file): LP write at m100k 1.46 → "
    "1.14 s in isolation; (2) `results._v` evaluates solved expressions by recursion over "
    "`_apply_operation` instead of Pyomo's generic visitor (every table equal): extract_results "
    "at m100k 0.69 → 0.49 s.",
    "Solver method: the generated m100k and l250k cases set `solver: {method: ipm}`; HiGHS's "
    "default (`choose` = dual simplex) took 38.8 s (m100k) and 224 s (l250k) against 4.9 s and "
    "10.4 s with IPM, so for cold solves above ~50k variables IPM is the setting to use.",
    "Left above the targets: the Pyomo layer itself (build ~1.4 s and LP write ~1.1 s per 100k "
    "variables; expression construction and the LP writer's expression walk, no quadratic rule "
    "left) and the package import (~0.5 s: pandas, Pyomo, highspy). Validation was 0.54 s on the "
    "default case and 0.75 s at m100k before the checks learned to visit only suspect rows "
    "(now 0.21 s and 0.18 s, in the table above). The case default `solver.method: choose` now "
    "switches to IPM above 50k columns. Reaching "
    "2.5 s/100k and 1.5× needs a vectorised hand-off (numpy → highspy `passModel`, or linopy).",
    "Noise: a shared 2-core machine with other sessions running tests; ±10-20 % between runs "
    "(quad_baseline build 0.28-0.38 s in two runs of unchanged code).",
]

# --------------------------------------------------------------------------- workers


def worker_stages(case: str, lp_path: str) -> dict:
    """Time each pipeline step in this (fresh) process."""
    t = {}
    t0 = time.perf_counter()
    import resource

    from recovery.api import prepare_case
    from recovery.data import prepare
    from recovery.model import build_model
    from recovery.results import extract_results
    from recovery.solve import solve, write_lp

    t["import_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    c, data, _ = prepare_case(case)
    t["validate_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    md = prepare(data, c.config)
    t["prepare_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = build_model(md, c.config)
    t["build_s"] = time.perf_counter() - t0
    info = solve(m, c.config.solver, keep_highs=True)
    for k in ("handoff_s", "read_s", "solve_s", "load_s"):
        t[k] = info.times[k]
    t0 = time.perf_counter()
    res = extract_results(m, info, {"case": c.name})
    t["extract_s"] = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lp = info.highs.getLp()
    out = {
        "times": t,
        "vars": int(lp.num_col_),
        "rows": int(lp.num_row_),
        "nnz": int(len(lp.a_matrix_.value_)),
        "objective": res.objective,
        "recovered_t": sum(res.summary["kpis"]["recovered_t"].values()),
        "iterations": info.iterations,
        "method": c.config.solver.method,
        "threads": c.config.solver.threads,
        "peak_rss_mb": rss,
    }
    write_lp(m, Path(lp_path))
    return out


def worker_highs(lp_path: str, method: str, threads: int) -> dict:
    """HiGHS alone on the written LP file (highspy only, no recovery import)."""
    import resource

    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    t0 = time.perf_counter()
    h.readModel(lp_path)
    read_s = time.perf_counter() - t0
    h.setOptionValue("threads", int(threads))
    if method != "choose":
        h.setOptionValue("solver", method)
    t0 = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - t0
    return {
        "read_s": read_s,
        "solve_s": solve_s,
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": h.getInfo().objective_function_value,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# --------------------------------------------------------------------------- driver


def _child(args: list[str]) -> tuple[dict, float, float]:
    """Run ``bench/run.py --worker ...`` in a fresh process; (its JSON, wall s, peak RSS MB)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    t0 = time.perf_counter()
    p = subprocess.Popen(
        [str(PY), str(Path(__file__)), "--worker", out, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise RuntimeError(f"worker {args} failed ({status})")
    data = json.loads(Path(out).read_text())
    os.unlink(out)
    return data, wall, ru.ru_maxrss / 1024


def _cli(case: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        t0 = time.perf_counter()
        p = subprocess.Popen(
            [str(CLI), "run", case, "-o", str(Path(tmp) / "out")],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    if status != 0:
        raise RuntimeError(f"recovery run {case} failed ({status})")
    return wall, ru.ru_maxrss / 1024


def bench_case(name: str) -> dict:
    case, repeats = CASES[name]
    lp = str(Path(tempfile.gettempdir()) / f"bench-{name}.lp")
    stages = []
    for _ in range(repeats):
        s, _, _ = _child(["stages", case, lp])
        stages.append(s)
    best = min(stages, key=lambda s: sum(s["times"].values()))
    # each stage's best over repeats (noise), and the run with the best total
    t_best = {k: min(s["times"][k] for s in stages) for k in best["times"]}
    cli = [_cli(case) for _ in range(repeats)]
    highs = [_child(["highs", lp, best["method"], str(best["threads"])])[0] for _ in range(repeats)]
    hs = min(highs, key=lambda h: h["read_s"] + h["solve_s"])
    os.unlink(lp)
    t = best["times"]
    pipeline = sum(t.values())
    highs_alone = hs["read_s"] + hs["solve_s"]
    non_solve = pipeline - t["solve_s"]
    cli_wall = min(w for w, _ in cli)
    row = {
        "case": name,
        "vars": best["vars"],
        "rows": best["rows"],
        "nnz": best["nnz"],
        "method": best["method"],
        "repeats": repeats,
        "times_best_run": t,
        "times_best_each": t_best,
        "pipeline_s": pipeline,
        "non_solve_s": non_solve,
        "non_solve_per_100k_s": non_solve / (best["vars"] / 1e5),
        "cli_wall_s": cli_wall,
        "cli_wall_all_s": [w for w, _ in cli],
        "cli_peak_rss_mb": max(r for _, r in cli),
        "stages_peak_rss_mb": best["peak_rss_mb"],
        "highs_read_s": hs["read_s"],
        "highs_solve_s": hs["solve_s"],
        "highs_alone_s": highs_alone,
        "highs_peak_rss_mb": hs["peak_rss_mb"],
        "highs_status": hs["status"],
        "objective": best["objective"],
        "highs_objective": hs["objective"],
        "recovered_t": best["recovered_t"],
        "iterations": best["iterations"],
        "e2e_over_highs": cli_wall / highs_alone,
        "pipeline_over_highs": pipeline / highs_alone,
    }
    return row


def environment() -> dict:
    from importlib.metadata import version

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs ({cpu}), {mem}",
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyomo": version("pyomo"),
        "highspy": version("highspy"),
        "pandas": version("pandas"),
        "recovery": version("recovery"),
        "git": git,
    }


def write_markdown(results: dict) -> None:
    env = results["environment"]
    rows = [results["cases"][k] for k in CASES if k in results["cases"]]
    f = lambda x: f"{x:.2f}"  # noqa: E731
    lines = [
        "# Bench: recovery pipeline vs HiGHS alone",
        "",
        f"Date {env['date']}; git {env['git']}; {env['machine']}; {env['os']}; Python "
        f"{env['python']}, Pyomo {env['pyomo']}, highspy {env['highspy']}, pandas "
        f"{env['pandas']}. Generated by `bench/run.py` (raw numbers in `results.json`); "
        "synthetic cases from `bench/generate.py`.",
        "",
        "Each measurement in a fresh process, one at a time; times are the best of the repeats "
        "(`rep`). Stages are from one in-process run; **cli** is the wall time of "
        "`recovery run <case> -o <tmp>` (Python start-up, imports, validation, solve, writing "
        "every table); **HiGHS alone** is highspy reading the same LP file and solving it with "
        "the case's method (read + solve). non-solve = pipeline − HiGHS solve (includes the "
        "package import, validation and HiGHS's LP read).",
        "",
        "|case|vars|rows|nnz|method|rep|import|validate|prepare|build|hand-off|read|solve|"
        "load|extract|pipeline|cli wall|HiGHS alone|cli / HiGHS|non-solve|non-solve /100k vars|"
        "RSS MB cli / stages / HiGHS|",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        t = r["times_best_run"]
        lines.append(
            f"|{r['case']}|{r['vars']:,}|{r['rows']:,}|{r['nnz']:,}|{r['method']}|{r['repeats']}|"
            + "|".join(
                f(t[k])
                for k in (
                    "import_s",
                    "validate_s",
                    "prepare_s",
                    "build_s",
                    "handoff_s",
                    "read_s",
                    "solve_s",
                    "load_s",
                    "extract_s",
                )
            )
            + f"|{f(r['pipeline_s'])}|{f(r['cli_wall_s'])}|{f(r['highs_alone_s'])}"
            f"|{r['e2e_over_highs']:.2f}×|{f(r['non_solve_s'])}|{f(r['non_solve_per_100k_s'])}"
            f"|{r['cli_peak_rss_mb']:.0f} / {r['stages_peak_rss_mb']:.0f} / "
            f"{r['highs_peak_rss_mb']:.0f}|"
        )
    lines += ["", "## Targets", ""]
    c = results["cases"]
    if "quad_baseline" in c:
        v = c["quad_baseline"]["cli_wall_s"]
        ok = "met" if v <= TARGETS["cli_default_s"] else "missed"
        lines.append(
            f"- default case `recovery run quad_baseline` ≤ {TARGETS['cli_default_s']} s wall: "
            f"**{v:.2f} s** ({ok})"
        )
    big = [r for r in rows if r["vars"] >= 50_000]
    if big:
        worst = max(r["non_solve_per_100k_s"] for r in big)
        ok = "met" if worst <= TARGETS["overhead_per_100k_s"] else "missed"
        lines.append(
            f"- non-solve overhead ≤ {TARGETS['overhead_per_100k_s']} s per 100k variables "
            f"(cases ≥ 50k variables): "
            + ", ".join(f"{r['case']} **{r['non_solve_per_100k_s']:.2f} s**" for r in big)
            + f" ({ok})"
        )
    if "m100k" in c:
        r = c["m100k"]
        ok = "met" if r["e2e_over_highs"] <= TARGETS["e2e_over_highs_100k"] else "missed"
        lines.append(
            f"- end to end ≤ {TARGETS['e2e_over_highs_100k']}× HiGHS alone at 100k variables: "
            f"m100k `recovery run` **{r['e2e_over_highs']:.2f}×**, in-process pipeline "
            f"{r['pipeline_over_highs']:.2f}× ({ok})"
        )
    for r in rows:
        same = abs(r["objective"] - r["highs_objective"]) <= 1e-7 * max(1.0, abs(r["objective"]))
        lines.append(
            f"- {r['case']}: objective {r['objective']:,.2f}; HiGHS alone {r['highs_status']}, "
            f"{'same objective' if same else 'DIFFERENT objective ' + str(r['highs_objective'])}"
            f"; recovered {r['recovered_t']:,.0f} t of element over the horizon"
        )
    notes = NOTES
    if notes:
        lines += ["", "## Notes", "", *[f"- {n}" for n in notes]]
    RESULTS_MD.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        out, kind, *rest = argv[1:]
        if kind == "stages":
            data = worker_stages(*rest)
        else:
            data = worker_highs(rest[0], rest[1], int(rest[2]))
        Path(out).write_text(json.dumps(data))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", default=list(CASES))
    ap.add_argument("--markdown", action="store_true", help="only rewrite RESULTS.md")
    a = ap.parse_args(argv)
    if a.markdown:
        write_markdown(json.loads(RESULTS_JSON.read_text()))
        return 0
    for name in a.cases:
        if name != "quad_baseline" and not Path(CASES[name][0]).is_dir():
            print(f"{name}: run bench/generate.py first", file=sys.stderr)
            return 2
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.is_file() else {"cases": {}}
    results["environment"] = environment()
    for name in a.cases:
        print(f"{name} ...", flush=True)
        row = bench_case(name)
        results["cases"][name] = row
        print(
            f"  vars {row['vars']:,} pipeline {row['pipeline_s']:.2f} s cli {row['cli_wall_s']:.2f}"
            f" s HiGHS alone {row['highs_alone_s']:.2f} s ratio {row['e2e_over_highs']:.2f}x "
            f"non-solve/100k {row['non_solve_per_100k_s']:.2f} s",
            flush=True,
        )
        RESULTS_JSON.write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
