"""Jobs: submit one, read them (the scope's enterprise only: another tenant's job is
404), and the runner's steps — claim a queued job, write its progress, finish or fail it,
fail the jobs a dead server left running. Every change of state is audited; the progress
fraction and the heartbeat, rewritten every second or so while a job runs, are not (they
are a measurement of the run, not a change of record: the audit log has the job's start,
its end with its result or error, and whatever the job itself wrote)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.errors import NotFound
from keepline.jobs.models import Job, JobFile, JobState
from keepline.recordkit import owned
from keepline.scope import EnterpriseScope, Role

SYSTEM_ACTOR = "keepline:jobs"
MAX_ERROR = 2000


def submit(session: Session, scope: EnterpriseScope, kind: str, params: dict[str, Any]) -> Job:
    """A queued job of ``kind`` with ``params`` (already checked by the kind's input
    model), to run as the scope's actor and role."""
    row = Job(
        enterprise_id=scope.enterprise_id,
        kind=kind,
        params=params,
        state=JobState.queued.value,
        progress=0.0,
        progress_message="",
        created_by=scope.actor,
        role=scope.role.value,
        user_id=scope.user_id,
        created_at=clock.now(),
    )
    return audit.add(
        session,
        scope,
        row,
        "jobs",
        values=lambda r: r.values(without=("enterprise_id",)),
    )


def get(session: Session, scope: EnterpriseScope, job_id: int) -> Job:
    return owned(session, scope, Job, job_id, f"no job {job_id}", field="job_id")


def list_jobs(
    session: Session, scope: EnterpriseScope, kind: str | None = None, limit: int = 50
) -> list[Job]:
    """The enterprise's jobs (of ``kind``), newest first."""
    q = select(Job).where(Job.enterprise_id == scope.enterprise_id)
    if kind is not None:
        q = q.where(Job.kind == kind)
    return list(session.scalars(q.order_by(Job.id.desc()).limit(limit)))


def latest(session: Session, scope: EnterpriseScope, kind: str) -> Job | None:
    jobs = list_jobs(session, scope, kind, limit=1)
    return jobs[0] if jobs else None


def job_scope(job: Job) -> EnterpriseScope:
    """The scope a job runs under: its enterprise, the role it was started with, and its
    starter as the actor, marked as acting through the job (``user:… via job:12``)."""
    return EnterpriseScope(
        job.enterprise_id, f"{job.created_by} via job:{job.id}", Role(job.role), job.user_id
    )


def add_file(
    session: Session, scope: EnterpriseScope, job_id: int, name: str, media_type: str, data: bytes
) -> JobFile:
    """Keep a file the job made; audited by its name, type and size (not its bytes)."""
    row = JobFile(
        job_id=job_id,
        name=name,
        enterprise_id=scope.enterprise_id,
        media_type=media_type,
        content=data,
    )
    session.add(row)
    session.flush()
    audit.log(
        session,
        scope,
        "insert",
        "job_files",
        f"{job_id}/{name}",
        after={"job_id": job_id, "name": name, "media_type": media_type, "bytes": len(data)},
    )
    return row


def get_file(session: Session, scope: EnterpriseScope, job_id: int, name: str) -> JobFile:
    get(session, scope, job_id)
    row = session.get(JobFile, (job_id, name))
    if row is None or row.enterprise_id != scope.enterprise_id:
        raise NotFound(f"job {job_id} has no file '{name[:64]}'", field="name")
    return row


def find_file(session: Session, scope: EnterpriseScope, name: str) -> JobFile | None:
    """The enterprise's job file named ``name`` (a name made unique by a random part, as
    an upload kept for the jobs that read it), or None."""
    return session.scalars(
        select(JobFile).where(JobFile.enterprise_id == scope.enterprise_id, JobFile.name == name)
    ).first()


def remove_file(session: Session, scope: EnterpriseScope, row: JobFile) -> None:
    """Delete a job's file (an upload no longer needed); audited by its name and size."""
    session.delete(row)
    session.flush()
    audit.log(
        session,
        scope,
        "delete",
        "job_files",
        f"{row.job_id}/{row.name}",
        before={"job_id": row.job_id, "name": row.name, "bytes": len(row.content)},
    )


# -- the runner's steps (no caller's scope: the server acts, audited as keepline:jobs) ----


def _audit_state(session: Session, job: Job, before: str, reason: str | None = None) -> None:
    audit.record(
        session,
        enterprise_id=job.enterprise_id,
        actor=SYSTEM_ACTOR,
        action="update",
        table="jobs",
        key=str(job.id),
        before={"state": before},
        after={
            "state": job.state,
            "runner": job.runner,
            "result": job.result,
            "error": job.error,
        },
        reason=reason,
    )


def claim_next(session: Session, runner: str, kinds: set[str]) -> int | None:
    """Take the oldest queued job of a kind this runner knows: it becomes ``running``
    under ``runner``. Two runners never take the same job (the update re-checks the
    state, and only the one that changed the row has it)."""
    for job_id in session.scalars(
        select(Job.id)
        .where(Job.state == JobState.queued.value, Job.kind.in_(sorted(kinds)))
        .order_by(Job.id)
        .limit(5)
    ).all():
        at = clock.now()
        taken = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.queued.value)
            .values(state=JobState.running.value, runner=runner, started_at=at, heartbeat_at=at)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            job = session.get(Job, job_id)
            assert job is not None
            session.refresh(job)
            _audit_state(session, job, JobState.queued.value)
            return job_id
    return None


def set_progress(session: Session, job_id: int, fraction: float, message: str) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.running.value)
        .values(
            progress=min(1.0, max(0.0, fraction)),
            progress_message=message[:200],
            heartbeat_at=clock.now(),
        )
    )


def heartbeat(session: Session, runner: str) -> None:
    """The runner is alive: its running jobs' heartbeats are now."""
    session.execute(
        update(Job)
        .where(Job.runner == runner, Job.state == JobState.running.value)
        .values(heartbeat_at=clock.now())
    )


def finish(session: Session, job_id: int, result: dict[str, Any]) -> None:
    job = session.get(Job, job_id)
    assert job is not None
    before = job.state
    job.state = JobState.done.value
    job.result = result
    job.progress = 1.0
    job.finished_at = clock.now()
    _audit_state(session, job, before)


def fail(session: Session, job_id: int, error: str) -> None:
    """The job failed with ``error`` (shown on its page); what it wrote was rolled back."""
    job = session.get(Job, job_id)
    assert job is not None
    before = job.state
    job.state = JobState.failed.value
    job.error = error[:MAX_ERROR]
    job.finished_at = clock.now()
    _audit_state(session, job, before)


def fail_orphans(session: Session, alive: Callable[[str], bool], stale_before: dt.datetime) -> int:
    """Fail the jobs left ``running`` by a server process that is gone: one ``alive``
    says is dead (a process of this host that no longer runs), or one not heard of since
    ``stale_before`` (another host's). Returns how many."""
    n = 0
    for job in session.scalars(
        select(Job).where(Job.state == JobState.running.value).order_by(Job.id)
    ).all():
        beat = job.heartbeat_at or job.started_at or job.created_at
        if beat.tzinfo is None:  # SQLite gives naive UTC back
            beat = beat.replace(tzinfo=dt.UTC)
        if job.runner and alive(job.runner) and beat >= stale_before:
            continue
        job.state = JobState.failed.value
        job.finished_at = clock.now()
        job.error = (
            "the server running this job stopped before it finished (last heard of at "
            f"{beat.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC); nothing it was writing "
            "was kept: start it again"
        )
        _audit_state(session, job, JobState.running.value, reason="server stopped")
        n += 1
    return n
