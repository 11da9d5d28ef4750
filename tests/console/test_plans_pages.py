"""The emergency plans' pages over the real app and database: a plan version loaded from
an uploaded file (and a bad one: its problem with its line, nothing written); a positive
pool opens an activation the pages show; a pending action confirmed from the page (its
state changes, audited); a task marked done; another tenant's activation is a 404 page; a
viewer may not confirm; both languages render."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select

from keepline import clock
from keepline.audit.models import AuditEntry
from keepline.console import auth as console_auth
from keepline.db import session_scope
from keepline.plans import activations, drill_runs, runs
from keepline.plans import auth as plans_auth
from keepline.plans.models import PlanVersion
from keepline.scope import EnterpriseScope
from keepline.screening import planning, positives
from keepline.screening.schemas import RoundIn
from tests.console.pages import signed_in
from tests.plans.world import csv_bytes, plans_b_ids, small_drill
from tests.worlds import A, B, World

ADMIN = EnterpriseScope(A, "user:admin@a.example")

PLAN = """\
keepline_plan: 1
id: ep
enterprise: xuzhou-qpcr
version: 1
name: Positive in a zone
levels:
  - {id: orange, name: Orange, allows: [create_task, notify]}
rules:
  - id: positive
    name: A positive in a zone
    level: orange
    when: {kind: positive_in_zone, zone: any, what: [case, positive-pool]}
    actions:
      - {do: create_task, role: health_officer, deadline: 4h, auto: true,
         text: "Disinfect zone {zone}"}
      - {do: create_task, role: admin, deadline: 1d, text: "Report zone {zone} to the district"}
      - {do: notify, roles: [health_officer], message: "Positive in zone {zone}"}
"""
BAD_LINE = "      - {do: create_task, role: janitor, deadline: 1d, text: Sweep}"
BAD = PLAN + BAD_LINE + "\n"


def _versions(world: World) -> int:
    with session_scope(world.url) as s:
        return len(s.scalars(select(PlanVersion).where(PlanVersion.enterprise_id == A)).all())


def positive_pool(url: str) -> None:
    """A round of the assembly hall today, its first pool positive, then the plans
    evaluated as the results' API does after an import."""
    with session_scope(url) as s:
        rnd = planning.plan_round(
            s, ADMIN, RoundIn(day=clock.today(), zones=["assembly"], pool_size=5)
        ).round
        tube = f"R{rnd.id}-P00001"
        rows = [(tube, "ORF1ab", "31.2"), (tube, "N", "33.0"), (tube, "IC", "28.0")]
        positives.import_results(s, ADMIN, "plate.csv", csv_bytes(rows))
        activations.after_write(s, ADMIN, clock.today())


def test_plan_activation_and_task_pages(console_world: World) -> None:
    world = console_world
    admin = signed_in(world, "A:admin")
    assert "尚未载入任何预案" in admin.get("/console/plans").text
    # A bad file: the page again, the problem with its file:line next to the field.
    r = admin.post("/console/plans", files={"file": ("ep.yaml", BAD.encode(), "text/yaml")})
    line = BAD.splitlines().index(BAD_LINE) + 1
    assert r.status_code == 422, r.text[:300]
    assert f"ep.yaml:{line} rules[0].actions[3].role" in r.text and 'aria-invalid="true"' in r.text
    assert f"ep.yaml:{line} rules[0].actions[3].role：未知角色 " in r.text  # in Chinese
    assert _versions(world) == 0
    # A viewer may not load one.
    viewer = signed_in(world, "A:viewer")
    viewer.get("/console/plans")
    r = viewer.post("/console/plans", files={"file": ("ep.yaml", PLAN.encode(), "text/yaml")})
    assert r.status_code == 403 and _versions(world) == 0
    r = admin.post("/console/plans", files={"file": ("ep.yaml", PLAN.encode(), "text/yaml")})
    assert r.status_code == 303 and r.headers["location"].startswith("/console/plans?loaded=")
    page = admin.get(r.headers["location"]).text
    assert "Positive in a zone" in page and "<td>是</td>" in page and _versions(world) == 1

    assert "没有预案启动记录" in admin.get("/console/activations").text
    positive_pool(world.url)
    listing = admin.get("/console/activations").text
    [act_id] = {int(x) for x in re.findall(r"/console/activations/(\d+)", listing)}
    assert "1 positive pool in zone assembly" in listing
    page = admin.get(f"/console/activations/{act_id}")
    assert page.status_code == 200
    # Action 0 ran by itself (its task is listed), actions 1 and 2 wait.
    assert page.text.count("/confirm") == 2 and "Disinfect zone assembly" in page.text
    assert "待确认" in page.text

    # A viewer sees the page without the buttons and may not confirm.
    assert "/confirm" not in viewer.get(f"/console/activations/{act_id}").text
    r = viewer.post(f"/console/activations/{act_id}/actions/1/confirm")
    assert r.status_code == 403
    # Without the CSRF token: refused.
    r = admin.client.post(f"/console/activations/{act_id}/actions/1/confirm")
    assert r.status_code == 403
    with session_scope(world.url) as s:
        assert runs.get_action(s, ADMIN, act_id, 1).state == "pending"

    r = admin.post(f"/console/activations/{act_id}/actions/1/confirm")
    assert r.status_code == 303 and r.headers["location"] == f"/console/activations/{act_id}"
    page = admin.get(f"/console/activations/{act_id}").text
    assert page.count("/confirm") == 1 and "Report zone assembly to the district" in page
    # Refusing needs a reason; with one, the action never runs.
    r = admin.post(f"/console/activations/{act_id}/actions/2/refuse", {"reason": ""})
    assert r.status_code == 422 and "请填写 1 至 500 个字符的理由" in r.text
    assert 'id="reason-2-error"' in r.text
    r = admin.post(f"/console/activations/{act_id}/actions/2/refuse", {"reason": "told by phone"})
    assert r.status_code == 303
    assert "/confirm" not in admin.get(f"/console/activations/{act_id}").text
    with session_scope(world.url) as s:
        run = runs.get_action(s, ADMIN, act_id, 1)
        assert (run.state, run.run_by) == ("done", "user:admin@a.example")
        entries = s.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "plan_action_runs",
                AuditEntry.record_key == f"{act_id}/1",
            )
        ).all()
        assert [(e.actor, e.before, e.after["state"]) for e in entries] == [
            ("user:admin@a.example", {"state": "pending"}, "done")
        ]
        refused = runs.get_action(s, ADMIN, act_id, 2)
        assert (refused.state, refused.error) == ("refused", "told by phone")

    # My tasks: the admin's one task; Today counts it and links to the page.
    tasks = admin.get("/console/tasks").text
    assert "Report zone assembly to the district" in tasks
    assert "Disinfect zone assembly" not in tasks  # the health officer's
    today = admin.get("/console/today").text
    tile = today.split('id="plan-tasks"')[1].split("</div>")[0]
    assert 'href="/console/tasks">1</a>' in tile
    with session_scope(world.url) as s:
        [task] = runs.list_tasks(s, ADMIN, role="admin")
    # The deadline as the plant's clock shows it: Shanghai is UTC+8, no summer time.
    local = runs.aware(task.deadline) + dt.timedelta(hours=8)
    assert f"{local.year}/{local.month}/{local.day} {local:%H:%M}" in tasks
    r = admin.post(f"/console/tasks/{task.id}/done", {"note": "phoned the district"})
    assert r.status_code == 303
    assert "您的角色没有待办任务" in admin.get(r.headers["location"]).text
    with session_scope(world.url) as s:
        done = runs.get_task(s, ADMIN, task.id)
        assert (done.done_by, done.note) == ("user:admin@a.example", "phoned the district")
        assert s.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "plan_tasks", AuditEntry.record_key == str(task.id)
            )
        ).all()

    # Stand down: a reason is required; with one, the activation closes.
    r = admin.post(f"/console/activations/{act_id}/stand-down", {"reason": " "})
    assert r.status_code == 422 and "请填写 1 至 500 个字符的理由" in r.text
    # The error beside its field, what was typed kept.
    assert 'id="stand-down-error"' in r.text and "aria-describedby=stand-down-error" in r.text
    assert 'id="stand-down-reason" name="reason" maxlength="500" required value=" "' in r.text
    r = admin.post(f"/console/activations/{act_id}/stand-down", {"reason": "zone disinfected"})
    assert r.status_code == 303
    page = admin.get(f"/console/activations/{act_id}").text
    assert "stood down: zone disinfected" in page and "/stand-down" not in page
    assert str(act_id) not in admin.get("/console/activations").text.split("<tbody>")[1]
    assert f"/console/activations/{act_id}" in admin.get("/console/activations?state=closed").text

    # Another tenant's activation and task: 404 pages, whatever the verb.
    b = plans_b_ids(world.url)
    r = admin.get(f"/console/activations/{b['activation_id']}")
    assert r.status_code == 404 and "zhengzhou" not in r.text
    r = admin.post(f"/console/activations/{b['activation_id']}/actions/{b['n']}/confirm")
    assert r.status_code == 404
    assert admin.post(f"/console/tasks/{b['task_id']}/done").status_code == 404
    assert (
        f'/activations/{b["activation_id"]}"'
        not in admin.get("/console/activations?state=all").text
    )


def test_plan_pages_in_both_languages(console_world: World) -> None:
    for lang, words in (
        ("zh-CN", ("应急预案", "预案启动", "我的任务")),
        ("en", ("Emergency plans", "Activations", "My tasks")),
    ):
        b = signed_in(console_world, "A:planner", lang)
        for path, word in zip(
            ("/console/plans", "/console/activations", "/console/tasks"), words, strict=True
        ):
            r = b.get(path)
            assert r.status_code == 200 and f"<h1>{word}" in r.text, (lang, path)
    assert signed_in(console_world, "G:government_officer").get("/console/tasks").status_code == 403


def _roles(alias: object) -> set[str]:
    """The roles an ``Annotated[..., Depends(authorize(...))]`` alias lets in."""
    check = alias.__metadata__[0].dependency  # type: ignore[attr-defined]
    cell = dict(zip(check.__code__.co_freevars, check.__closure__, strict=True))["roles"]
    return {r.value for r in cell.cell_contents}


def test_the_pages_roles_are_the_apis() -> None:
    assert _roles(console_auth.PlanResponder) == _roles(plans_auth.Responder)
    assert _roles(console_auth.PlanAdmin) == _roles(plans_auth.PlanAdmin) == {"admin"}
    assert _roles(console_auth.PageReader) == _roles(plans_auth.PlanReader)


def test_drill_report_pages(console_world: World) -> None:
    """A drill recorded for each tenant (as ``keepline plans drill`` records it): the
    list and the report in both languages, the two versions side by side, the rule the
    drill cannot fire apart from those that never fired; another tenant's drill is a 404."""
    world = console_world
    admin = signed_in(world, "A:admin")
    assert "尚无演练记录" in admin.get("/console/drills").text
    drill = small_drill()
    with session_scope(world.url) as s:
        mine = drill_runs.record_drill(s, ADMIN, drill).id
        theirs = drill_runs.record_drill(s, EnterpriseScope(B, "test"), drill).id
    listing = admin.get("/console/drills").text
    assert f'href="/console/drills/{mine}"' in listing
    assert f'href="/console/drills/{theirs}"' not in listing
    assert "two imported cases in zone a" in listing and "drill-plan v2" in listing
    viewer = signed_in(world, "A:viewer")
    page = viewer.get(f"/console/drills/{mine}")
    assert page.status_code == 200
    text = page.text
    one, two = drill["plans"]
    # the scores of both versions beside the scenario with no plan (means, 1 decimal)
    row = text.split("感染人数</th>")[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    assert cells == [
        f"{one['summary']['infections_no_plan']:.0f}",
        f"{one['summary']['infections']:.0f}",
        f"{two['summary']['infections']:.0f}",
    ]
    assert "drill-plan v1" in text and "drill-plan v2" in text
    assert "演练无法触发的规则（未模拟）" in text
    assert "<td>向政府反映的困难不在模拟范围内</td>" in text  # the drill's reason, translated
    assert "<td>其规则未被模拟</td>" in text
    assert "从未执行的动作" in text and "vendor/echarts/echarts.min.js" in text
    # the charts' options: no plan and each version, a day axis of the drill's 16 days
    option = json.loads(text.split('id="chart-new_infections">')[1].split("</script>")[0])
    assert [x["name"] for x in option["series"]] == ["无预案", "drill-plan v1", "drill-plan v2"]
    assert option["xAxis"]["data"] == list(range(16))
    assert option["series"][1]["data"] == one["replicates"][0]["daily"]["new_infections"]
    en = signed_in(world, "A:planner", "en").get(f"/console/drills/{mine}").text
    assert '<h2 id="h-scores">Scores</h2>' in en and "Rules that never fired" in en
    assert "<td>difficulties raised to the government are not simulated</td>" in en
    # another tenant's drill: a 404 page (and the API's 404), nothing of it shown
    r = admin.get(f"/console/drills/{theirs}")
    assert r.status_code == 404 and "two imported cases" not in r.text
    assert world.get(f"/drills/{theirs}").status_code == 404
    assert [d["id"] for d in world.get("/drills").json()["items"]] == [mine]
    assert world.get(f"/drills/{mine}").json()["report"] == drill
    assert signed_in(world, "G:government_officer").get("/console/drills").status_code == 403
