"""The outbox: messages to roles and the government liaison officer, and the sender that
POSTs each one as JSON to the enterprise's webhook, retrying with backoff.

keepline reaches no messaging service itself: the webhook (a gateway the enterprise runs
to WeCom, SMS or e-mail) does. A message is sent at least once; the receiver can drop a
repeat by its ``id``.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline import clock, db
from keepline.audit import service as audit
from keepline.errors import InputError
from keepline.plans.models import OutboxMessage, Webhook
from keepline.plans.runs import aware
from keepline.plans.schemas import WebhookIn
from keepline.recordkit import now
from keepline.scope import EnterpriseScope

MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)
TIMEOUT_SECONDS = 10.0
BATCH = 200


def add_message(
    session: Session,
    scope: EnterpriseScope,
    roles: list[str],
    liaison_officer: bool,
    text: str,
    activation_id: int | None = None,
) -> OutboxMessage:
    at = clock.now()
    row = OutboxMessage(
        enterprise_id=scope.enterprise_id,
        activation_id=activation_id,
        to_roles=list(roles),
        liaison_officer=liaison_officer,
        text=text[:1000],
        created_at=at,
        attempts=0,
        next_attempt_at=at,
    )
    audit.add(
        session,
        scope,
        row,
        "plan_outbox",
        values=lambda r: {"to": r.to_roles, "liaison_officer": r.liaison_officer, "text": r.text},
    )
    return row


def set_webhook(session: Session, scope: EnterpriseScope, body: WebhookIn) -> Webhook:
    row = session.get(Webhook, scope.enterprise_id)
    before = {"url": row.url} if row is not None else None
    if row is None:
        row = Webhook(enterprise_id=scope.enterprise_id)
        session.add(row)
    row.url, row.set_by, row.set_at = body.url, scope.actor, now()
    session.flush()
    audit.log(
        session,
        scope,
        "update" if before else "insert",
        "plan_webhooks",
        scope.enterprise_id,
        before=before,
        after={"url": row.url},
    )
    return row


def webhook(session: Session, scope: EnterpriseScope) -> Webhook | None:
    return session.get(Webhook, scope.enterprise_id)


def messages(
    session: Session, scope: EnterpriseScope, *, unsent_only: bool = False
) -> list[OutboxMessage]:
    q = select(OutboxMessage).where(OutboxMessage.enterprise_id == scope.enterprise_id)
    if unsent_only:
        q = q.where(OutboxMessage.sent_at.is_(None))
    return list(session.scalars(q.order_by(OutboxMessage.id)))


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, ... at most 1 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def payload(m: OutboxMessage) -> dict[str, object]:
    return {
        "id": m.id,
        "enterprise": m.enterprise_id,
        "activation_id": m.activation_id,
        "to_roles": m.to_roles,
        "liaison_officer": m.liaison_officer,
        "text": m.text,
        "created_at": aware(m.created_at).isoformat(),
    }


def post_json(url: str, body: dict[str, object], timeout: float = TIMEOUT_SECONDS) -> None:
    """POST ``body`` as JSON; raises on a network error or a status other than 2xx."""
    if not url.startswith(("http://", "https://")):
        raise InputError([f"url: only http(s) webhooks are sent to, not {url[:40]!r}"])
    req = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # the scheme is checked above
        if not 200 <= resp.status < 300:
            raise urllib.error.HTTPError(url, resp.status, "not 2xx", resp.headers, None)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # not due yet, or no webhook set
    given_up: int = 0  # attempts exhausted


def send_outbox(
    session: Session,
    scope: EnterpriseScope,
    *,
    post: Callable[[str, dict[str, object]], None] = post_json,
) -> SendReport:
    """Send the enterprise's due messages to its webhook, oldest first; each attempt is
    recorded (attempts, last error, the next try after :func:`backoff`) and audited."""
    report = SendReport()
    hook = webhook(session, scope)
    at = clock.now()
    unsent = messages(session, scope, unsent_only=True)
    if hook is None:
        report.waiting = len(unsent)
        return report
    for m in unsent[:BATCH]:
        if m.attempts >= MAX_ATTEMPTS:
            report.given_up += 1
            continue
        if aware(m.next_attempt_at) > at:
            report.waiting += 1
            continue
        m.attempts += 1
        try:
            post(hook.url, payload(m))
        except (OSError, ValueError, urllib.error.URLError) as exc:
            m.last_error = f"{type(exc).__name__}: {exc}"[:500]
            m.next_attempt_at = at + backoff(m.attempts)
            report.failed += 1
        else:
            m.sent_at, m.last_error = clock.now(), None
            report.sent += 1
        session.flush()
        audit.log(
            session,
            scope,
            "update",
            "plan_outbox",
            str(m.id),
            after={"attempts": m.attempts, "sent_at": m.sent_at, "last_error": m.last_error},
        )
    return report


def due_enterprises(session: Session) -> list[str]:
    """Enterprises with a webhook and a message to send (the server's periodic sender)."""
    return list(
        session.scalars(
            select(OutboxMessage.enterprise_id)
            .join(Webhook, Webhook.enterprise_id == OutboxMessage.enterprise_id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.attempts < MAX_ATTEMPTS,
            )
            .distinct()
        )
    )


SENDER = "system:outbox"


def send_all(url: str | None = None, actor: str = SENDER) -> list[tuple[str, SendReport]]:
    """Every enterprise's due messages, each enterprise in its own transaction (one
    webhook down leaves the others' sent): the server's periodic run."""
    with db.session_scope(url) as session:
        eids = due_enterprises(session)
    out = []
    for eid in eids:
        with db.session_scope(url) as session:
            out.append((eid, send_outbox(session, EnterpriseScope(eid, actor))))
    return out
