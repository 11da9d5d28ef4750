"""Today's costly figures are kept per version of the enterprise's record: the version
is raised by each committed transaction that audited a write (once, whatever it wrote),
not by a rolled-back one, so a kept figure is never stale."""

from __future__ import annotations

from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.console import today
from keepline.health import service as health
from keepline.health.schemas import DeclarationIn
from keepline.materials import outlook
from keepline.scope import EnterpriseScope
from tests.tiny_world import load_tiny


def test_a_write_changes_the_figures_at_once(session: Session) -> None:
    eid = load_tiny(session)
    session.commit()
    scope = EnterpriseScope(eid, "ho")
    v0 = audit.version(session, scope)
    assert v0 >= 1  # loading the plant was audited
    # Two audited writes in one transaction: raised once.
    audit.log(session, scope, "update", "workers", "A1", reason="t1")
    audit.log(session, scope, "update", "workers", "A2", reason="t2")
    session.commit()
    assert audit.version(session, scope) == v0 + 1
    # A rolled-back write raises nothing; another enterprise's version is its own.
    audit.log(session, scope, "update", "workers", "A3", reason="t3")
    session.rollback()
    assert audit.version(session, scope) == v0 + 1
    assert audit.version(session, EnterpriseScope("other", "x")) == 0

    day = clock.today()
    first = today.figures(session, scope, day)
    assert first.roster.total.declared == 0 and first.roster.total.not_cleared == 0
    again = today.figures(session, scope, day)  # kept while nothing is written
    assert again.roster is first.roster and again.cover is first.cover
    # one outlook kept for Today and the materials page (``today.cover``), and it is the
    # API's (``GET /stock/outlook``): the same figures
    assert today.cover(session, scope, day) is first.cover
    assert first.cover == outlook.outlook(session, scope, day)
    fever = DeclarationIn(employee_no="A1", day=day, temperature_c=38.4)
    health.save_declarations(session, scope, [(1, fever)])
    session.commit()
    after = today.figures(session, scope, day)
    assert after.roster is not first.roster and after.cover is not first.cover
    assert (after.roster.total.declared, after.roster.total.not_cleared) == (1, 1)
