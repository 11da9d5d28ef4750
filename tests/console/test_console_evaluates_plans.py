"""The console's writes reach the emergency plans as the API's do: a worker's fever
declared through their phone link opens the plan's fever rule at once (as ``POST
/declarations`` would), not at the server's next full evaluation."""

from __future__ import annotations

from keepline import clock
from keepline.console import links, web
from keepline.db import session_scope
from keepline.scope import EnterpriseScope
from tests.console.pages import Browser
from tests.worlds import A, World

PLAN = """\
keepline_plan: 1
id: fever
enterprise: xuzhou-qpcr
version: 1
name: Fever in a zone
levels:
  - {id: yellow, name: Yellow, allows: [create_task]}
rules:
  - id: fever
    name: A worker with fever
    level: yellow
    when: {kind: fever_in_zone, zone: any, at_least_workers: 1}
    actions:
      - {do: create_task, role: health_officer, deadline: 1h, auto: true,
         text: "Take the worker with fever from zone {zone} to the isolation room"}
"""


def test_a_fever_declared_on_the_phone_opens_the_fever_rule(console_world: World) -> None:
    w = console_world
    r = w.post("/emergency-plans", json={"yaml": PLAN, "filename": "fever.yaml"})
    assert r.status_code in (200, 201), r.text
    no = w.get("/workers", params={"limit": 1}).json()["items"][0]["employee_no"]
    with session_scope(w.url) as s:
        scope = EnterpriseScope(A, "user:health_officer@a.example")
        token = links.tokens(s, scope, [no], web.secret_key())[no]
    assert w.get("/activations").json()["items"] == []
    phone = Browser(w)
    assert phone.get(f"/console/d/{token}").status_code == 200  # the form (its CSRF token)
    r = phone.post(f"/console/d/{token}", {"temperature_c": "38.4", "health_code": "green"})
    assert r.status_code == 200 and 'id="needs-clearance"' in r.text
    [act] = w.get("/activations").json()["items"]
    assert act["rule_id"] == "fever" and act["day"] == str(clock.today())
