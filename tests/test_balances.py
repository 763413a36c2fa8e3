"""Every balance of the toy case recomputed from the result tables (see balances.py)."""

from __future__ import annotations

import balances

import recovery


def test_toy_balances(toy):
    res, _ = toy
    _, data, _ = recovery.prepare_case(res.summary["case"] and toy_path())
    balances.check_all(res, data)


def toy_path():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "models" / "toy"
