"""The access events of the tiny plant's case, worked by hand (times are plant-local,
Asia/Shanghai), shared by the containment tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment import access, cases
from keepline.containment.access import EventsReport
from keepline.containment.models import Case
from keepline.containment.schemas import CaseIn
from keepline.scope import EnterpriseScope
from keepline.tabular import read_table

D = dt.date(2026, 12, 1)


def t(day: int, hhmm: str) -> str:
    return f"{dt.date(2026, 12, day).isoformat()}T{hhmm}"


def at(day: int, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(2026, 12, day, h, m, tzinfo=clock.plant_tz())


EVENTS = [
    ("A1", "asm", t(3, "08:00"), t(3, "12:00")),  # the case
    ("A1", "lab", t(3, "13:00"), t(3, "14:00")),  # the case
    ("A1", "asm", t(1, "08:00"), t(1, "20:00")),  # the case, before the window
    ("B1", "asm", t(3, "11:00"), t(3, "15:00")),  # 11:00-12:00 → 60 min
    ("N1", "asm", t(3, "07:00"), t(3, "08:10")),  # 10 min < 15
    ("L1", "lab", t(3, "13:30"), t(3, "16:00")),  # 13:30-14:00 → 30 min
    ("N2", "asm", t(1, "08:00"), t(1, "20:00")),  # with the case, but before the window
    ("N3", "asm", t(2, "23:00"), t(3, "08:20")),  # entered the night before → 20 min
    ("B2", "lab", t(3, "11:00"), t(3, "13:00")),  # leaves as the case arrives → 0
]


def events_csv(rows) -> bytes:
    text = "employee_no,zone,time_in,time_out\n" + "".join(",".join(r) + "\n" for r in rows)
    return text.encode()


def save(session: Session, eid: str, rows, name: str = "gate.csv") -> EventsReport:
    table = read_table(name, events_csv(rows))
    return access.import_events(session, EnterpriseScope(eid, "gate"), table)


def open_a1_case(session: Session, scope: EnterpriseScope) -> Case:
    """A1 confirmed on 5 Dec, sampled on 4 Dec: infectious from 2 Dec."""
    body = CaseIn(
        employee_no="A1", confirmed_on=dt.date(2026, 12, 5), sample_day=dt.date(2026, 12, 4)
    )
    return cases.open_case(session, scope, body)
