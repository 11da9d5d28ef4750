"""Routes: start a background job, follow it, fetch the files it made.

``POST /jobs`` answers 202 with the queued job; ``GET /jobs/{id}`` shows its state and
progress until it is ``done`` (its ``result``) or ``failed`` (its ``error``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from keepline.apikit.deps import DB, Route
from keepline.jobs import kinds, service
from keepline.jobs.auth import JobReader, JobStarter, may_read, may_start
from keepline.jobs.schemas import JobIn, JobOut

router = APIRouter(tags=["jobs"], route_class=Route)
JobId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Job number.")]
FileName = Annotated[str, Path(max_length=64, pattern=r"^[a-z0-9._-]+$")]


@router.post("/jobs", response_model=JobOut, status_code=202)
def start_job(body: JobIn, session: DB, scope: JobStarter) -> JobOut:
    """Queue a job of ``kind`` (``assessment``, ``replan``, ``drill``) with its parameters
    (``roster_import`` reads an upload only the console keeps: import a file here with
    ``POST /workers/import``)."""
    params = kinds.checked(body.kind, body.params)
    may_start(scope, body.kind, kinds.KINDS[body.kind])
    kinds.admitted(session, scope, body.kind, params)
    return JobOut.model_validate(service.submit(session, scope, body.kind, params))


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(
    session: DB,
    scope: JobReader,
    kind: Annotated[str | None, Query(max_length=32)] = None,
) -> list[JobOut]:
    """The enterprise's 50 newest jobs (of ``kind``) the caller's role may read."""
    jobs = service.list_jobs(session, scope, kind)
    shown = [
        j for j in jobs if j.kind not in kinds.KINDS or kinds.KINDS[j.kind].read_by(scope.role)
    ]
    return [JobOut.model_validate(j) for j in shown]


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: JobId, session: DB, scope: JobReader) -> JobOut:
    job = service.get(session, scope, job_id)
    may_read(scope, job_id, kinds.KINDS.get(job.kind))
    return JobOut.model_validate(job)


@router.get("/jobs/{job_id}/files/{name}", response_class=Response)
def job_file(job_id: JobId, name: FileName, session: DB, scope: JobReader) -> Response:
    """A file the job made (an assessment's ``report.html`` or ``report.json``)."""
    may_read(scope, job_id, kinds.KINDS.get(service.get(session, scope, job_id).kind))
    f = service.get_file(session, scope, job_id, name)
    return Response(f.content, media_type=f.media_type)
