"""Plant files in the database: lossless round trips, idempotent reloads, updates,
atomic failure. Runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit.models import AuditEntry
from keepline.plant import models as m
from keepline.plant import service
from keepline.plant.excel import read_xlsx, write_xlsx
from keepline.plant.schema import Order, PlantFile
from keepline.plant.yamlio import dump_yaml, load_yaml, parse_yaml
from tests.conftest import XUZHOU, ZHENGZHOU

PLANTS = [XUZHOU, ZHENGZHOU]


def count_rows(session: Session) -> dict[str, int]:
    out = {}
    for model in [m.Enterprise, *m.TABLES, AuditEntry]:
        out[model.__tablename__] = session.scalar(select(func.count()).select_from(model))
    return out


@pytest.mark.parametrize("path", PLANTS, ids=lambda p: p.stem)
def test_yaml_database_yaml_is_lossless(session: Session, path: Path) -> None:
    plant = load_yaml(path)
    service.load_plant(session, plant)
    session.commit()
    exported = service.export_plant(session, plant.enterprise.id)
    assert exported == plant
    # and as text: the exported YAML parses back to the same plant
    assert parse_yaml(dump_yaml(exported), "exported.yaml") == plant


@pytest.mark.parametrize("path", PLANTS, ids=lambda p: p.stem)
def test_xlsx_database_round_trip_is_lossless(session: Session, path: Path, tmp_path: Path) -> None:
    plant = load_yaml(path)
    book = tmp_path / "plant.xlsx"
    write_xlsx(plant, book)
    from_book = read_xlsx(book)
    assert from_book == plant
    service.load_plant(session, from_book)
    session.commit()
    assert service.export_plant(session, plant.enterprise.id) == plant


def test_reloading_the_same_file_changes_nothing(session: Session) -> None:
    plant = load_yaml(XUZHOU)
    first = service.load_plant(session, plant)
    session.commit()
    assert first.created and first.inserted["teams"] == 23
    before = count_rows(session)
    again = service.load_plant(session, load_yaml(XUZHOU))
    session.commit()
    assert again.changes == 0 and again.describe() == "xuzhou-qpcr: no changes"
    assert count_rows(session) == before  # not even an audit entry


def test_a_changed_file_updates_the_enterprise_to_match(session: Session) -> None:
    plant = load_yaml(XUZHOU)
    service.load_plant(session, plant)
    session.commit()
    data = plant.model_dump()
    data["teams"] = [t for t in data["teams"] if t["id"] != "iso-medics"]  # the last team, removed
    data["orders"][0]["qty"] = 320  # changed
    data["orders"].append(
        dict(
            Order(
                id="NEW-1",
                customer="Anhui CDC",
                product="qpcr-16",
                qty=10,
                due="2027-01-02",
                priority="front-line",
            )
        )
    )
    changed = PlantFile.model_validate(data)
    report = service.load_plant(session, changed, actor="tester")
    session.commit()
    assert (report.deleted["teams"], report.updated["orders"], report.inserted["orders"]) == (
        1,
        1,
        1,
    )
    assert report.changes == 3
    assert service.export_plant(session, plant.enterprise.id) == changed
    audit = session.scalars(select(AuditEntry).where(AuditEntry.actor == "tester")).all()
    assert sorted((a.action, a.table_name) for a in audit) == [
        ("delete", "teams"),
        ("insert", "orders"),
        ("update", "orders"),
    ]
    upd = next(a for a in audit if a.action == "update")
    assert upd.before["qty"] == 300 and upd.after["qty"] == 320


def test_two_enterprises_are_separate_tenants(session: Session) -> None:
    service.load_plant(session, load_yaml(XUZHOU))
    service.load_plant(session, load_yaml(ZHENGZHOU))
    session.commit()
    assert [e.id for e in service.list_enterprises(session)] == ["xuzhou-qpcr", "zhengzhou-meters"]
    assert [e.id for e in service.list_enterprises(session, "zhengzhou-hitech-zone")] == [
        "zhengzhou-meters"
    ]
    # both plants have a material called mask-kn95; each keeps its own
    x = service.export_plant(session, "xuzhou-qpcr")
    z = service.export_plant(session, "zhengzhou-meters")
    assert next(mt.on_hand for mt in x.materials if mt.id == "mask-kn95") == 60000
    assert next(mt.on_hand for mt in z.materials if mt.id == "mask-kn95") == 30000


def test_a_crash_mid_write_leaves_the_database_as_it_was(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keepline import db
    from keepline.audit import service as audit

    with db.session_scope(db_url) as s:
        service.load_plant(s, load_yaml(ZHENGZHOU))
    with db.session_scope(db_url) as s:
        before = count_rows(s)

    calls = {"n": 0}
    real = audit.record

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 40:  # well into the inserts of the second plant
            raise RuntimeError("simulated crash")
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(RuntimeError), db.session_scope(db_url) as s:
        service.load_plant(s, load_yaml(XUZHOU))
    assert calls["n"] == 40
    with db.session_scope(db_url) as s:
        assert count_rows(s) == before
        assert [e.id for e in service.list_enterprises(s)] == ["zhengzhou-meters"]


def test_export_of_unknown_enterprise_names_the_known_ones(session: Session) -> None:
    service.load_plant(session, load_yaml(XUZHOU))
    from keepline.errors import NotFound

    with pytest.raises(NotFound, match=r"no enterprise 'nope' \(known: xuzhou-qpcr\)"):
        service.export_plant(session, "nope")
