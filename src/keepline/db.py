"""Database engine, sessions, the declarative base and the migrations entry point."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    ForeignKey,
    ForeignKeyConstraint,
    MetaData,
    String,
    create_engine,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from keepline import settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    def values(self, *, without: Collection[str] = ()) -> dict[str, Any]:
        """The row's columns by name, less ``without`` (what the audit log records)."""
        return {
            c.key: getattr(self, c.key)
            for c in self.__table__.columns  # type: ignore[attr-defined]
            if c.key not in without
        }


def enterprise_fk(**kw: Any) -> Mapped[str]:
    """A tenant row's ``enterprise_id``: the row goes when its enterprise is deleted."""
    return mapped_column(String(64), ForeignKey("enterprises.id", ondelete="CASCADE"), **kw)


def child_of(table: str, column: str, key: str = "id") -> ForeignKeyConstraint:
    """The row's (``enterprise_id``, ``column``) refers to ``table``'s (``enterprise_id``,
    ``key``): a row of the same enterprise, which takes this one with it when deleted."""
    return ForeignKeyConstraint(
        ["enterprise_id", column],
        [f"{table}.enterprise_id", f"{table}.{key}"],
        ondelete="CASCADE",
    )


def columns(model: type[Base], *names: str) -> dict[str, Any]:
    """The model's columns ``names`` by their names (e.g. the fields a list sorts by)."""
    return {n: getattr(model, n) for n in names}


MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    url = url or settings.database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


@functools.cache
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def reset_engines() -> None:
    """Forget cached engines (tests that drop and recreate a database call this)."""
    _engine_for.cache_clear()


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: the configured database), migrated to head."""
    return _engine_for(url or settings.database_url())


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``; a no-op when already there."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# A bulk write of at least this many rows refreshes the planner's statistics at once.
BULK_ANALYZE_ROWS = 1000


def analyze_after_bulk(session: Session, rows_written: int, *tables: str) -> None:
    """After a bulk write, refresh PostgreSQL's statistics of ``tables`` now.

    PostgreSQL plans from statistics that autovacuum refreshes only some time (about a
    minute) after a big change. Until then a freshly imported roster looks empty to the
    planner, which then picks nested loops: who has not declared took 22 s on 10,000
    workers instead of 20 ms. ANALYZE runs in the writing transaction (it samples that
    transaction's own new rows) and takes tens of milliseconds for tens of thousands of
    rows. SQLite's planner uses no statistics unless ANALYZE was ever run: nothing to do.
    """
    bind = session.get_bind()
    if rows_written >= BULK_ANALYZE_ROWS and bind.dialect.name == "postgresql":
        for table in tables:
            session.execute(text(f'ANALYZE "{table}"'))


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    factory = sessionmaker(bind=get_engine(url), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
