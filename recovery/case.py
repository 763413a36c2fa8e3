"""Cases (``models/<case>/case.yaml``) and their named scenarios (``scenarios.yaml``).

A case names its inputs folder, horizon, money settings and objective perspective; a scenario is a
named list of overrides (see :mod:`recovery.overrides`) plus optional changes to case settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from recovery.errors import InputError, Issue, UsageError

MAX_CASE_FILE_BYTES = 1_000_000


class Horizon(BaseModel):
    """First and last modelled year (inclusive); every year in between is modelled."""

    model_config = ConfigDict(extra="forbid")
    start: int = Field(ge=1990, le=2200, description="first modelled year")
    end: int = Field(ge=1990, le=2200, description="last modelled year")

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"horizon end {self.end} is before start {self.start}")
        if self.end - self.start > 100:
            raise ValueError("horizon longer than 100 years")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))


class SolverSettings(BaseModel):
    """HiGHS settings."""

    model_config = ConfigDict(extra="forbid")
    time_limit: float = Field(600.0, gt=0, description="seconds before HiGHS stops")
    method: Literal["choose", "simplex", "ipm"] = Field("choose", description="LP algorithm")
    threads: int = Field(0, ge=0, description="0 lets HiGHS choose")


class Options(BaseModel):
    """Switches for optional parts of the model."""

    model_config = ConfigDict(extra="forbid")
    allow_unmet: bool = Field(True, description="demand may go unmet at the unmet penalty")
    trade: bool = Field(
        True, description="shipments between the modelled nations (false: each nation alone)"
    )


class CaseConfig(BaseModel):
    """Settings of one case (``case.yaml``)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field("", description="one-line title")
    inputs: str | None = Field(
        "../../inputs",
        description="shared inputs folder, relative to the case folder; null for none",
    )
    horizon: Horizon
    discount_rate: float = Field(ge=0, le=0.5, description="real social discount rate per year")
    currency_year: int = Field(ge=1990, le=2200, description="USD of this year (real terms)")
    perspective: Literal["alliance", "investor"] = Field(
        "alliance", description="alliance: resource cost; investor: counts subsidies and floors"
    )
    options: Options = Field(default_factory=Options)
    solver: SolverSettings = Field(default_factory=SolverSettings)


class Scenario(BaseModel):
    """A named variant of a case: overrides and setting changes."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    overrides: list[dict[Literal["set", "scale"], str]] = Field(default_factory=list)
    settings: dict = Field(default_factory=dict)


class Case(BaseModel):
    """A loaded case: its folder, settings and scenarios."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    name: str
    path: Path
    config: CaseConfig
    scenarios: dict[str, Scenario]

    @property
    def inputs_dir(self) -> Path | None:
        if self.config.inputs is None:
            return None
        return (self.path / self.config.inputs).resolve()

    @property
    def years(self) -> list[int]:
        return self.config.horizon.years

    def with_settings(self, settings: dict) -> Case:
        """A copy with case settings changed (e.g. ``{"perspective": "investor"}``)."""
        if not settings:
            return self
        merged = _deep_merge(self.config.model_dump(), settings)
        try:
            cfg = CaseConfig.model_validate(merged)
        except ValidationError as exc:
            raise InputError(_pydantic_issues(exc, "settings")) from None
        return self.model_copy(update={"config": cfg})


def _deep_merge(base: dict, new: dict) -> dict:
    out = dict(base)
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _pydantic_issues(exc: ValidationError, file: str) -> list[Issue]:
    issues = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        value = err.get("input")
        issues.append(
            Issue(
                file=file,
                rule="case-setting",
                column=loc or None,
                value=None if isinstance(value, dict) else str(value),
                message=err["msg"],
                fix="see docs/design.md for the allowed case settings",
            )
        )
    return issues


def read_yaml(path: Path) -> tuple[object, list[Issue]]:
    """Safely read a small YAML file; problems come back as issues, never as exceptions."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Issue(name, "file-readable", f"cannot read the file: {exc.strerror}")]
    if len(raw) > MAX_CASE_FILE_BYTES:
        return None, [Issue(name, "file-size", "file is larger than 1 MB")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, [Issue(name, "utf-8", "file is not UTF-8 text", "save it as UTF-8 text")]
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        return None, [Issue(name, "yaml-syntax", f"malformed YAML: {exc}", row=row)]


def find_case(case: str | Path, models_dir: Path | None = None) -> Path:
    """Resolve a case name (``toy``) or folder (``models/toy``) to its folder."""
    p = Path(case)
    if (p / "case.yaml").is_file():
        return p.resolve()
    base = models_dir or default_models_dir()
    if (base / str(case) / "case.yaml").is_file():
        return (base / str(case)).resolve()
    known = ", ".join(list_cases(base)) or "none"
    raise UsageError(f"No case '{case}' (no case.yaml there). Known cases: {known}.")


def default_models_dir() -> Path:
    """``models/`` next to the package (a source checkout), else ``./models``."""
    here = Path(__file__).resolve().parent.parent / "models"
    return here if here.is_dir() else Path.cwd() / "models"


def list_cases(models_dir: Path | None = None) -> list[str]:
    """Names of the case folders under ``models/``."""
    base = models_dir or default_models_dir()
    if not base.is_dir():
        return []
    return sorted(p.parent.name for p in base.glob("*/case.yaml"))


def load_case(case: str | Path, models_dir: Path | None = None) -> Case:
    """Read and check ``case.yaml`` and ``scenarios.yaml`` of a case; raise :class:`InputError`."""
    path = find_case(case, models_dir)
    raw, issues = read_yaml(path / "case.yaml")
    config = None
    if not issues:
        if not isinstance(raw, dict):
            issues.append(Issue(str(path / "case.yaml"), "case-setting", "expected a mapping"))
        else:
            try:
                config = CaseConfig.model_validate(raw)
            except ValidationError as exc:
                issues += _pydantic_issues(exc, str(path / "case.yaml"))
    scenarios: dict[str, Scenario] = {}
    spath = path / "scenarios.yaml"
    if spath.is_file():
        sraw, sissues = read_yaml(spath)
        issues += sissues
        if not sissues and sraw is not None:
            items = sraw.get("scenarios") if isinstance(sraw, dict) else None
            if not isinstance(items, dict):
                issues.append(
                    Issue(str(spath), "scenario-file", "expected a top-level 'scenarios:' mapping")
                )
            else:
                for name, body in items.items():
                    try:
                        scenarios[str(name)] = Scenario.model_validate(body or {})
                    except ValidationError as exc:
                        for iss in _pydantic_issues(exc, str(spath)):
                            issues.append(
                                Issue(
                                    iss.file,
                                    "scenario-file",
                                    f"scenario '{name}': {iss.message}",
                                    "each scenario has description, overrides (a list of "
                                    "'set: ...' or 'scale: ...') and settings",
                                    column=iss.column,
                                    value=iss.value,
                                )
                            )
    if issues:
        raise InputError(issues)
    if config.inputs is not None and not (path / config.inputs).is_dir():
        raise InputError(
            [
                Issue(
                    str(path / "case.yaml"),
                    "case-setting",
                    f"inputs folder '{config.inputs}' does not exist",
                    column="inputs",
                    value=config.inputs,
                )
            ]
        )
    return Case(name=path.name, path=path, config=config, scenarios=scenarios)
