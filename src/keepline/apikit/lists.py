"""Lists: every list endpoint pages (limit/offset, with the total), filters and sorts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from keepline.errors import InputError

T = TypeVar("T")
Sortable = Mapping[str, ColumnElement[Any] | QueryableAttribute[Any]]
"""The columns a list may be sorted by, by the name the ``sort`` parameter gives."""


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class ListParams(BaseModel):
    limit: int
    offset: int
    sort: str | None


async def list_params(  # async: no I/O, so no worker-thread hop
    limit: Annotated[int, Query(ge=1, le=1000, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
    sort: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Field to sort by; '-field' for descending. See each list's choices.",
        ),
    ] = None,
) -> ListParams:
    return ListParams(limit=limit, offset=offset, sort=sort)


Paging = Annotated[ListParams, Depends(list_params)]


def order_by(sort: str | None, columns: Sortable, default: str) -> list[ColumnElement[Any]]:
    """ORDER BY for ``sort`` ('name' or '-name'), with the default as tie-breaker."""
    wanted = sort or default
    desc = wanted.startswith("-")
    name = wanted.lstrip("-")
    if name not in columns:
        raise InputError([f"sort: '{name}' is not one of {', '.join(sorted(columns))}"])
    col = columns[name]
    out: list[ColumnElement[Any]] = [col.desc() if desc else col.asc()]
    tie = default.lstrip("-")
    if tie != name:
        out.append(columns[tie].asc())
    return out


_AnyPage = Page[Any]  # once: pydantic builds a new class for each Page[Any] written inline


def respond(model: BaseModel, status_code: int = 200) -> Response:
    """``model`` as the JSON response, serialised by pydantic (in Rust) in the route's
    thread. Returning a ``Response`` skips FastAPI's second validation of the value
    against the ``response_model``, which for a plain ``def`` route is one more hop to a
    worker thread; the bytes are the ones FastAPI would send. The route still declares
    ``response_model`` for the OpenAPI description."""
    return Response(
        model.__pydantic_serializer__.to_json(model),
        status_code=status_code,
        media_type="application/json",
    )


def page_of(items: list[Any], total: int, params: ListParams) -> Response:
    """One page of a list (``items`` already shaped for the response, as models), as the
    JSON response ``{"items", "total", "limit", "offset"}``."""
    return respond(_AnyPage(items=items, total=total, limit=params.limit, offset=params.offset))


def list_page(
    session: Session,
    query: Select[Any],
    params: ListParams,
    columns: Sortable,
    default: str,
    model: type[BaseModel],
    *,
    count: Select[Any] | None = None,
) -> Response:
    """One page of ``query`` (see :func:`fetch_page`), each row read into ``model``, as the
    JSON response: what a list route returns when its rows need no other shaping."""
    rows, total = fetch_page(session, query, params, columns, default, count=count)
    return page_of([model.model_validate(r, from_attributes=True) for r in rows], total, params)


def fetch_page(
    session: Session,
    query: Select[Any],
    params: ListParams,
    columns: Sortable,
    default: str,
    *,
    count: Select[Any] | None = None,
) -> tuple[list[Any], int]:
    """The rows of one page and the total count of ``query``.

    ``count`` is a cheaper query that counts the same rows (e.g. without a join that
    cannot change the count), or a ``SELECT`` of the number itself. When the page starts
    at or past the total, the rows query is not run at all.
    """
    if count is None:
        count = select(func.count()).select_from(query.order_by(None).subquery())
    total = session.scalar(count) or 0
    if params.offset >= total:
        order_by(params.sort, columns, default)  # an unknown sort field is still a 422
        return [], total
    q = query.order_by(*order_by(params.sort, columns, default))
    rows = session.execute(q.limit(params.limit).offset(params.offset)).all()
    return [r[0] if len(r) == 1 else r for r in rows], total
