"""Plant model in the database: load (diff and apply), export, list, summarise.

Functions take a session; the caller owns the transaction (see
:func:`keepline.db.session_scope`), so a failure anywhere leaves the database as it was.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.db import Base
from keepline.errors import NotFound
from keepline.plant import models as m
from keepline.plant.schema import (
    Enterprise,
    Lane,
    Line,
    Material,
    NodeKind,
    Order,
    PlantFile,
    Product,
    Recovery,
    Shift,
    Supplier,
    SupplyOption,
    Team,
    Zone,
)
from keepline.scope import EnterpriseScope
from keepline.words import plural

F = TypeVar("F", bound=BaseModel)


@dataclass
class LoadReport:
    enterprise_id: str
    created: bool = False
    inserted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    deleted: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def changes(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values()) + sum(self.deleted.values())

    def describe(self) -> str:
        if not self.changes:
            return f"{self.enterprise_id}: no changes"
        parts = []
        for label, counts in (
            ("added", self.inserted),
            ("updated", self.updated),
            ("removed", self.deleted),
        ):
            if counts:
                detail = ", ".join(_count_rows(n, t) for t, n in counts.items())
                parts.append(f"{label} {detail}")
        verb = "created" if self.created else "updated"
        return f"{self.enterprise_id}: {verb}; " + "; ".join(parts)


def _count_rows(n: int, table: str) -> str:
    """``1 zone``, ``2 zones``, ``8 line crew``: a count of a table's rows."""
    noun = table.replace("_", " ")
    return plural(n, noun[:-1] if noun.endswith("s") else noun, noun)


# A plant-file field that refers to another table is stored under that table's id column.
_COLUMN_OF = {
    "zone": "zone_id",
    "shift": "shift_id",
    "product": "product_id",
    "supplier": "supplier_id",
}
_FIELD_OF = {column: name for name, column in _COLUMN_OF.items()}


def _row_of(model: type[Base], item: BaseModel, **values: Any) -> dict[str, Any]:
    """``model``'s row for the plant-file ``item``, in column order (without
    ``enterprise_id``): a column is ``values``' entry (position, parent id) or else the
    item's field of that name; enums stored as their values, lists copied."""
    row: dict[str, Any] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        name = column.key
        if name == "enterprise_id":
            continue
        if name in values:
            row[name] = values[name]
            continue
        value = getattr(item, _FIELD_OF.get(name, name))
        row[name] = value.value if isinstance(value, Enum) else _copied(value)
    return row


def _copied(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _from_row(model: type[F], row: Base, **values: Any) -> F:
    """The plant-file ``model`` rebuilt from its database ``row``: each field from its
    column, but for ``values`` (what child tables hold)."""
    fields = {
        name: _copied(getattr(row, _COLUMN_OF.get(name, name)))
        for name in model.model_fields
        if name not in values
    }
    return model(**fields, **values)


def plant_rows(plant: PlantFile) -> dict[type[Base], list[dict[str, Any]]]:
    """The plant as table rows (without ``enterprise_id``)."""
    rows: dict[type[Base], list[dict[str, Any]]] = {t: [] for t in m.TABLES}
    for i, z in enumerate(plant.zones):
        rows[m.Zone].append(_row_of(m.Zone, z, position=i))
    for i, s in enumerate(plant.shifts):
        rows[m.Shift].append(_row_of(m.Shift, s, position=i))
    for i, t in enumerate(plant.teams):
        rows[m.Team].append(_row_of(m.Team, t, position=i))
    for i, p in enumerate(plant.products):
        rows[m.Product].append(_row_of(m.Product, p, position=i))
        for j, (mat, q) in enumerate(p.bom.items()):
            rows[m.BomItem].append(
                dict(product_id=p.id, material_id=mat, position=j, qty_per_unit=float(q))
            )
    for i, ln in enumerate(plant.lines):
        rows[m.Line].append(_row_of(m.Line, ln, position=i))
        for j, (skill, n) in enumerate(ln.crew_per_shift.items()):
            rows[m.LineCrew].append(
                dict(line_id=ln.id, skill=skill, position=j, people_per_shift=n)
            )
        for j, (prod, r) in enumerate(ln.rates_units_per_day.items()):
            rows[m.LineRate].append(
                dict(line_id=ln.id, product_id=prod, position=j, units_per_day=float(r))
            )
    for i, mat in enumerate(plant.materials):
        rows[m.Material].append(_row_of(m.Material, mat, position=i))
        for j, o in enumerate(mat.supply_options):
            rows[m.SupplyOption].append(_row_of(m.SupplyOption, o, material_id=mat.id, position=j))
    for i, s in enumerate(plant.suppliers):
        rows[m.Supplier].append(_row_of(m.Supplier, s, position=i))
    for i, lane in enumerate(plant.lanes):
        rows[m.Lane].append(_row_of(m.Lane, lane, position=i))
    pos = 0
    for kind, days in plant.recovery.defaults_days.items():
        rows[m.RecoveryTime].append(
            dict(kind=NodeKind(kind).value, node_id="", position=pos, days=days)
        )
        pos += 1
    for key, days in plant.recovery.overrides_days.items():
        kind, _, node = key.partition(":")
        rows[m.RecoveryTime].append(dict(kind=kind, node_id=node, position=pos, days=days))
        pos += 1
    for i, o in enumerate(plant.orders):
        rows[m.Order].append(_row_of(m.Order, o, position=i))
    return rows


def _key(model: type[Base], values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values[k] for k in m.primary_key_names(model))


def _key_str(key: tuple[Any, ...]) -> str:
    return "/".join(str(k) for k in key)


def load_plant(session: Session, plant: PlantFile, *, actor: str = "cli") -> LoadReport:
    """Make the database match ``plant`` for its enterprise; write only what differs.

    Every inserted, updated or deleted row is written to the audit log.
    """
    e = plant.enterprise
    eid = e.id
    scope = EnterpriseScope(eid, actor)  # the load acts as the enterprise's admin
    report = LoadReport(eid)
    ent_values = _row_of(
        m.Enterprise, e, horizon_start=plant.horizon_start, format_version=plant.keepline_plant
    )
    ent = session.get(m.Enterprise, eid)
    if ent is None:
        session.add(m.Enterprise(**ent_values))
        session.flush()
        report.created = True
        report.inserted["enterprises"] += 1
        audit.log(session, scope, "insert", "enterprises", eid, after=ent_values)
    else:
        before = ent.values()
        if before != ent_values:
            for k, v in ent_values.items():
                setattr(ent, k, v)
            report.updated["enterprises"] += 1
            audit.log(session, scope, "update", "enterprises", eid, before=before, after=ent_values)

    wanted = plant_rows(plant)
    existing: dict[type[Base], dict[tuple[Any, ...], Base]] = {}
    for model in m.TABLES:
        objs = session.scalars(select(model).where(model.enterprise_id == eid)).all()  # type: ignore[attr-defined]
        existing[model] = {_key(model, o.values()): o for o in objs}

    # Upserts parents first, deletes children first, so foreign keys hold at every flush.
    for model in m.TABLES:
        table = model.__tablename__
        for values in wanted[model]:
            values = {"enterprise_id": eid, **values}
            key = _key(model, values)
            obj = existing[model].pop(key, None)
            if obj is None:
                session.add(model(**values))
                report.inserted[table] += 1
                audit.log(session, scope, "insert", table, _key_str(key), after=values)
            else:
                before = obj.values()
                if before != values:
                    for k, v in values.items():
                        setattr(obj, k, v)
                    report.updated[table] += 1
                    audit.log(
                        session, scope, "update", table, _key_str(key), before=before, after=values
                    )
        session.flush()
    for model in reversed(m.TABLES):
        table = model.__tablename__
        for key, obj in existing[model].items():
            audit.log(session, scope, "delete", table, _key_str(key), before=obj.values())
            session.delete(obj)
            report.deleted[table] += 1
        session.flush()
    return report


def in_file_order(session: Session, model: type[Base], enterprise_id: str) -> list[Any]:
    """The enterprise's rows of the plant table ``model`` in the plant file's order."""
    q = select(model).where(model.enterprise_id == enterprise_id).order_by(model.position)  # type: ignore[attr-defined]
    return list(session.scalars(q))


def get_enterprise(session: Session, enterprise_id: str) -> m.Enterprise:
    ent = session.get(m.Enterprise, enterprise_id)
    if ent is None:
        known = ", ".join(session.scalars(select(m.Enterprise.id).order_by(m.Enterprise.id)))
        raise NotFound(f"no enterprise '{enterprise_id}' (known: {known or 'none loaded'})")
    return ent


def plant_axes(
    session: Session, enterprise_id: str
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The zones, shifts (file order) and skills (sorted, from the teams) of a loaded
    plant: the axes of its ``Workforce``, as ``keepline.workforce.plant_axes`` reads
    them from the plant file, without rebuilding the whole file."""
    eid = get_enterprise(session, enterprise_id).id
    zones = tuple(
        session.scalars(
            select(m.Zone.id).where(m.Zone.enterprise_id == eid).order_by(m.Zone.position)
        )
    )
    shifts = tuple(
        session.scalars(
            select(m.Shift.id).where(m.Shift.enterprise_id == eid).order_by(m.Shift.position)
        )
    )
    teams = session.scalars(select(m.Team.skills).where(m.Team.enterprise_id == eid))
    skills = tuple(sorted({k for team_skills in teams for k in team_skills}))
    return zones, shifts, skills


def export_plant(session: Session, enterprise_id: str) -> PlantFile:
    """Rebuild the plant file from the database rows."""
    ent = get_enterprise(session, enterprise_id)
    eid = ent.id
    crew: dict[str, dict[str, int]] = defaultdict(dict)
    for r in in_file_order(session, m.LineCrew, eid):
        crew[r.line_id][r.skill] = r.people_per_shift
    rates: dict[str, dict[str, float]] = defaultdict(dict)
    for r in in_file_order(session, m.LineRate, eid):
        rates[r.line_id][r.product_id] = r.units_per_day
    bom: dict[str, dict[str, float]] = defaultdict(dict)
    for r in in_file_order(session, m.BomItem, eid):
        bom[r.product_id][r.material_id] = r.qty_per_unit
    options: dict[str, list[SupplyOption]] = defaultdict(list)
    for r in in_file_order(session, m.SupplyOption, eid):
        options[r.material_id].append(_from_row(SupplyOption, r))
    defaults: dict[NodeKind, int] = {}
    overrides: dict[str, int] = {}
    for r in in_file_order(session, m.RecoveryTime, eid):
        if r.node_id == "":
            defaults[NodeKind(r.kind)] = r.days
        else:
            overrides[f"{r.kind}:{r.node_id}"] = r.days
    return PlantFile(
        keepline_plant=ent.format_version,
        enterprise=_from_row(Enterprise, ent),
        horizon_start=ent.horizon_start,
        zones=[_from_row(Zone, r) for r in in_file_order(session, m.Zone, eid)],
        shifts=[_from_row(Shift, r) for r in in_file_order(session, m.Shift, eid)],
        teams=[_from_row(Team, r) for r in in_file_order(session, m.Team, eid)],
        lines=[
            _from_row(Line, r, crew_per_shift=crew[r.id], rates_units_per_day=rates[r.id])
            for r in in_file_order(session, m.Line, eid)
        ],
        products=[
            _from_row(Product, r, bom=bom[r.id]) for r in in_file_order(session, m.Product, eid)
        ],
        materials=[
            _from_row(Material, r, supply_options=options[r.id])
            for r in in_file_order(session, m.Material, eid)
        ],
        suppliers=[_from_row(Supplier, r) for r in in_file_order(session, m.Supplier, eid)],
        lanes=[_from_row(Lane, r) for r in in_file_order(session, m.Lane, eid)],
        recovery=Recovery(defaults_days=defaults, overrides_days=overrides),
        orders=[_from_row(Order, r) for r in in_file_order(session, m.Order, eid)],
    )


def list_enterprises(session: Session, jurisdiction: str | None = None) -> list[m.Enterprise]:
    q = select(m.Enterprise).order_by(m.Enterprise.id)
    if jurisdiction:
        q = q.where(m.Enterprise.jurisdiction == jurisdiction)
    return list(session.scalars(q))
