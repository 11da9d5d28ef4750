"""Migration 0008: zones.name_zh, teams.name and teams.name_zh come and go; the rows stay."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from keepline import db


def _columns(engine: sa.Engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def test_display_names_migration_up_and_down(db_url: str) -> None:
    engine = db.get_engine(db_url)
    assert {"name_zh"} <= _columns(engine, "zones")
    assert {"name", "name_zh"} <= _columns(engine, "teams")
    command.downgrade(db.alembic_config(engine), "0007")
    engine.dispose()
    assert "name_zh" not in _columns(engine, "zones")
    assert not {"name", "name_zh"} & _columns(engine, "teams")
    db.upgrade(engine)
    assert {"name", "name_zh"} <= _columns(engine, "teams")
