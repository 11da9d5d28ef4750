"""The assessment runs from the page to its report, in a real browser (the launch and the
axe-core check of test_browser.py): a planner signs in, starts it, reloads the job's page
mid-run and finds the progress bar still there (read from the database), waits for it to
end and opens the report; then re-plans from today and sees the plan's chart. No serious
accessibility violation on the pages on the way; screenshots kept."""

from __future__ import annotations

import re
from typing import Any

import pytest

from keepline.assessment.schemas import DEFAULT_DAYS, DEFAULT_REPLICATES
from tests.console.test_browser import CHROMIUM, SHOTS, _axe, _page, _sign_in, browser, served

__all__ = ["browser", "served"]  # the fixtures, shared with test_browser.py's launch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
    ),
]
# The form's defaults (every policy, four weeks, 20 replicates: about 3 s here when the
# machine is idle) leave time for a reload to land mid-run.


def test_the_assessment_runs_from_the_page_to_its_report(
    browser: Any, served: dict[str, Any]
) -> None:
    page = _page(browser, served)
    _sign_in(page, "planner")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="评估").click()
    page.wait_for_url(re.compile(r"/console/assessment$"))
    _axe(page)
    assert page.get_by_label("天数").input_value() == str(DEFAULT_DAYS)
    assert page.get_by_label("疫情模拟重复次数").input_value() == str(DEFAULT_REPLICATES)
    page.get_by_role("button", name="运行评估").click()
    page.wait_for_url(re.compile(r"/console/jobs/\d+$"))
    job_url = page.url
    # a reload mid-run: the bar is still there, as far as the database says
    page.reload()
    state = page.locator("#job-state").inner_text()
    assert state in ("排队中", "运行中"), state
    assert page.locator("#job-bar").is_visible()
    assert page.get_by_label("进度").count() == 1
    _axe(page)
    page.screenshot(path=str(SHOTS / "assessment-running-zh.png"), full_page=True)
    # htmx polls until it ends; then the report opens inside the console
    page.locator("#open-report").wait_for(timeout=120_000)
    assert page.locator("#job-state").inner_text() == "已完成"
    assert page.locator("#job-bar").get_attribute("value") == "100"
    page.locator("#open-report").click()
    page.wait_for_url(re.compile(r"/console/jobs/\d+/report$"))
    # assessment/report.py's page, drawn in the reader's language
    assert page.title().startswith("keepline 评估")
    assert page.get_by_role("heading", name=re.compile("^推荐：.+")).count() == 1
    page.screenshot(path=str(SHOTS / "assessment-report.png"), full_page=True)
    # the run is listed with its report
    page.goto("/console/assessment")
    job_id = job_url.rsplit("/", 1)[1]
    assert page.locator(f'a[href="/console/jobs/{job_id}/report"]').count() == 1
    page.context.close()


def test_replan_from_today_shows_the_new_plan(browser: Any, served: dict[str, Any]) -> None:
    page = _page(browser, served)
    _sign_in(page, "planner")
    page.goto("/console/production-plan")
    page.get_by_role("button", name="从今天起重新排产").click()
    page.wait_for_url(re.compile(r"/console/jobs/\d+$"))
    page.locator("#open-plan").wait_for(timeout=120_000)
    page.locator("#open-plan").click()
    page.wait_for_url(re.compile(r"/console/production-plan\?plan=\d+$"))
    page.locator(".chart[data-drawn] svg").first.wait_for()
    _axe(page)
    page.screenshot(path=str(SHOTS / "production-plan-zh.png"), full_page=True)
    page.context.close()
