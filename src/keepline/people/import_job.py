"""A roster file imported as a background job (kind ``roster_import``): the upload is
kept with the job that checks it (a ``job_files`` row named by a random token), the
check reports every bad row and field or the changes the import would make and writes
nothing, and, once the user confirms, a second job reads the same upload and writes it
through ``people.service.import_roster`` (as ``POST /workers/import``) in one
transaction: all or nothing, and the same file again changes nothing. Both report rows
checked over rows in all. The upload is deleted once it is written or found bad."""

from __future__ import annotations

import secrets
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from keepline.errors import InputError, Msg
from keepline.jobs import service as jobs
from keepline.jobs.models import Job, JobState
from keepline.jobs.runner import Progress
from keepline.people import service
from keepline.scope import EnterpriseScope, Role
from keepline.tabular import RowProblem, RowsError, read_table

KIND = "roster_import"
ROSTER_EDITORS = (Role.admin, Role.health_officer)
"""Who may import a roster: as ``POST /workers/import`` (``people.auth.RosterEditor``)."""
STAGE_READ = "reading the file"
STAGE_CHECK = "checking rows"
STAGE_WRITE = "writing the roster"
CHECKED_SHARE = 0.9  # of a writing job's bar: the check; the writes are the rest
EXPIRED = "file: the upload has expired; choose the file again"


class RosterImportIn(BaseModel):
    """A roster import's parameters: the file's name, the token of its upload (kept with
    the checking job) and whether to write (the confirmed import) or only check."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=120)
    upload: str = Field(pattern=r"^[0-9a-f]{32}$")
    write: bool = False


def upload_name(token: str) -> str:
    return f"upload-{token}"


def submit_check(session: Session, scope: EnterpriseScope, filename: str, data: bytes) -> Job:
    """Queue the check of an uploaded roster file, the file kept with the job."""
    params = RosterImportIn(filename=filename[-120:], upload=secrets.token_hex(16))
    job = jobs.submit(session, scope, KIND, params.model_dump(mode="json"))
    jobs.add_file(
        session, scope, job.id, upload_name(params.upload), "application/octet-stream", data
    )
    return job


def submit_write(session: Session, scope: EnterpriseScope, check: Job) -> Job:
    """Queue the import a finished check found good (its upload, written this time)."""
    result = check.result or {}
    if check.kind != KIND or check.state != JobState.done.value or result.get("write", True):
        raise InputError([f"job_id: job {check.id} is not a finished check of a roster file"])
    if result.get("problems"):
        raise InputError(["file: the file has bad rows; correct them and choose it again"])
    params = RosterImportIn.model_validate(check.params).model_copy(update={"write": True})
    return jobs.submit(session, scope, KIND, params.model_dump(mode="json"))


def _msg_json(text: object) -> object:
    if isinstance(text, Msg):
        return dict(msgid=text.msgid, params={k: _msg_json(v) for k, v in text.params.items()})
    return str(text)


def _msg_of(value: object) -> object:
    if isinstance(value, dict):
        return Msg(value["msgid"], {k: _msg_of(v) for k, v in value["params"].items()})
    return value


def problem_json(p: RowProblem) -> dict[str, Any]:
    """A row's problem as JSON: its English text, and its message (id and parameters)
    so the console shows it in the reader's language."""
    return dict(row=p.row, field=p.field, message=str(p.message), msg=_msg_json(p.message))


def problem_of(d: dict[str, Any]) -> RowProblem:
    """A problem read back from a job's result (its message translatable again)."""
    text = _msg_of(d.get("msg", d["message"]))
    return RowProblem(d["row"], d["field"], text if isinstance(text, str) else d["message"])


def run_job(
    factory: sessionmaker[Session],
    scope: EnterpriseScope,
    params: dict[str, Any],
    progress: Progress,
) -> dict[str, Any]:
    """Check (``write`` false: nothing written) or import the upload, in one
    transaction; the result has the counts, or every bad row and field (nothing
    written either way then)."""
    body = RosterImportIn.model_validate(params)
    share = CHECKED_SHARE if body.write else 1.0

    def checked(done: int, total: int) -> None:
        # before any write (on SQLite a report waits for the lock a write holds)
        if body.write and done == total:
            progress(share, STAGE_WRITE)
        else:
            progress(share * done / max(total, 1), STAGE_CHECK)

    progress(0.0, STAGE_READ)
    with factory.begin() as session:
        upload = jobs.find_file(session, scope, upload_name(body.upload))
        if upload is None:
            raise InputError([EXPIRED])
        data = upload.content
    result: dict[str, Any] = dict(filename=body.filename, write=body.write, problems=[])
    with factory.begin() as session:
        try:
            table = read_table(body.filename, data)
            report = service.import_roster(
                session, scope, table, checked=checked, dry_run=not body.write
            )
        except RowsError as exc:  # raised before anything is written
            result["problems"] = [problem_json(p) for p in exc.rows]
        else:
            result |= dict(
                rows=report.rows,
                inserted=report.inserted,
                updated=report.updated,
                unchanged=report.unchanged,
            )
        if body.write or result["problems"]:  # no longer needed: not kept
            upload = jobs.find_file(session, scope, upload_name(body.upload))
            if upload is not None:
                jobs.remove_file(session, scope, upload)
    return result
