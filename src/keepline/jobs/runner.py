"""The runner: a few threads inside the server process that take queued jobs from the
database and run them, writing their progress back, so a page reload or another browser
sees it. Several server processes (``keepline serve --workers N``, or several servers on
one PostgreSQL) each run one; a job is claimed by exactly one (``service.claim_next``).

A job kind is a registered function ``run(session_factory, scope, params, progress) ->
result``: ``session_factory`` opens its sessions (``with session_factory.begin() as
session:``: one transaction, so a job that fails leaves the record as it was),
``scope`` is the starter's (``service.job_scope``), ``params`` the checked parameters as
JSON, ``progress(fraction, message)`` reports how far it is, and ``result`` is a small
JSON reference to what it made (a plan's id), or an :class:`Outcome` that also carries
files to keep with the job (a report), stored with its end in one transaction. The kinds
are listed in ``jobs.kinds`` (one line each). On SQLite a transaction that has written
holds the database's one write lock until it commits: report progress before writing,
not between a write and its commit (the report would wait for the lock the job holds).

When a runner starts it fails the jobs a dead server left running: those of a process
of this host that no longer runs, and those whose heartbeat (written with each progress
report and every few seconds by their runner) is older than ``stale_s``; it sweeps for
the latter again every few seconds while it runs.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from keepline import clock
from keepline.errors import InputError, KeeplineError
from keepline.jobs import service
from keepline.jobs.models import Job
from keepline.scope import EnterpriseScope, Role

log = logging.getLogger("keepline.jobs")

Progress = Callable[[float, str], None]
SessionFactory = sessionmaker[Session]


@dataclass(frozen=True)
class Outcome:
    """What a job gives back besides a plain result: files to keep with it (name →
    (media type, bytes)), stored in the same transaction that marks it done."""

    result: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


JobFn = Callable[
    [SessionFactory, EnterpriseScope, dict[str, Any], Progress], dict[str, Any] | Outcome
]
Check = Callable[[Session, EnterpriseScope, dict[str, Any]], None]
"""Refuses, before a job is queued, parameters that name what is not there (an
``InputError`` naming the parameter); it only reads."""


@dataclass(frozen=True)
class Kind:
    """A kind of job: its parameters' input model (the API's body, the console's form),
    the function that runs it, the roles that may start it and, for a kind whose
    parameters name records or files, the check that they are there. A ``private`` kind's
    jobs (their result and files: a roster file with its phone and ID numbers) are read
    only by the roles that may start it; every enterprise role reads the others'."""

    params: type[BaseModel]
    run: JobFn
    roles: tuple[Role, ...]
    check: Check | None = None
    private: bool = False

    def read_by(self, role: Role) -> bool:
        """Whether ``role`` may read this kind's jobs."""
        return not self.private or role in self.roles


HOST = socket.gethostname()
_LIVE: set[str] = set()  # the runners alive in this process


def alive(runner: str) -> bool:
    """Whether the runner named ``runner`` may still be running: another host's cannot
    be told from here (its heartbeat decides); on this host, its process must run and,
    if it is this process, the runner must not have stopped."""
    host, _, rest = runner.partition(":")
    pid_text, _, _token = rest.partition(":")
    if host != HOST:
        return True
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return runner in _LIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Reporter:
    """A job's ``progress``: written in its own short transaction, at most every
    ``every_s`` seconds unless the message changes or the job is at its end."""

    def __init__(self, factory: SessionFactory, job_id: int, every_s: float = 0.5) -> None:
        self.factory, self.job_id, self.every_s = factory, job_id, every_s
        self.last_at = 0.0
        self.last_message: str | None = None

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if message == self.last_message and fraction < 1 and now - self.last_at < self.every_s:
            return
        self.last_at, self.last_message = now, message
        try:
            with self.factory.begin() as session:
                service.set_progress(session, self.job_id, fraction, message)
        except Exception:  # a progress report never fails the job
            log.warning("job %d: progress not written", self.job_id, exc_info=True)


class Runner:
    """``workers`` threads taking jobs of ``kinds`` from the database every ``poll_s``
    seconds; a heartbeat every ``heartbeat_s``; jobs unheard of for ``stale_s`` failed."""

    def __init__(
        self,
        factory: SessionFactory,
        kinds: Mapping[str, Kind],
        workers: int = 1,
        poll_s: float = 0.5,
        heartbeat_s: float = 5.0,
        stale_s: float = 120.0,
    ) -> None:
        self.factory, self.kinds, self.workers = factory, dict(kinds), workers
        self.poll_s, self.heartbeat_s, self.stale_s = poll_s, heartbeat_s, stale_s
        self.id = f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = 0  # jobs running here now
        self._lock = threading.Lock()

    def start(self) -> None:
        _LIVE.add(self.id)
        self.sweep()
        for n in range(self.workers):
            t = threading.Thread(target=self._work, name=f"keepline-job-{n}", daemon=True)
            t.start()
            self._threads.append(t)
        beat = threading.Thread(target=self._beat, name="keepline-job-heartbeat", daemon=True)
        beat.start()
        self._threads.append(beat)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking jobs. A job still running is left to its thread (a daemon: it ends
        with the process, and the next start fails it)."""
        self._stop.set()
        _LIVE.discard(self.id)
        for t in self._threads:
            t.join(timeout)

    def sweep(self) -> int:
        """Fail the jobs a dead server left running (see the module)."""
        stale_before = clock.now() - dt.timedelta(seconds=self.stale_s)
        with self.factory.begin() as session:
            n = service.fail_orphans(session, alive, stale_before)
        if n:
            log.warning("%d job(s) left running by a stopped server marked failed", n)
        return n

    def run_once(self) -> int | None:
        """Claim one queued job and run it here; its id, or None when none was queued."""
        with self.factory.begin() as session:
            job_id = service.claim_next(session, self.id, set(self.kinds))
        if job_id is not None:
            with self._lock:
                self._busy += 1
            try:
                self._execute(job_id)
            finally:
                with self._lock:
                    self._busy -= 1
        return job_id

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_once()
            except Exception:
                log.exception("job runner step failed")
                ran = None
            if ran is None:
                self._stop.wait(self.poll_s)

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            try:
                if self._busy:  # no write while idle (on SQLite a write takes the lock)
                    with self.factory.begin() as session:
                        service.heartbeat(session, self.id)
                self.sweep()
            except Exception:
                log.exception("job heartbeat failed")

    def _execute(self, job_id: int) -> None:
        with self.factory.begin() as session:
            job = session.get(Job, job_id)
            assert job is not None
            kind, scope, params = job.kind, service.job_scope(job), dict(job.params)
        t0 = time.perf_counter()
        try:
            reporter = _Reporter(self.factory, job_id)
            result = self.kinds[kind].run(self.factory, scope, params, reporter)
        except KeeplineError as exc:
            error = "; ".join(exc.lines) if isinstance(exc, InputError) else exc.message
        except Exception as exc:
            log.exception("job %d (%s) failed", job_id, kind)
            error = f"internal error ({type(exc).__name__}); the server's log has the details"
        else:
            out = result if isinstance(result, Outcome) else Outcome(result)
            try:
                with self.factory.begin() as session:
                    service.finish(session, job_id, out.result)
                    for name, (media_type, data) in out.files.items():
                        service.add_file(session, scope, job_id, name, media_type, data)
            except Exception as exc:  # its end not stored: failed, never left running
                log.exception("job %d (%s): result not stored", job_id, kind)
                error = f"internal error storing the result ({type(exc).__name__})"
            else:
                log.info("job %d (%s) done in %.1f s", job_id, kind, time.perf_counter() - t0)
                return
        with self.factory.begin() as session:
            service.fail(session, job_id, error)
        log.info("job %d (%s) failed: %s", job_id, kind, error)
