"""Routes: materials with stock, the ledger, the prevention policy, cover and reorder.

Every role of the enterprise reads; storekeepers and admins record stock; health officers
and admins set the prevention policy."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from keepline import clock
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, list_page, page_of
from keepline.fields import Day
from keepline.materials import outlook as outlook_flow
from keepline.materials import queries, service
from keepline.materials import schemas as s
from keepline.materials.auth import PolicyEditor, StockReader, Storekeeper
from keepline.plans import recorded

router = APIRouter(tags=["materials"], route_class=Route)
MaterialId = Annotated[str, Path(min_length=1, max_length=64, description="Material id.")]
AsOf = Annotated[Day | None, Query(description="Day (default: today, plant time).")]
Horizon = Annotated[int, Query(ge=1, le=366, description="Days to look ahead.")]


def _date(as_of: dt.date, day: int | None) -> dt.date | None:
    return None if day is None else as_of + dt.timedelta(days=day)


@router.get("/materials", response_model=Page[s.MaterialOut])
def list_materials(
    session: DB, scope: StockReader, paging: Paging, as_of: AsOf = None, kind: str | None = None
) -> Response:
    """Materials with their stock at the end of ``as_of``. Sort by id (default), name, kind."""
    day = as_of or clock.today()
    q = queries.materials(scope, kind)
    rows, total = fetch_page(session, q, paging, queries.MATERIAL_SORTS, "id")
    stock = service.on_hand_all(session, scope, day)
    items = [
        s.MaterialOut(
            id=m.id,
            name=m.name,
            kind=m.kind,
            unit=m.unit,
            on_hand=stock[m.id],
            safety_stock=m.safety_stock,
            as_of=day,
        )
        for m in rows
    ]
    return page_of(items, total, paging)


@router.get("/materials/{material_id}", response_model=s.MaterialOut)
def get_material(
    material_id: MaterialId, session: DB, scope: StockReader, as_of: AsOf = None
) -> s.MaterialOut:
    m = service.material(session, scope, material_id, body=False)
    day = as_of or clock.today()
    return s.MaterialOut(
        id=m.id,
        name=m.name,
        kind=m.kind,
        unit=m.unit,
        on_hand=service.on_hand(session, scope, m.id, day),
        safety_stock=m.safety_stock,
        as_of=day,
    )


@router.get("/materials/{material_id}/movements", response_model=Page[s.MovementOut])
def list_movements(
    material_id: MaterialId,
    session: DB,
    scope: StockReader,
    paging: Paging,
    start: Day | None = None,
    end: Day | None = None,
) -> Response:
    """A material's ledger, oldest first. Sort by day (default), id or kind."""
    service.material(session, scope, material_id, body=False)
    q = queries.movements(scope, material_id, start, end)
    return list_page(session, q, paging, queries.MOVEMENT_SORTS, "day", s.MovementOut)


@router.post("/stock/movements", response_model=s.MovementOut, status_code=201)
def record_movement(body: s.MovementIn, session: DB, scope: Storekeeper) -> s.MovementOut:
    """Append a receipt, issue, count or adjustment. Refused (422, naming the field) when
    it would leave the stock negative on any day, the unit is not the material's, or the
    day is before the opening or the material's last count."""
    mv = recorded.record_movement(session, scope, body)
    return s.MovementOut.model_validate(mv, from_attributes=True)


@router.get("/prevention-policies", response_model=Page[s.PolicyOut])
def list_policies(session: DB, scope: StockReader, paging: Paging) -> Response:
    """Prevention policies by the day they take effect (newest first by default)."""
    q = queries.policies(scope)
    return list_page(session, q, paging, queries.POLICY_SORTS, "-effective_from", s.PolicyOut)


@router.post("/prevention-policies", response_model=s.PolicyOut, status_code=201)
def set_policy(body: s.PolicyIn, session: DB, scope: PolicyEditor) -> s.PolicyOut:
    """The screening and cleaning policy from a day on: rounds a week, pool size, which
    materials go once per pool, disinfectant per zone-day."""
    row = service.set_policy(session, scope, body)
    return s.PolicyOut.model_validate(row, from_attributes=True)


def outlook_out(out: outlook_flow.Outlook) -> s.OutlookOut:
    d = out.as_of
    return s.OutlookOut(
        as_of=d,
        horizon_days=out.horizon_days,
        cover=[
            s.CoverOut(
                **{
                    **r.__dict__,
                    "days_of_cover": None
                    if math.isinf(r.days_of_cover)
                    else round(r.days_of_cover, 2),
                }
            )
            for r in out.cover
        ],
        suggestions=[
            s.SuggestionOut(
                material_id=x.material,
                supplier_id=x.supplier,
                priority=x.priority,
                qty=x.qty,
                order_by=_date(d, x.order_by_day),
                arrives_on=_date(d, x.arrives_day),
                days_to_fill=x.days_to_fill,
            )
            for x in out.suggestions
        ],
        warnings=[
            s.WarningOut(
                material_id=w.material,
                runs_out_on=_date(d, w.runs_out_day),
                primary_supplier_id=w.primary,
                primary_arrives_on=_date(d, w.primary_arrival_day),
                backup_supplier_id=w.backup,
                activate_by=_date(d, w.activate_by_day),
                backup_arrives_on=_date(d, w.backup_arrival_day),
                late_days=w.late_days,
                message=outlook_flow.dated(w.reason, d),
            )
            for w in out.warnings
        ],
    )


@router.get("/stock/outlook", response_model=s.OutlookOut)
def outlook(
    session: DB,
    scope: StockReader,
    as_of: AsOf = None,
    horizon: Horizon = 60,
    review_days: Annotated[int, Query(ge=1, le=90, description="Days an order should cover.")] = 14,
) -> s.OutlookOut:
    """Days of cover of every material, reorder suggestions, and warnings when a material
    runs out before its primary supplier can deliver (with the backup and 'activate by')."""
    out = outlook_flow.outlook(session, scope, as_of or clock.today(), horizon, review_days)
    return outlook_out(out)
