"""Editing a cell of an input table in the browser grid becomes an override and changes the plan."""

from __future__ import annotations

import re

import pytest
from test_browser import COST, cost_text, kpi, open_app

import recovery

pytestmark = pytest.mark.e2e


def test_grid_cell_edit_solves_to_the_package_answer(browser, streamlit_url, idle):
    ctx, page, _ = open_app(browser, streamlit_url, "case=toy", idle)
    try:
        page.get_by_role("tab", name="Inputs").click()
        idle(page)
        page.get_by_test_id("stSelectbox").filter(has_text="Table").click()
        page.get_by_role("option", name="demand", exact=True).click()
        idle(page)
        grid = page.locator("[data-testid='stDataFrame']:visible").first
        box = grid.bounding_box()
        # the grid is a canvas: first body row (header ~36 px, rows ~33 px), in the value column
        # (after nation, grade, year: about 40 % of the width); select, then open the editor
        x, y = box["x"] + box["width"] * 0.40, box["y"] + 36 + 17
        page.mouse.click(x, y)
        page.wait_for_timeout(300)
        page.mouse.dblclick(x, y)
        editor = page.locator("input.gdg-input").first
        editor.wait_for(timeout=10_000)
        editor.fill("250")
        editor.press("Enter")
        # the edit is committed once it is an override in the link (the app mirrors its state)
        page.wait_for_url(re.compile(r"demand.*250"), timeout=30_000)
        idle(page)
        page.get_by_role("button", name="Solve").click()
        idle(page)
        want = recovery.run_case(
            "toy", overrides=[{"set": "demand[nation=US,grade=standard,year=2030]=250"}]
        )
        assert kpi(page, COST) == cost_text(want.objective) != cost_text(52_978_000.0)
    finally:
        ctx.close()
