"""schemathesis against the published OpenAPI spec: generated requests, logged in as an
admin of tenant A (health officer for the routes only they may call), find no 5xx.

Bounded by a few examples per operation, so it stays a test, not a fuzz; every operation
of the spec is called (the CI runs it on SQLite and on PostgreSQL: ``.ci/run``).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.worlds import World

EXAMPLES = 5


def test_no_server_errors_on_generated_requests(world: World) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 20
    # Logging out ends the login the rest use: it goes last.
    operations.sort(key=lambda op: op.path == "/auth/logout")
    called = 0
    covered: set[str] = set()
    for op in operations:
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
            covered.add(f"{case.method.upper()} {case.operation.path}")
            if r.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} → {r.status_code}: {r.text[:200]}"
                )

        check()
    assert not failures, "\n".join(failures[:10])
    assert covered == {f"{op.method.upper()} {op.path}" for op in operations}
    assert called >= 2 * len(operations)
