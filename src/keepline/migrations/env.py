"""Alembic environment: keepline passes its engine in ``config.attributes``."""

from __future__ import annotations

from alembic import context

import keepline.models  # noqa: F401  (registers every table on Base.metadata)
from keepline.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run() -> None:
    engine = config.attributes.get("engine") or make_engine()
    with engine.begin() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=conn.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run()
