"""Shared fixtures: solved cases (session scope) and a helper to copy a case for editing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import recovery

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
TOY = MODELS / "toy"


@pytest.fixture(scope="session")
def toy():
    """The toy case solved once: (results, model)."""
    return recovery.run_case(TOY, return_model=True)


@pytest.fixture
def toy_copy(tmp_path: Path) -> Path:
    """A private copy of the toy case folder that a test may edit."""
    dst = tmp_path / "toy"
    shutil.copytree(TOY, dst)
    return dst


def pytest_addoption(parser):
    parser.addoption(
        "--update-expected",
        action="store_true",
        help="rewrite models/*/expected.json from the current results",
    )
    parser.addoption("--reason", default="", help="dated reason recorded with --update-expected")
