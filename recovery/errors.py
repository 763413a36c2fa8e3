"""Problems reported to the user: one :class:`Issue` per bad cell or file, all at once."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Issue:
    """One problem in the inputs, named so a planner can find and fix it.

    ``row`` is the line number in the file as a spreadsheet shows it (the header is line 1), or
    ``None`` for problems with a whole file or table.
    """

    file: str
    rule: str
    message: str
    fix: str = ""
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        val = f" (value: {self.value!r})" if self.value is not None else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{where}: {self.message}{val} [{self.rule}].{fix}"


def issues_frame(issues: list[Issue]) -> pd.DataFrame:
    """The issues as a table (file, row, column, value, rule, message, fix)."""
    cols = ["file", "row", "column", "value", "rule", "message", "fix"]
    return pd.DataFrame([asdict(i) for i in issues], columns=cols)


class RecoveryError(Exception):
    """Base class of errors the CLI and app report in words (never as a traceback)."""

    exit_code = 2


class InputError(RecoveryError):
    """The inputs (case, tables or overrides) have problems; ``issues`` lists every one."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        lines = "\n".join(f"  - {i}" for i in self.issues)
        super().__init__(f"{len(self.issues)} problem(s) in the inputs:\n{lines}")

    def __reduce__(self):  # keep .issues when sent between processes
        return (self.__class__, (self.issues,))


class UsageError(RecoveryError):
    """A request that cannot be carried out as asked (unknown case or scenario, bad option)."""


class NotOptimalError(RecoveryError):
    """The solver did not prove an optimum; ``explanation`` says why in a planner's words."""

    exit_code = 1

    def __init__(self, status: str, explanation: str):
        self.status = status
        self.explanation = explanation
        super().__init__(f"No optimal plan (status: {status}).\n{explanation}")

    def __reduce__(self):  # keep .status and .explanation when sent between processes
        return (self.__class__, (self.status, self.explanation))
