"""Command line: ``recovery validate | run | cases``.

Exit codes: 0 optimal (or valid), 1 solved but not optimal (status and reason printed),
2 bad input or usage (every problem printed). No command ever prints a traceback.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from recovery.case import list_cases, load_case
from recovery.errors import RecoveryError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan rare-earth magnet recovery from e-waste across the Quad nations.",
    pretty_exceptions_enable=False,
)

ScenarioOpt = Annotated[
    str | None, typer.Option("--scenario", "-s", help="named scenario from scenarios.yaml")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help='set values, e.g. "import_price[supplier=CN,element=Dy]=900000"'),
]
ScaleOpt = Annotated[
    list[str] | None, typer.Option("--scale", help='scale values, e.g. "demand[nation=IN]=1.5"')
]


def _overrides(sets: list[str] | None, scales: list[str] | None) -> list[dict]:
    return [{"set": s} for s in sets or []] + [{"scale": s} for s in scales or []]


def _fail(exc: RecoveryError) -> None:
    typer.echo(str(exc), err=True)
    raise typer.Exit(exc.exit_code)


@app.command()
def cases(
    models: Annotated[Path | None, typer.Option(help="models folder")] = None,
) -> None:
    """List the runnable cases and their scenarios."""
    for name in list_cases(models):
        try:
            c = load_case(name, models)
            scen = ", ".join(c.scenarios) or "-"
            typer.echo(f"{name}: {c.config.title}  [scenarios: {scen}]")
        except RecoveryError as exc:
            typer.echo(f"{name}: cannot be loaded ({exc.__class__.__name__})")


@app.command()
def validate(
    case: Annotated[str, typer.Argument(help="case name or folder, e.g. models/quad_baseline")],
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    scale: ScaleOpt = None,
) -> None:
    """Check a case's inputs and list every problem at once (exit 2 if any)."""
    from recovery.api import prepare_case

    try:
        c, data, ovs = prepare_case(case, scenario, _overrides(set_, scale))
    except RecoveryError as exc:
        _fail(exc)
    n_rows = sum(len(t) for t in data.tables.values())
    typer.echo(
        f"{c.name}: inputs are valid ({len(data.tables)} tables, {n_rows} rows, "
        f"{len(ovs)} overrides; {c.config.perspective} perspective, "
        f"{c.config.horizon.start}-{c.config.horizon.end})."
    )


@app.command()
def run(
    case: Annotated[str, typer.Argument(help="case name or folder, e.g. models/quad_baseline")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="results folder")] = None,
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    scale: ScaleOpt = None,
    write_model: Annotated[
        Path | None, typer.Option(help="also write the model HiGHS solves (.mps or .lp)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Validate, solve and write the results folder (written whole, or not at all)."""
    from recovery.api import run_case

    try:
        res = run_case(case, scenario, _overrides(set_, scale), write_model=write_model)
    except RecoveryError as exc:
        _fail(exc)
    name = Path(case).name + (f"-{scenario}" if scenario else "")
    target = res.to_dir(out or Path("results") / name)
    if as_json:
        typer.echo(json.dumps(res.summary, indent=2, default=str))
        return
    k = res.summary["kpis"]
    typer.echo(f"{res.summary['case']}{' / ' + scenario if scenario else ''}: optimal")
    typer.echo(f"  total cost      {res.objective:,.0f} {res.summary['objective_unit']}")
    rec = ", ".join(f"{e} {v:,.1f} t" for e, v in k["recovered_t"].items())
    typer.echo(f"  recovered       {rec} (over the horizon)")
    typer.echo(f"  unmet magnets   {k['unmet_magnet_t']:,.1f} t of {k['magnet_demand_t']:,.1f} t")
    shares = ", ".join(
        f"{e} {v['supplier']} {v['share']:.0%}" for e, v in k["largest_supplier_share"].items()
    )
    typer.echo(f"  largest supplier share  {shares}")
    if k.get("builds_below_min_size"):
        typer.echo(
            f"  note            {k['builds_below_min_size']} yearly builds are below the "
            "minimum plant size (see capacity.csv)"
        )
    typer.echo(f"  results         {target}")


@app.command()
def compare(
    case: Annotated[str, typer.Argument(help="case name or folder")],
    scenario: Annotated[
        list[str] | None, typer.Option("--scenario", "-s", help="only these scenarios")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="also write a CSV")] = None,
) -> None:
    """Solve every scenario of a case and print their headline numbers side by side."""
    from recovery.compare import scenario_table, to_markdown
    from recovery.results import write_text_atomic

    try:
        df = scenario_table(case, scenario or None)
    except RecoveryError as exc:
        _fail(exc)
    if out is not None:
        write_text_atomic(out, df.to_csv(index=False))
    typer.echo(to_markdown(df), nl=False)


@app.command()
def docs(
    root: Annotated[Path, typer.Option(help="repository root")] = Path("."),
    case: Annotated[str, typer.Option(help="case whose inputs ASSUMPTIONS.md lists")] = (
        "quad_baseline"
    ),
) -> None:
    """Regenerate docs/formulation.md, inputs/README.md and inputs/ASSUMPTIONS.md."""
    from recovery.api import prepare_case
    from recovery.docs import assumptions_markdown, formulation_markdown, inputs_readme
    from recovery.results import write_text_atomic

    write_text_atomic(root / "docs" / "formulation.md", formulation_markdown())
    write_text_atomic(root / "inputs" / "README.md", inputs_readme())
    try:
        _, data, _ = prepare_case(case)
    except RecoveryError as exc:
        _fail(exc)
    write_text_atomic(root / "inputs" / "ASSUMPTIONS.md", assumptions_markdown(data))
    typer.echo("wrote docs/formulation.md, inputs/README.md, inputs/ASSUMPTIONS.md")


def main(argv: list[str] | None = None) -> int:
    """Entry point (console script ``recovery``); returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pyomo").setLevel(logging.ERROR)
    try:
        app(args=argv, prog_name="recovery", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except RecoveryError as exc:
        typer.echo(str(exc), err=True)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - last resort: words, not a traceback
        typer.echo(
            f"internal error: {exc.__class__.__name__}: {exc}. Please report it with the "
            "command you ran.",
            err=True,
        )
        return 3
    return 0
