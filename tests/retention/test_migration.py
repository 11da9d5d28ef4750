"""Migration 0009: workers gain ``left_on`` (those already left get the day of the
migration) and the retention rules' table; both go on the way down, the rows stay."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from keepline import db
from tests.tiny_world import load_tiny


def test_migration_0009_up_and_down(db_url: str) -> None:
    engine = db.get_engine(db_url)
    with Session(engine) as s:
        load_tiny(s)
        s.commit()
    command.downgrade(db.alembic_config(engine), "0008")
    engine.dispose()
    insp = sa.inspect(engine)
    assert "retention_policies" not in insp.get_table_names()
    assert "left_on" not in {c["name"] for c in insp.get_columns("workers")}
    assert "ix_workers_enterprise_team_status" in {i["name"] for i in insp.get_indexes("workers")}
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE workers SET employment_status = 'left' WHERE employee_no = 'B1'")
        )
    db.upgrade(engine)
    engine.dispose()
    assert "retention_policies" in sa.inspect(engine).get_table_names()
    indexes = {i["name"]: i["column_names"] for i in sa.inspect(engine).get_indexes("workers")}
    assert indexes["ix_workers_enterprise_team_status_left"][-1] == "left_on"
    assert "ix_workers_enterprise_team_status" not in indexes
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT employee_no, left_on FROM workers")).all())
    assert len(rows) == 18 and sum(v is not None for v in rows.values()) == 1
    day = rows["B1"]
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    # CURRENT_DATE is the database's day (UTC for SQLite): today or, near midnight, beside it.
    assert abs((day - dt.date.today()).days) <= 1
