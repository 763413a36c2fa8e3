"""recovery: plan rare-earth magnet recovery from e-waste across the Quad nations."""

from recovery.api import (
    build_model,
    extract_results,
    list_cases,
    load_case,
    prepare_case,
    read_inputs,
    run_case,
    solve,
    solve_inputs,
    validate,
)
from recovery.errors import InputError, Issue, NotOptimalError, RecoveryError, UsageError
from recovery.overrides import Override
from recovery.results import Results

__all__ = [
    "InputError",
    "Issue",
    "NotOptimalError",
    "Override",
    "RecoveryError",
    "Results",
    "UsageError",
    "build_model",
    "extract_results",
    "list_cases",
    "load_case",
    "prepare_case",
    "read_inputs",
    "run_case",
    "solve",
    "solve_inputs",
    "validate",
]
