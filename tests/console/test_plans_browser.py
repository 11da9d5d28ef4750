"""The emergency plans' pages in a real browser (the launch and the axe-core check of
test_browser.py): an admin opens the activation a positive pool opened and confirms its
pending action; a planner reads a drill report; no serious accessibility violation on the
pages on the way."""

from __future__ import annotations

import re
from typing import Any

import pytest

from keepline.db import session_scope
from keepline.plans import drill_runs, versions
from keepline.plans.schemas import PlanVersionIn
from tests.console.test_browser import CHROMIUM, SHOTS, _axe, _page, _sign_in, browser, served
from tests.console.test_plans_pages import ADMIN, PLAN, positive_pool
from tests.plans.world import small_drill

__all__ = ["browser", "served"]  # the fixtures, shared with test_browser.py's launch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
    ),
]


def test_an_admin_confirms_an_action(browser: Any, served: dict[str, Any]) -> None:
    with session_scope(served["url"]) as s:
        versions.load_version(s, ADMIN, PlanVersionIn(yaml=PLAN, filename="ep.yaml"))
    positive_pool(served["url"])
    page = _page(browser, served)
    _sign_in(page, "admin")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="预案启动").click()
    page.wait_for_url(re.compile(r"/console/activations$"))
    _axe(page)
    page.locator("main table a").first.click()
    page.wait_for_url(re.compile(r"/console/activations/\d+$"))
    row = page.locator("#action-1")
    assert "待确认" in row.inner_text()
    _axe(page)
    row.get_by_role("button", name="确认执行").click()
    page.locator("#action-1", has_text="已完成").wait_for()
    assert page.locator("#action-1").get_by_role("button").count() == 0
    assert "Report zone assembly to the district" in page.locator("#h-tasks + table").inner_text()
    page.screenshot(path=str(SHOTS / "activation-zh.png"), full_page=True)
    _axe(page)
    page.goto("/console/tasks")
    _axe(page)
    page.context.close()


def test_a_planner_reads_a_drill_report(browser: Any, served: dict[str, Any]) -> None:
    """From the menu to the drill list to one report: the scores side by side and the
    ECharts curves drawn (SVG), in Chinese, at the width of a phone too."""
    with session_scope(served["url"]) as s:
        drill_id = drill_runs.record_drill(s, ADMIN, small_drill()).id
    page = _page(browser, served)
    _sign_in(page, "planner")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="演练报告").click()
    page.wait_for_url(re.compile(r"/console/drills$"))
    _axe(page)
    page.get_by_role("link", name=f"演练 {drill_id}").click()
    page.wait_for_url(re.compile(rf"/console/drills/{drill_id}$"))
    assert page.get_by_role("heading", name="评分").is_visible()
    header = page.locator("#h-scores + div table thead").inner_text()
    assert "无预案" in header and "drill-plan v1" in header and "drill-plan v2" in header
    page.locator("[data-chart='chart-new_infections'] svg").wait_for()
    assert page.locator("[data-chart] svg").count() == 2
    page.locator("details summary").first.click()
    _axe(page)
    page.screenshot(path=str(SHOTS / "drill-zh.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    _axe(page)
    page.context.close()
