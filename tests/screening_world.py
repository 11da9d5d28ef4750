"""Tenant B's screening and containment ids, for walks of every route with another
tenant's ids (tests/api/test_tenancy.py) and for the screening API tests."""

from __future__ import annotations

import datetime as dt

from keepline.containment import cases, restrictions
from keepline.containment.schemas import CaseIn
from keepline.db import session_scope
from keepline.scope import EnterpriseScope
from keepline.screening import planning, rounds, samples
from keepline.screening.schemas import RoundIn

B = "zhengzhou-meters"
# A zone of B that A (Xuzhou) does not have.
B_ONLY_ZONE = "gas-assembly"

# Valid bodies for our routes, so a walk reaches the lookup of the id.
SCREENING_BODIES = {
    ("POST", "/screening/samples/{sample_id}/collection"): {"absent": []},
    ("POST", "/cases/{case_id}/quarantine"): {"how": ["team"]},
    ("POST", "/restrictions/{restriction_id}/end"): {"end_day": "2026-12-20", "reason": "x"},
    ("POST", "/zones/{zone_id}/state"): {"state": "restricted", "reason": "walk"},
    ("POST", "/screening/rounds"): {"day": "2026-12-02", "zones": [B_ONLY_ZONE]},
    ("POST", "/cases"): {"employee_no": "ZM00001", "confirmed_on": "2026-12-02"},
}


def screening_b_ids(url: str) -> dict[str, str]:
    """Create a round, a case (with its isolation) in tenant B; return their ids."""
    with session_scope(url) as s:
        scope = EnterpriseScope(B, "test")
        zone = planning.plan_round(
            s, scope, RoundIn(day=dt.date(2026, 12, 2), zones=["water-assembly"], pool_size=5)
        ).round
        sample = rounds.sample_results(s, scope, zone.id)[0]
        worker = samples.members_of(s, scope, sample.id)[0].employee_no
        case = cases.open_case(
            s, scope, CaseIn(employee_no=worker, confirmed_on=dt.date(2026, 12, 3))
        )
        s.flush()
        iso = restrictions.open_restrictions(s, scope, [worker])[0]
        return {
            "round_id": str(zone.id),
            "sample_id": sample.id,
            "case_id": str(case.id),
            "restriction_id": str(iso.id),
            "zone_id": B_ONLY_ZONE,
        }
