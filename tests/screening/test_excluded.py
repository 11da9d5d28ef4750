"""Issue 14 item 1: a round leaves out who may not work that day (a confirmed case, a
fever declaration, a quarantined contact, a locked zone), lists them apart with the
reason (service, CLI, printable list), and a positive pool's retests are its members
only. Worked by hand on the tiny plant (asm: A1-A6 team asm-a and B1-B5 asm-b on the
day shift, N1-N4 asm-n at night; lab: L1-L3)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.containment import cases, restrictions, zone_states
from keepline.containment.models import Reason, RestrictionKind
from keepline.containment.schemas import CaseIn, RestrictionIn, ZoneStateIn
from keepline.errors import InputError
from keepline.health import service as health
from keepline.health.schemas import DeclarationIn
from keepline.scope import EnterpriseScope
from keepline.screening import planning, positives, render, rounds, sampling
from keepline.screening.models import Round
from keepline.screening.schemas import PoolIn, RoundIn
from tests.containment.world import at
from tests.tiny_world import DAY0, load_tiny

T = EnterpriseScope("tiny", "t")
EVE = DAY0 - dt.timedelta(days=1)


def sick_world(session: Session) -> None:
    """A1 confirmed (isolated) the day before; A2 declared 38.2 °C and a yellow code the
    day before (not cleared); N1 quarantined as a close contact from the day before."""
    load_tiny(session)
    cases.open_case(session, T, CaseIn(employee_no="A1", confirmed_on=EVE))
    fever = DeclarationIn(employee_no="A2", day=EVE, temperature_c=38.2, health_code="yellow")
    health.save_declarations(session, T, [(1, fever)], today=EVE)
    restrictions.add_restriction(
        session,
        T,
        RestrictionIn(
            employee_no="N1",
            kind=RestrictionKind.quarantine,
            reason=Reason.close_contact,
            start_day=EVE,
            end_rule="days:14",
        ),
    )
    session.commit()


def csv_bytes(rows: list[tuple[str, str, str]]) -> bytes:
    return ("sample_id,target,ct\n" + "".join(f"{s},{t},{c}\n" for s, t, c in rows)).encode()


def result(sample: str, orf: str, n: str) -> list[tuple[str, str, str]]:
    return [(sample, "ORF1ab", orf), (sample, "N", n), (sample, "IC", "28.0")]


def test_sick_workers_are_left_out_and_listed(session: Session) -> None:
    sick_world(session)
    planned = planning.plan_round(session, T, RoundIn(day=DAY0, zones=["asm"], pool_size=5))
    session.commit()
    rnd = planned.round
    # 15 in asm, less A1, A2 and N1 = 12, walked by team in fives:
    # asm-a A3-A6 + asm-b B1 | B2-B5 + asm-n N2 | N3, N4.
    tubes = sampling.sampling_list(session, T, rnd.id)
    pools: dict[str, list[str]] = {}
    for r in tubes:
        pools.setdefault(r.sample_id, []).append(r.employee_no)
    assert list(pools.values()) == [
        ["A3", "A4", "A5", "A6", "B1"],
        ["B2", "B3", "B4", "B5", "N2"],
        ["N3", "N4"],
    ]
    assert [(e.employee_no, e.reasons) for e in planned.excluded] == [
        ("A1", ["isolated"]),
        ("A2", ["not_cleared"]),
        ("N1", ["quarantined"]),
    ]
    # The printed list names them apart, with the reason, after the tubes.
    left_out = planning.excluded_from(session, T, rnd)
    assert left_out == planned.excluded
    page = render.sampling_list_html(rnd, "Tiny plant", tubes, left_out)
    section = page[page.index("Not sampled in this round") :]
    assert "3 people" in section
    assert "<td>A1</td>" in section and "isolated 隔离" in section
    assert "<td>A2</td>" in section and "health declaration not cleared" in section
    assert "<td>N1</td>" in section and "quarantined" in section
    assert "<td>A1</td>" not in page[: page.index("Not sampled in this round")]

    # Pool 1 positive, the others negative: the retests are pool 1's five members only.
    p1, p2, p3 = pools
    data = csv_bytes(result(p1, "30.1", "31.0") + result(p2, "", "") + result(p3, "", ""))
    rep = positives.import_results(session, T, "plate.csv", data, today=DAY0)
    session.commit()
    assert (rep.isolated, rep.retests, rep.cleared) == (5, 5, 7)
    retests = sampling.sampling_list(session, T, rnd.id)
    assert [(r.kind, r.employee_no) for r in retests] == [
        ("retest", no) for no in ("A3", "A4", "A5", "A6", "B1")
    ]


def test_lab_pools_with_a_sick_member_and_a_locked_zone_are_refused(session: Session) -> None:
    sick_world(session)
    before = session.scalar(select(func.count()).select_from(Round))
    given = [PoolIn(pool_id="LAB-1", members=["A1", "A3"]), PoolIn(pool_id="LAB-2", members=["A2"])]
    body = RoundIn(day=DAY0, zones=["asm"], pool_size=5, pools=given)
    with pytest.raises(InputError) as err:
        planning.plan_round(session, T, body)
    assert err.value.problems == [
        f"pool 1 ('LAB-1'), member A1: may not work on {DAY0} (isolated); "
        "leave them out of the round",
        f"pool 2 ('LAB-2'), member A2: may not work on {DAY0} (not_cleared); "
        "leave them out of the round",
    ]
    # The lab locked (no closed loop) on the round's day: nobody there may be screened.
    zone_states.change_zone_state(
        session, T, "lab", ZoneStateIn(state="locked", reason="case"), at=at(1, "07:00")
    )
    with pytest.raises(InputError, match="nobody in these zones and shifts may work on"):
        planning.plan_round(session, T, RoundIn(day=DAY0, zones=["lab"]))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Round)) == before


def test_cli_plan_leaves_out_and_lists_the_sick(session: Session, cli) -> None:  # type: ignore[no-untyped-def]
    sick_world(session)
    session.close()
    r = cli(f"screening plan tiny --day {DAY0} --zones asm --pool-size 5")
    assert r.code == 0, r
    assert "not in this round: 3" in r.out
    for no, why in (("A1", "isolated"), ("A2", "not_cleared"), ("N1", "quarantined")):
        line = next(x for x in r.out.splitlines() if f" {no} " in x)
        assert why in line
    lst = cli("screening list tiny 1")
    members = [row.split(",")[4] for row in lst.out.splitlines()[1:]]
    assert len(members) == 12 and not {"A1", "A2", "N1"} & set(members)


def test_a_round_in_place_samples_a_locked_zone_but_not_the_sick(session: Session) -> None:
    """A locked zone's people may not work, but a round ``in_place`` samples them where
    they are; the isolated, the uncleared and quarantined contacts stay out even so."""
    sick_world(session)
    zone_states.change_zone_state(
        session, T, "asm", ZoneStateIn(state="locked", reason="case"), at=at(1, "07:00")
    )
    with pytest.raises(InputError, match="nobody in these zones and shifts may work on"):
        planning.plan_round(session, T, RoundIn(day=DAY0, zones=["asm"]))
    planned = planning.plan_round(session, T, RoundIn(day=DAY0, zones=["asm"], in_place=True))
    # asm: A1-A6, B1-B5 (day), N1-N4 (night). Out: A1 (isolated), A2 (not cleared), N1
    # (quarantined), each with the lock as well; in: the other 12, held only by the lock.
    out = {e.employee_no: e.reasons for e in planned.excluded}
    assert out == {
        "A1": ["isolated", "zone_locked"],
        "A2": ["not_cleared", "zone_locked"],
        "N1": ["quarantined", "zone_locked"],
    }
    members = rounds.round_members(session, T, planned.round.id)
    assert len(members) == 12 and not {"A1", "A2", "N1"} & members
