"""The jobs' part of the tenancy walk (tests/api/test_tenancy.py): a job of tenant B with
a file, and a body for ``POST /jobs`` (a tiny assessment of A's own)."""

from __future__ import annotations

from keepline.db import session_scope
from keepline.jobs import service
from keepline.scope import EnterpriseScope
from tests.worlds import B

JOB_BODIES = {
    ("POST", "/jobs"): {
        "kind": "assessment",
        "params": {"policies": ["symptoms only"], "days": 7, "replicates": 3},
    }
}


def jobs_b_ids(url: str) -> dict[str, str]:
    scope = EnterpriseScope(B, "user:admin@b.example")
    with session_scope(url) as s:
        job = service.submit(s, scope, "nap", {})
        service.add_file(s, scope, job.id, "report.html", "text/html", b"zhengzhou-meters")
        return {"job_id": str(job.id), "name": "report.html"}
