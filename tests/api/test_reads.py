"""The read endpoints' cheaper paths give the same answers as counting by hand: the roster
summary (per-team counts from an index, uncleared workers driven from clearances), who has
not declared (counted by difference), pages past the end; the migration that adds the
covering indexes (and takes them back); PostgreSQL statistics after a bulk write."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from alembic import command

from keepline import db
from keepline.db import session_scope
from keepline.health import queries as health
from keepline.people import service as people
from keepline.people.generate import roster_rows
from keepline.plant import service as plant_service
from keepline.plant.yamlio import load_yaml
from keepline.scope import EnterpriseScope
from keepline.tabular import Table, write_csv
from tests.worlds import XUZHOU, A, World

STATUS = {0: "on-leave", 1: "left"}  # by position % 7; the rest active


def _roster() -> list[dict[str, str]]:
    """About 50 workers spread over every team, some on leave, some gone."""
    rows = [dict(r) for r in roster_rows(load_yaml(XUZHOU), seed=3)[::25]]
    for i, r in enumerate(rows):
        r["employee_no"] = f"RD{i:04d}"
        r["employment_status"] = STATUS.get(i % 7, "active")
    return rows


def _all_pages(world: World, path: str, params: dict[str, object], who: str) -> list[dict]:
    items: list[dict] = []
    while True:
        page = world.get(path, who=who, params={**params, "limit": 7, "offset": len(items)})
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        if len(items) >= body["total"]:
            assert len(items) == body["total"]
            return items


def test_summary_and_missing_equal_counts_by_hand(world: World) -> None:
    rows = _roster()
    data = write_csv(people.COLUMNS, rows).encode()
    r = world.post("/workers/import", files={"file": ("rd.csv", data)})
    assert r.status_code == 200, r.text
    # Declarations today: every third worker (whatever their status), a fever for some.
    declared = {r["employee_no"] for i, r in enumerate(rows) if i % 3 == 0}
    fever = {r["employee_no"] for i, r in enumerate(rows) if i % 3 == 0 and i % 2 == 0}
    body = {
        "declarations": [
            {
                "employee_no": no,
                "day": str(world.today),
                "temperature_c": 38.5 if no in fever else 36.6,
            }
            for no in sorted(declared)
        ]
    }
    assert world.post("/declarations/bulk", json=body).status_code == 200

    # The 40 workers of the shared world (all active, asm-day-1, not declared) count too.
    base = world.get("/workers", params={"limit": 1000}).json()["items"]
    everyone = [
        {"employee_no": w["employee_no"], "team": w["team"], "employment_status": "active"}
        for w in base
        if not w["employee_no"].startswith("RD")
    ] + rows
    by_hand_active = Counter(w["team"] for w in everyone if w["employment_status"] == "active")
    by_hand_leave = Counter(w["team"] for w in everyone if w["employment_status"] == "on-leave")
    team_of = {w["employee_no"]: w["team"] for w in everyone}
    by_hand_uncleared = Counter(team_of[no] for no in fever)

    s = world.get("/workers/summary", who="A:viewer").json()
    by_team = {t["team"]: t for t in s["teams"]}
    for team, t in by_team.items():
        assert t["rostered"] == by_hand_active[team], team
        assert t["on_leave"] == by_hand_leave[team], team
        assert t["not_cleared"] == by_hand_uncleared[team], team
        assert t["difference"] == t["rostered"] - t["planned"]
    assert s["rostered"] == sum(by_hand_active.values())
    assert sum(t["not_cleared"] for t in s["teams"]) == len(fever) > 0

    # Who has not declared: active and no declaration today (declared ones on leave or
    # gone are the difference's correction term).
    assert any(w["employment_status"] != "active" for w in rows if w["employee_no"] in declared)
    missing = sorted(
        w["employee_no"]
        for w in everyone
        if w["employment_status"] == "active" and w["employee_no"] not in declared
    )
    day = {"day": str(world.today)}
    got = _all_pages(world, "/declarations/missing", day, "A:viewer")
    assert [m["employee_no"] for m in got] == missing
    team = rows[0]["team"]
    got = _all_pages(world, "/declarations/missing", {**day, "team": team}, "A:viewer")
    assert [m["employee_no"] for m in got] == [n for n in missing if team_of[n] == team]

    # A page past the end: no items, the right total; an unknown sort field still a 422.
    past = world.get("/declarations/missing", params={**day, "offset": 5000}).json()
    assert past["items"] == [] and past["total"] == len(missing)
    r = world.get("/declarations/missing", params={**day, "offset": 5000, "sort": "phone"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "sort"
    # Nobody declared yesterday: every worker employed then is missing, counted the same
    # way: the active ones and those marked as left today (left_on defaults to today).
    y = world.today.fromordinal(world.today.toordinal() - 1)
    total = world.get("/declarations/missing", params={"day": str(y)}).json()["total"]
    leavers = [w for w in everyone if w["employment_status"] == "left"]
    assert len(leavers) == 7  # positions 1, 8, …, 43 of the 49 rows
    assert total == sum(by_hand_active.values()) + len(leavers)

    # The difference equals the anti-join it replaces, in SQL.
    with session_scope(world.url) as session:
        for d in (world.today, y):
            q = health.missing_query(EnterpriseScope(A, "test"), d)
            anti = session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))
            assert session.scalar(health.missing_count(EnterpriseScope(A, "test"), d)) == anti

    # The roster's count without the clearance join, and with it; who has left is off
    # the list.
    listed = [w for w in everyone if w["employment_status"] != "left"]
    gone = {w["employee_no"] for w in leavers}
    assert world.get("/workers", params={"team": team}).json()["total"] == sum(
        1 for w in listed if w["team"] == team
    )
    uncleared = world.get("/workers", params={"cleared": "false", "limit": 1000}).json()
    assert sorted(w["employee_no"] for w in uncleared["items"]) == sorted(fever - gone)
    cleared = world.get("/workers", params={"cleared": "true"}).json()["total"]
    assert cleared == len(listed) - len(fever - gone)


def _indexes(engine: sa.Engine, table: str) -> dict[str, list[str]]:
    return {i["name"]: i["column_names"] for i in sa.inspect(engine).get_indexes(table)}


def test_migration_0005_adds_the_covering_indexes_and_takes_them_back(db_url: str) -> None:
    engine = db.get_engine(db_url)
    assert db.current_revision(engine) >= "0005"  # 0005 or a later head
    # 0009 extends the workers' index with left_on (tests/retention/test_migration.py).
    command.downgrade(db.alembic_config(engine), "0005")
    engine.dispose()
    workers, declarations = _indexes(engine, "workers"), _indexes(engine, "declarations")
    assert workers["ix_workers_enterprise_team_status"] == [
        "enterprise_id",
        "team_id",
        "employment_status",
    ]
    assert declarations["ix_declarations_enterprise_day_temperature"] == [
        "enterprise_id",
        "day",
        "temperature_c",
    ]
    assert "ix_workers_enterprise_team" not in workers  # a prefix of the new one
    command.downgrade(db.alembic_config(engine), "0004")
    engine.dispose()
    assert _indexes(engine, "workers")["ix_workers_enterprise_team"] == ["enterprise_id", "team_id"]
    assert "ix_workers_enterprise_team_status" not in _indexes(engine, "workers")
    assert "ix_declarations_enterprise_day" in _indexes(engine, "declarations")
    command.upgrade(db.alembic_config(engine), "0005")
    assert "ix_workers_enterprise_team_status" in _indexes(engine, "workers")
    db.upgrade(engine)
    assert db.current_revision(engine) >= "0005"


def test_bulk_writes_refresh_postgresql_statistics(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite's planner uses no statistics")

    plant = load_yaml(XUZHOU)
    rows = roster_rows(plant, seed=1)  # 1,204 workers: above BULK_ANALYZE_ROWS
    assert len(rows) >= db.BULK_ANALYZE_ROWS
    with session_scope(db_url) as s:
        plant_service.load_plant(s, plant, actor="test")
    with session_scope(db_url) as s:
        people.import_roster(
            s,
            EnterpriseScope(A, "test"),
            Table("r.csv", list(people.COLUMNS), list(enumerate(rows, 2))),
        )
    with db.get_engine(db_url).connect() as c:
        # reltuples is -1 for a table never analysed; ANALYZE sets it, transactionally.
        n = c.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'workers'"))
    assert n == len(rows)
