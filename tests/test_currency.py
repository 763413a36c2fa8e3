"""Rows given in another currency and price year are converted to real USD of the case year."""

from __future__ import annotations

import pytest

import recovery
from recovery.errors import InputError

HEAD = "value,unit,low,high,source,basis,note\n"
FX = "currency,year," + HEAD + "INR,2024,0.012,USD/unit,0.011,0.013,t,assumption,\n"
DEFL = (
    "year," + HEAD + "2024,120,index,120,120,t,assumption,\n2025,126,index,126,126,t,assumption,\n"
)


def test_inr_2024_row_is_converted(toy_copy):
    (toy_copy / "fx_rate.csv").write_text(FX)
    (toy_copy / "deflator.csv").write_text(DEFL)
    p = toy_copy / "magnet_import_price.csv"
    p.write_text(
        p.read_text().replace("60000,USD/t,60000,60000", "4761904.76,INR2024/t,4000000,5000000")
    )
    _, data, _ = recovery.prepare_case(toy_copy)
    row = data.tables["magnet_import_price"].iloc[0]
    # 4,761,904.76 INR x 0.012 USD/INR = 57,142.86 USD of 2024 x 126/120 = 60,000 USD of 2025
    assert row["value"] == pytest.approx(60_000, rel=1e-8)
    assert row["low"] == pytest.approx(4e6 * 0.012 * 1.05)
    assert row["unit"] == "USD/t" and "INR2024/t" in row["note"]
    assert recovery.run_case(toy_copy).objective == pytest.approx(52_978_000, rel=1e-8)


def test_missing_rate_is_reported(toy_copy):
    (toy_copy / "deflator.csv").write_text(DEFL)
    p = toy_copy / "magnet_import_price.csv"
    p.write_text(
        p.read_text().replace("60000,USD/t,60000,60000", "5000000,INR2024/t,4000000,6000000")
    )
    with pytest.raises(InputError) as exc:
        recovery.prepare_case(toy_copy)
    assert any(i.rule == "currency" and "fx_rate" in i.message for i in exc.value.issues)
