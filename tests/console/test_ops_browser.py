"""The materials pages in a real browser (the launch, the served world and the axe-core
check of tests/console/test_browser.py): the days-of-cover chart is drawn, a storekeeper
records a receipt through the form, and the ledger fits a 360-px phone (its table scrolls
inside the page); axe-core on every page of the area. Screenshots: out/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.console.test_browser import CHROMIUM, SHOTS, _axe, _page, _sign_in, browser, served

__all__ = ["browser", "served"]  # the fixtures, shared with test_browser.py's launch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
    ),
]


def test_a_storekeeper_reads_cover_and_records_a_receipt(
    browser: Any, served: dict[str, Any]
) -> None:
    page = _page(browser, served)
    _sign_in(page, "storekeeper")
    page.goto("/console/materials")
    # ECharts drew the chart (SVG renderer): a bar per material in the two series
    page.locator("#cover svg").wait_for()
    assert page.locator("#cover").get_attribute("data-drawn") == "1"
    assert page.locator("#cover-table tbody tr").count() == 16
    page.screenshot(path=str(SHOTS / "materials-zh.png"), full_page=True)
    _axe(page)
    page.locator("#cover-table a[href$='material=swab']").click()
    page.get_by_role("link", name="登记出入库").click()
    assert page.locator("#material_id").input_value() == "swab"
    assert page.locator("#unit").input_value() == "pcs"
    page.locator("#qty").fill("-5")
    page.get_by_role("button", name="登记变动").click()
    assert page.locator("#qty-error").count() == 1  # refused under its field, value kept
    assert page.locator("#qty").input_value() == "-5"
    _axe(page)
    page.locator("#qty").fill("300")
    page.locator("#ref").fill("GRN-360")
    page.get_by_role("button", name="登记变动").click()
    page.locator("[role=status]").wait_for()
    assert "GRN-360" in page.locator("#movements").inner_text()
    # the other pages of the area, as a storekeeper sees them (forms included)
    for path in (
        "/console/shipments",
        "/console/suppliers",
        "/console/passes/new",
        "/console/output",
    ):
        page.goto(path)
        _axe(page)
    page.context.close()

    phone = _page(browser, served, viewport={"width": 360, "height": 740}, is_mobile=True)
    _sign_in(phone, "storekeeper")
    phone.goto("/console/materials/movements?material=swab")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width  # the table scrolls in its own region
    phone.screenshot(path=str(SHOTS / "movements-phone-zh.png"), full_page=True)
    _axe(phone)
    phone.context.close()
