"""schemathesis against the published OpenAPI spec: generated requests, logged in as an
admin of tenant A (health officer for the routes only they may call), find no 5xx.

Bounded: a few examples per operation and a time budget, so it stays a test, not a fuzz.
"""

from __future__ import annotations

import time

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.worlds import World

EXAMPLES = 5
BUDGET_S = 40.0


def test_no_server_errors_on_generated_requests(world: World) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    failures: list[str] = []
    start = time.monotonic()
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 20
    called = 0
    for op in operations:
        if op.path == "/auth/logout":
            continue  # would end the login the rest uses
        who = "A:health_officer" if op.path.endswith("/clearance") else "A:admin"
        headers = world.h(who)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy(), headers=st.just(headers))
        def check(case, headers):  # type: ignore[no-untyped-def]
            nonlocal called
            r = case.call(headers=headers)
            called += 1
            if r.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} → {r.status_code}: {r.text[:200]}"
                )

        check()
        if time.monotonic() - start > BUDGET_S:
            break
    assert not failures, "\n".join(failures[:10])
    assert called >= 40
