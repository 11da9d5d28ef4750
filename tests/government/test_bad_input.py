"""Bad input: a one-line error naming the field or file:line; nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.errors import InputError, KeeplineError, NotFound
from keepline.government import prefill, registry, resumption, yamlfiles
from keepline.government.models import Application, Jurisdiction, Registration
from keepline.government.schemas import (
    ApplicationIn,
    DecisionIn,
    JurisdictionFile,
    LiaisonIn,
    RegistrationIn,
)
from keepline.scope import EnterpriseScope
from tests.government.api_world import APPLICATION
from tests.government.world import XUZHOU, XZ, ZZ, load_cities, load_plants, register_both

BAD_DEPARTMENT = """\
format_version: 1
jurisdiction:
  id: testville
  name: Testville
  departments:
    - {id: health, name: Health}
  officers:
    - {email: a@testville.example, department: transport}
"""


def test_jurisdiction_file_errors_name_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "j.yaml"
    f.write_text(BAD_DEPARTMENT)
    with pytest.raises(InputError) as e:
        yamlfiles.read(f, JurisdictionFile)
    assert str(e.value).startswith(f"{f}:7 jurisdiction.officers: unknown department 'transport'")
    f.write_text(BAD_DEPARTMENT.replace("  name: Testville\n", "  name: Testville\n  kind: town\n"))
    with pytest.raises(InputError, match=r"j.yaml:5 jurisdiction.kind: "):
        yamlfiles.read(f, JurisdictionFile)
    f.write_text("jurisdiction: [\n")
    with pytest.raises(InputError, match=r"j.yaml:2: not valid YAML"):
        yamlfiles.read(f, JurisdictionFile)


def test_registry_refusals(session: Session) -> None:
    load_plants(session)
    load_cities(session)
    register_both(session)
    with pytest.raises(InputError, match="enterprise_id: 'xuzhou-qpcr' is already registered"):
        registry.register(
            session, XZ, RegistrationIn(enterprise_id=XUZHOU, industry="x", scale="small")
        )
    with pytest.raises(InputError, match="jurisdiction: no jurisdiction 'atlantis'"):
        registry.register(
            session,
            XZ,
            RegistrationIn(
                enterprise_id=XUZHOU, industry="x", scale="small", jurisdiction="atlantis"
            ),
        )
    with pytest.raises(InputError, match="officer: no officer"):
        registry.assign_liaison(
            session,
            XZ,
            XUZHOU,
            LiaisonIn(officer="liaison.chen@zzhitech.gov.example", start_on=dt.date(2026, 11, 2)),
        )
    with pytest.raises(NotFound):
        registry.visible(session, XZ, "zhengzhou-meters")
    assert session.scalar(select(func.count()).select_from(Registration)) == 2
    assert session.get(Jurisdiction, "atlantis") is None


def test_application_refusals_and_decisions(session: Session) -> None:
    load_plants(session)
    load_cities(session)
    register_both(session)
    scope = EnterpriseScope("zhengzhou-meters", "test")
    bad = {**APPLICATION, "answers": [*APPLICATION["answers"], {"item": "nope", "answer": "yes"}]}
    with pytest.raises(
        InputError, match=r"answers\[7\].item: checklist 'resumption' v1 has no item 'nope'"
    ):
        prefill.apply(session, scope, ApplicationIn.model_validate(bad))
    assert session.scalar(select(func.count()).select_from(Application)) == 0
    app = prefill.apply(session, scope, ApplicationIn.model_validate(APPLICATION))
    out = resumption.for_enterprise(session, scope, app.id)
    pre = {a.item: a for a in out.answers if a.prefilled}
    # The roster, reserves and screening come from keepline; the rest from the enterprise.
    assert set(pre) == {"roster", "materials"}
    assert pre["roster"].answer == "no"  # no roster loaded in this test
    with pytest.raises(InputError, match=r"application: application .* is still under review"):
        prefill.apply(session, scope, ApplicationIn.model_validate(APPLICATION))
    ret = DecisionIn.model_validate(
        {
            "decision": "return",
            "day": "2026-12-01",
            "reason": "r",
            "items": [{"item": "nope", "review": "rework", "reason": "x"}],
        }
    )
    with pytest.raises(InputError, match=r"items\[0\].item: the checklist has no item 'nope'"):
        resumption.decide(session, ZZ, app.id, ret)
    ret = DecisionIn.model_validate(
        {
            "decision": "return",
            "day": "2026-12-01",
            "reason": "r",
            "items": [
                {"item": "materials", "review": "rework", "reason": "7 days of masks, please"}
            ],
        }
    )
    resumption.decide(session, ZZ, app.id, ret)
    with pytest.raises(KeeplineError, match=r"decision: application .* was already decided"):
        resumption.decide(session, ZZ, app.id, ret)
    out = resumption.for_enterprise(session, scope, app.id)
    assert out.status == "returned"
    assert {a.item: a.review_reason for a in out.answers if a.review} == {
        "materials": "7 days of masks, please"
    }
    assert registry.visible(session, ZZ, "zhengzhou-meters").resumption_state == "not-resumed"
    # A veto item answered 'no' cannot be approved.
    vetoed = {
        **APPLICATION,
        "answers": [
            {**a, "answer": "no"} if a["item"] == "work-safety" else a
            for a in APPLICATION["answers"]
        ],
    }
    app2 = prefill.apply(session, scope, ApplicationIn.model_validate(vetoed))
    ok = DecisionIn.model_validate({"decision": "approve", "day": "2026-12-02", "reason": "r"})
    with pytest.raises(InputError, match="decision: veto item 'work-safety' is answered 'no'"):
        resumption.decide(session, ZZ, app2.id, ok)
