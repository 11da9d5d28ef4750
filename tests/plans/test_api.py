"""The emergency plans over HTTP and the command line, on the two-tenant world: a bad
plan file is a 422 naming file:line:field with nothing written; the Xuzhou template
loads once; a control area entered by hand opens an activation; a person confirms its
task, the task's role does it, and the activation closes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from keepline import clock
from tests.worlds import World

TEMPLATE = Path(__file__).resolve().parents[2] / "examples" / "plans" / "xuzhou-qpcr.yaml"


def test_plans_over_http_and_the_command_line(  # type: ignore[no-untyped-def]
    world: World, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Noon in the plant today: past the template's 09:00 for health declarations.
    noon = dt.datetime.combine(clock.today(), dt.time(12), tzinfo=clock.plant_tz())
    monkeypatch.setattr(clock, "now", lambda: noon.astimezone(dt.UTC))
    text = TEMPLATE.read_text(encoding="utf-8")
    bad = text.replace("zone: assembly, pool_size: 10", "zone: nowhere, pool_size: 10")
    r = world.post("/emergency-plans", json={"yaml": bad, "filename": "xz.yaml"})
    assert r.status_code == 422
    line = 1 + bad.splitlines().index(
        "      - {do: create_screening_rounds, zone: nowhere, pool_size: 10, days_in_a_row: 1}"
    )
    assert r.json()["error"]["problems"] == [
        f"xz.yaml:{line} rules[4].actions[1].zone: unknown zone 'nowhere' (known: "
        + r.json()["error"]["problems"][0].split("(known: ")[1]
    ]
    assert world.get("/emergency-plans").json()["items"] == []
    path = tmp_path / "xz.yaml"
    path.write_text(bad, encoding="utf-8")
    out = cli(["plans", "load", "xuzhou-qpcr", str(path)])
    assert out.code != 0 and out.err.startswith(
        f"error: {path}:{line} rules[4].actions[1].zone: unknown zone 'nowhere'"
    ), out
    assert len(out.err.strip().splitlines()) == 1
    assert world.get("/emergency-plans").json()["items"] == []
    assert world.post("/emergency-plans", who="A:viewer", json={"yaml": text}).status_code == 403
    first = world.post("/emergency-plans", json={"yaml": text}).json()
    again = world.post("/emergency-plans", json={"yaml": text}).json()
    assert (first["created"], again["created"], again["id"]) == (True, False, first["id"])
    assert world.get(f"/emergency-plans/{first['id']}", who="A:viewer").json()["text"] == text

    today = clock.today().isoformat()
    out = cli(f"plans city xuzhou-qpcr --day {today} --control-area")
    assert out.code == 0, out
    out = cli("plans activations xuzhou-qpcr")
    # The city's status is what the write changed: only the rules reading it are evaluated.
    assert "rule control-area (red)" in out.out and "1 open activation(s)" in out.out, out
    # Nobody of the roster has declared today: a full evaluation fires that rule too.
    out = cli("plans evaluate xuzhou-qpcr")
    assert out.code == 0 and "1 activation(s) opened" in out.out, out
    items = world.get("/activations", who="A:viewer").json()["items"]
    assert sorted(a["rule_id"] for a in items) == ["control-area", "declarations-missing"]
    [missing] = [a for a in items if a["rule_id"] == "declarations-missing"]
    assert missing["reasons"] == ["40 of 40 declarations (100.0%) missing at 09:00, above 10.0%"]
    [act] = [a for a in items if a["rule_id"] == "control-area"]
    assert act["reasons"] == ["a control area is declared"]
    kinds = {a["n"]: (a["kind"], a["auto"], a["state"]) for a in act["actions"]}
    assert kinds == {
        0: ("raise_level", True, "done"),
        1: ("notify", True, "done"),
        2: ("create_task", True, "done"),  # a task is made by itself; its owner does it
        3: ("replan", False, "pending"),
    }
    assert world.get("/emergency-plans").json()["items"][0]["level"] == "red"
    base = f"/activations/{act['id']}/actions"
    assert world.post(f"{base}/3/confirm", who="A:viewer").status_code == 403
    r = world.post(f"{base}/2/confirm", who="A:health_officer")
    assert r.status_code == 422 and f"action 2 of activation {act['id']} is done" in r.text
    r = world.post(f"{base}/3/refuse", who="A:planner", json={"reason": "no change to plan"})
    assert r.json()["state"] == "refused"
    assert world.get("/tasks", who="A:planner").json()["items"] == []
    [task] = world.get("/tasks").json()["items"]
    assert task["role"] == "admin" and not task["overdue"]
    r = world.post(f"/tasks/{task['id']}/done", who="A:planner", json={})
    assert r.status_code == 422 and "is for the admin role" in r.text
    assert world.post(f"/tasks/{task['id']}/done", json={"note": "closed loop"}).status_code == 200
    shown = world.get(f"/activations/{act['id']}").json()
    assert (shown["state"], shown["close_reason"]) == ("closed", "every task done")
    assert [a["rule_id"] for a in world.get("/activations").json()["items"]] == [
        "declarations-missing"
    ]
    out = cli("plans tasks xuzhou-qpcr")
    # the declarations rule's task (made by itself) is the one left
    assert out.out.strip().endswith("1 task(s), 0 overdue"), out
    assert "for health_officer: Chase the missing health declarations" in out.out
    r = world.post(f"/activations/{act['id']}/stand-down", json={"reason": "x"})
    assert r.status_code == 422 and "already closed" in r.text
