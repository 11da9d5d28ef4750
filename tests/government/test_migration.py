"""Migration 0006: the government tables come and go; 0005's tables stay."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from keepline import db

GOV_TABLES = {
    "gov_jurisdictions",
    "gov_departments",
    "gov_officers",
    "gov_registrations",
    "gov_listings",
    "gov_liaisons",
    "gov_resumption_states",
    "gov_checklists",
    "gov_applications",
    "gov_application_answers",
    "gov_daily_reports",
    "gov_visits",
    "gov_findings",
    "gov_finding_steps",
}


def test_migration_0006_up_and_down(db_url: str) -> None:
    engine = db.get_engine(db_url)
    assert (db.current_revision(engine) or "") >= "0006"  # later migrations build on it
    assert set(sa.inspect(engine).get_table_names()) >= GOV_TABLES
    command.downgrade(db.alembic_config(engine), "0005")
    engine.dispose()
    names = set(sa.inspect(engine).get_table_names())
    assert not (GOV_TABLES & names) and "workers" in names
    db.upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) >= GOV_TABLES
