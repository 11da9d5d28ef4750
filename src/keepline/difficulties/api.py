"""Routes of the difficulties: ``/difficulties`` for the enterprise (its own),
``/gov/difficulties`` for officers (their reach; anything else is 404) and
``/gov/difficulties/figures`` (per department)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import Select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import ListParams, Page, Paging, fetch_page, page_of, respond
from keepline.difficulties import queries, service
from keepline.difficulties import schemas as s
from keepline.difficulties.auth import GovReader, Handler, Reader, Submitter
from keepline.difficulties.models import Difficulty
from keepline.fields import Day
from keepline.scope import JurisdictionScope

router = APIRouter(tags=["difficulties"], route_class=Route)
DifficultyId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Difficulty number.")]
State = Annotated[str | None, Query(max_length=20)]
Category = Annotated[str | None, Query(max_length=40)]


def _page(
    session: Session, query: Select[tuple[Difficulty]], paging: ListParams, at: dt.datetime
) -> Response:
    rows, total = fetch_page(session, query, paging, queries.COLUMNS, "-id")
    return page_of(queries.outs(session, rows, at), total, paging)


def _handled(
    session: Session,
    scope: JurisdictionScope,
    difficulty_id: int,
    step: service.GovStep,
    note: str,
) -> Response:
    service.handle(session, scope, difficulty_id, step, note)
    return respond(queries.one_for_officer(session, scope, difficulty_id, clock.now()))


# -- the enterprise -----------------------------------------------------------------------


@router.post("/difficulties", response_model=s.DifficultyOut, status_code=201)
def submit(body: s.DifficultyIn, session: DB, scope: Submitter) -> Response:
    """File a difficulty: it goes to the department its category is routed to."""
    row = service.submit(session, scope, body)
    return respond(queries.one_for_enterprise(session, scope, row.id, clock.now()), 201)


@router.get("/difficulties", response_model=Page[s.DifficultyOut])
def list_own(
    session: DB,
    scope: Reader,
    paging: Paging,
    state: State = None,
    category: Category = None,
    overdue: bool = False,
) -> Response:
    """The enterprise's difficulties (sort: id, submitted_at, state, category)."""
    at = clock.now()
    q = queries.own_query(scope, at, state=state, category=category, overdue=overdue)
    return _page(session, q, paging, at)


@router.get("/difficulties/{difficulty_id}", response_model=s.DifficultyOut)
def show_own(difficulty_id: DifficultyId, session: DB, scope: Reader) -> Response:
    """One difficulty with its history: every step, the department, the times."""
    return respond(queries.one_for_enterprise(session, scope, difficulty_id, clock.now()))


@router.post("/difficulties/{difficulty_id}/confirm", response_model=s.DifficultyOut)
def confirm(
    difficulty_id: DifficultyId, body: s.ConfirmIn, session: DB, scope: Submitter
) -> Response:
    """Solved: closed, with a rating of the handling (1–5) and a comment."""
    service.answer(session, scope, difficulty_id, body)
    return respond(queries.one_for_enterprise(session, scope, difficulty_id, clock.now()))


@router.post("/difficulties/{difficulty_id}/reopen", response_model=s.DifficultyOut)
def reopen(
    difficulty_id: DifficultyId, body: s.ReopenIn, session: DB, scope: Submitter
) -> Response:
    """Not solved: back to in progress."""
    service.answer(session, scope, difficulty_id, body)
    return respond(queries.one_for_enterprise(session, scope, difficulty_id, clock.now()))


# -- the government -----------------------------------------------------------------------


@router.get("/gov/difficulties", response_model=Page[s.DifficultyOut])
def list_gov(
    session: DB,
    scope: GovReader,
    paging: Paging,
    state: State = None,
    category: Category = None,
    overdue: bool = False,
    enterprise_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Difficulties the officer sees, filtered (``overdue``: a limit passed now)."""
    at = clock.now()
    q = queries.gov_query(
        session,
        scope,
        at,
        state=state,
        category=category,
        overdue=overdue,
        enterprise_id=enterprise_id,
    )
    return _page(session, q, paging, at)


@router.get("/gov/difficulties/figures", response_model=s.FiguresOut)
def figures(
    session: DB, scope: GovReader, since: Annotated[Day | None, Query()] = None
) -> Response:
    """Per department: received, open, closed, on time, overdue, median hours to close,
    satisfaction (mean rating and count)."""
    return respond(queries.department_figures(session, scope, clock.now(), since))


@router.get("/gov/difficulties/{difficulty_id}", response_model=s.DifficultyOut)
def show_gov(difficulty_id: DifficultyId, session: DB, scope: GovReader) -> Response:
    return respond(queries.one_for_officer(session, scope, difficulty_id, clock.now()))


@router.post("/gov/difficulties/{difficulty_id}/accept", response_model=s.DifficultyOut)
def accept(difficulty_id: DifficultyId, body: s.NoteIn, session: DB, scope: Handler) -> Response:
    return _handled(session, scope, difficulty_id, "accept", body.note)


@router.post("/gov/difficulties/{difficulty_id}/transfer", response_model=s.DifficultyOut)
def transfer(
    difficulty_id: DifficultyId, body: s.TransferIn, session: DB, scope: Handler
) -> Response:
    """To another department, which must accept it (the officer may no longer see it)."""
    row = service.transfer(session, scope, difficulty_id, body)
    return respond(queries.outs(session, [row], clock.now(), history=True)[0])


@router.post("/gov/difficulties/{difficulty_id}/propose", response_model=s.DifficultyOut)
def propose(
    difficulty_id: DifficultyId, body: s.ProposeIn, session: DB, scope: Handler
) -> Response:
    return _handled(session, scope, difficulty_id, "propose", body.solution)


@router.post("/gov/difficulties/{difficulty_id}/resolve", response_model=s.DifficultyOut)
def resolve(difficulty_id: DifficultyId, body: s.NoteIn, session: DB, scope: Handler) -> Response:
    return _handled(session, scope, difficulty_id, "resolve", body.note)
