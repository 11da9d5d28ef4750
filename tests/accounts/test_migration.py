"""Migration 0007: the failed-login counters come and go; users keep their rows and an
e-mail address becomes unique within its home instead of across the database."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from keepline import db


def test_migration_0007_up_and_down(db_url: str) -> None:
    engine = db.get_engine(db_url)
    assert "login_throttle" in sa.inspect(engine).get_table_names()
    command.downgrade(db.alembic_config(engine), "0006")
    engine.dispose()
    inspect = sa.inspect(engine)
    assert "login_throttle" not in inspect.get_table_names()
    assert [u["column_names"] for u in inspect.get_unique_constraints("users")] == [["email"]]
    db.upgrade(engine)
    inspect = sa.inspect(engine)
    assert "login_throttle" in inspect.get_table_names()
    assert sorted(u["column_names"] for u in inspect.get_unique_constraints("users")) == [
        ["enterprise_id", "email"],
        ["jurisdiction", "email"],
    ]
    assert "ix_auth_tokens_expires_at" in {i["name"] for i in inspect.get_indexes("auth_tokens")}
