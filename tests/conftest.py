"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), the CLI, data.

Set ``KEEPLINE_TEST_DATABASE_URL=postgresql+psycopg://...`` to run every database test
on PostgreSQL as well; each test then starts from an empty ``public`` schema.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from keepline import db
from keepline.accounts import service as accounts
from tests.worlds import World, build_world

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
XUZHOU = EXAMPLES / "xuzhou-qpcr.yaml"
ZHENGZHOU = EXAMPLES / "zhengzhou-meters.yaml"
SHARED_DATA = ROOT.parent / "shared" / "data"

# CI replays the same examples on every run (a red CI names a failure anyone can repeat);
# local runs keep drawing new ones, which is how rare failures are found
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def _worker_url(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own PostgreSQL database (``test_gw0`` …),
    created on first use, since every test starts by dropping the ``public`` schema."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base, _, name = url.rpartition("/")
    mine = f"{name}_{worker}"
    engine = db.make_engine(f"{base}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = text("SELECT 1 FROM pg_database WHERE datname = :n")
        if conn.execute(exists, {"n": mine}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{mine}"'))
    engine.dispose()
    return f"{base}/{mine}"


PG_URL = _worker_url(os.environ.get("KEEPLINE_TEST_DATABASE_URL"))
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _reset_postgres(url: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database: SQLite in a temp folder, or the test PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'keepline.db'}"
    else:
        assert PG_URL
        url = PG_URL
        _reset_postgres(url)
    db.reset_engines()
    db.get_engine(url)
    yield url
    db.reset_engines()


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    s = sessionmaker(bind=db.get_engine(db_url), expire_on_commit=False)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out[-500:]!r}, err={self.err[-500:]!r})"


@pytest.fixture
def cli(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """Run ``keepline ARGS`` in-process against the test database; returns a CliResult."""
    monkeypatch.setenv("KEEPLINE_DATABASE_URL", db_url)
    monkeypatch.setenv("KEEPLINE_HOME", str(tmp_path / "home"))
    from keepline.cli import main

    def run(args: str | list[str]) -> CliResult:
        argv = shlex.split(args) if isinstance(args, str) else list(args)
        capsys.readouterr()
        code = 0
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def shared_data(name: str) -> Path:
    """A folder of ../shared/data, or skip the test when it is not beside the project."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not here (shared data sits beside the project only)")
    return path


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    # argon2's defaults cost ~50 ms a hash; tests hash dozens of passwords.
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """The two-tenant world of tests/worlds.py, its client open."""
    w = build_world(db_url)
    with w.client:
        yield w
