"""Routes of the government side: ``/gov/...`` for officers (their jurisdiction and those
under it; anything else is 404), and the enterprise's own routes for its daily report
and its resumption applications. Government answers are aggregates only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import HTMLResponse

from keepline import clock
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, list_page, page_of, respond
from keepline.fields import Day
from keepline.government import (
    briefing,
    briefing_page,
    daily_report,
    dashboard,
    jurisdictions,
    prefill,
    registry,
    reports,
    resumption,
    staffing,
    visits,
    xlsx,
)
from keepline.government import schemas as s
from keepline.government.auth import (
    Applicant,
    ApplicationReader,
    GovEditor,
    GovReader,
    RectificationAnswerer,
    RectificationReader,
    ReportReader,
    ReportSubmitter,
    VisitEditor,
    VisitReader,
)
from keepline.government.models import FindingStatus

router = APIRouter(tags=["government"], route_class=Route)
EnterpriseId = Annotated[str, Path(max_length=64, description="Enterprise id.")]
Tag = Annotated[str, Path(max_length=64)]
AppId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Application number.")]
Slug64 = Annotated[str | None, Query(max_length=64)]
Format = Annotated[str, Query(pattern="^(json|xlsx)$")]


def _xlsx(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type=xlsx.XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- jurisdictions and officers ---------------------------------------------------------


@router.get("/gov/jurisdictions", response_model=list[s.JurisdictionOut])
def list_jurisdictions(session: DB, scope: GovReader) -> list[s.JurisdictionOut]:
    """The caller's jurisdiction and those under it, with their departments."""
    return [
        s.JurisdictionOut(
            id=j.id,
            name=j.name,
            kind=j.kind,
            parent_id=j.parent_id,
            departments=[
                s.DepartmentOut(id=d.id, name=d.name, kind=d.kind)
                for d in jurisdictions.departments(session, j.id)
            ],
        )
        for j in jurisdictions.subtree(session, scope)
    ]


@router.get("/gov/officers", response_model=list[s.OfficerOut])
def list_officers(session: DB, scope: GovReader) -> list[s.OfficerOut]:
    return staffing.officers(session, scope)


# -- the registry -----------------------------------------------------------------------


@router.get("/gov/enterprises", response_model=Page[s.RegistrationOut])
def list_enterprises(
    session: DB,
    scope: GovReader,
    paging: Paging,
    jurisdiction: Slug64 = None,
    industry: Annotated[str | None, Query(max_length=100)] = None,
    tag: Slug64 = None,
    state: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Registered enterprises under the caller's jurisdiction, filtered."""
    total, items = registry.list_registry(
        session,
        scope,
        jurisdiction=jurisdiction,
        industry=industry,
        tag=tag,
        state=state,
        limit=paging.limit,
        offset=paging.offset,
    )
    return page_of(items, total, paging)


@router.post("/gov/enterprises", response_model=s.EnterpriseOut, status_code=201)
def register(body: s.RegistrationIn, session: DB, scope: GovEditor) -> Response:
    reg = registry.register(session, scope, body)
    return respond(registry.enterprise(session, scope, reg.enterprise_id), 201)


@router.get("/gov/enterprises/{enterprise_id}", response_model=s.EnterpriseOut)
def get_enterprise(enterprise_id: EnterpriseId, session: DB, scope: GovReader) -> Response:
    return respond(registry.enterprise(session, scope, enterprise_id))


@router.post(
    "/gov/enterprises/{enterprise_id}/listings", response_model=s.ListingOut, status_code=201
)
def add_listing(
    enterprise_id: EnterpriseId, body: s.ListingIn, session: DB, scope: GovEditor
) -> s.ListingOut:
    """Put the enterprise on a list (tag) from a date, by a document."""
    row = registry.listing_add(session, scope, enterprise_id, body)
    return s.ListingOut.model_validate(row, from_attributes=True)


@router.post("/gov/enterprises/{enterprise_id}/listings/{tag}/end", response_model=s.ListingOut)
def end_listing(
    enterprise_id: EnterpriseId, tag: Tag, body: s.DelistIn, session: DB, scope: GovEditor
) -> s.ListingOut:
    row = registry.listing_end(session, scope, enterprise_id, tag, body)
    return s.ListingOut.model_validate(row, from_attributes=True)


@router.post(
    "/gov/enterprises/{enterprise_id}/liaison", response_model=s.EnterpriseOut, status_code=201
)
def assign_liaison(
    enterprise_id: EnterpriseId, body: s.LiaisonIn, session: DB, scope: GovEditor
) -> Response:
    """Assign a liaison officer (the previous assignment ends; the history stays)."""
    registry.assign_liaison(session, scope, enterprise_id, body)
    return respond(registry.enterprise(session, scope, enterprise_id), 201)


@router.post("/gov/enterprises/{enterprise_id}/resumption-state", response_model=s.EnterpriseOut)
def set_resumption_state(
    enterprise_id: EnterpriseId, body: s.ResumptionStateIn, session: DB, scope: GovEditor
) -> Response:
    registry.set_state(session, scope, enterprise_id, body)
    return respond(registry.enterprise(session, scope, enterprise_id))


# -- daily reports (the government's reads) ----------------------------------------------


@router.get("/gov/enterprises/{enterprise_id}/daily-reports", response_model=s.ReportList)
def enterprise_reports(
    enterprise_id: EnterpriseId,
    session: DB,
    scope: GovReader,
    start: Day | None = None,
    end: Day | None = None,
    format: Format = "json",
) -> Response:
    rows = reports.for_enterprise(session, scope, enterprise_id, start, end)
    if format == "xlsx":
        return _xlsx(xlsx.reports(rows), f"{enterprise_id}-daily-reports.xlsx")
    return respond(s.ReportList(items=rows))


@router.get("/gov/enterprises/{enterprise_id}/daily-reports/{day}", response_model=s.DailyReportOut)
def enterprise_report(
    enterprise_id: EnterpriseId, day: Day, session: DB, scope: GovReader
) -> Response:
    return respond(reports.one(session, scope, enterprise_id, day))


@router.get("/gov/daily-reports", response_model=s.DayReportsOut)
def day_reports(
    session: DB,
    scope: GovReader,
    day: Day | None = None,
    jurisdiction: Slug64 = None,
    format: Format = "json",
) -> Response:
    """Every report submitted for ``day`` (default today) under the jurisdiction, and
    the enterprises that have not reported."""
    d = day or clock.today()
    rows, missing = reports.for_day(session, scope, d, jurisdiction)
    if format == "xlsx":
        return _xlsx(xlsx.reports(rows, missing), f"daily-reports-{d}.xlsx")
    return respond(s.DayReportsOut(day=d, reports=rows, not_reported=missing))


# -- the dashboard ----------------------------------------------------------------------


@router.get("/gov/dashboard", response_model=s.DashboardOut)
def get_dashboard(
    session: DB,
    scope: GovReader,
    day: Day | None = None,
    jurisdiction: Slug64 = None,
    industry: Annotated[str | None, Query(max_length=100)] = None,
    tag: Slug64 = None,
    trend_days: Annotated[int, Query(ge=0, le=366)] = dashboard.TREND_DAYS,
    format: Format = "json",
) -> Response:
    """Figures for the jurisdiction on ``day`` (default today), by sub-jurisdiction,
    industry and tag, with the trend over the last ``trend_days`` days."""
    d = dashboard.dashboard(
        session,
        scope,
        day or clock.today(),
        jurisdiction=jurisdiction,
        industry=industry,
        tag=tag,
        trend_days=trend_days,
    )
    if format == "xlsx":
        return _xlsx(xlsx.dashboard(d), f"dashboard-{d.jurisdiction}-{d.day}.xlsx")
    return respond(d)


# -- resumption applications (the government's side) -------------------------------------


@router.get("/gov/applications", response_model=list[s.ApplicationOut])
def list_applications(
    session: DB,
    scope: GovReader,
    status: Annotated[str | None, Query(max_length=20)] = None,
    jurisdiction: Slug64 = None,
) -> list[s.ApplicationOut]:
    return resumption.list_for_jurisdiction(session, scope, status, jurisdiction)


@router.get("/gov/applications/{application_id}", response_model=s.ApplicationOut)
def get_application(application_id: AppId, session: DB, scope: GovReader) -> s.ApplicationOut:
    return resumption.for_jurisdiction(session, scope, application_id)


@router.post("/gov/applications/{application_id}/onsite-check", response_model=s.ApplicationOut)
def require_onsite_check(
    application_id: AppId, body: s.OnsiteCheckIn, session: DB, scope: GovEditor
) -> s.ApplicationOut:
    """Require an on-site check before deciding."""
    resumption.require_onsite(session, scope, application_id, body)
    return resumption.for_jurisdiction(session, scope, application_id)


@router.post("/gov/applications/{application_id}/decision", response_model=s.ApplicationOut)
def decide(
    application_id: AppId, body: s.DecisionIn, session: DB, scope: GovEditor
) -> s.ApplicationOut:
    """Approve, approve in part (lines or zones) or return with reasons per item; the
    enterprise's work-resumption state follows."""
    resumption.decide(session, scope, application_id, body)
    return resumption.for_jurisdiction(session, scope, application_id)


# -- the enterprise's side ----------------------------------------------------------------


@router.get("/daily-reports/{day}", response_model=s.DailyReportOut)
def own_report(day: Day, session: DB, scope: ReportReader) -> Response:
    """The enterprise's report for ``day``: as submitted, or a draft computed now."""
    return respond(daily_report.draft(session, scope, day))


@router.get("/daily-reports", response_model=s.ReportList)
def own_reports(session: DB, scope: ReportReader) -> Response:
    return respond(s.ReportList(items=reports.own_list(session, scope)))


@router.post("/daily-reports", response_model=s.DailyReportOut, status_code=201)
def submit_report(body: s.ReportSubmitIn, session: DB, scope: ReportSubmitter) -> Response:
    """Compute and submit the report for ``day``; frozen from then on."""
    return respond(daily_report.submit(session, scope, body), 201)


@router.get("/resumption/prefill", response_model=list[s.PrefillOut])
def get_prefill(session: DB, scope: Applicant) -> list[s.PrefillOut]:
    """What keepline already knows, as suggested answers to the checklist."""
    return prefill.suggest(session, scope)


@router.post("/resumption/applications", response_model=s.ApplicationOut, status_code=201)
def apply(body: s.ApplicationIn, session: DB, scope: Applicant) -> s.ApplicationOut:
    app = prefill.apply(session, scope, body)
    return resumption.for_enterprise(session, scope, app.id)


@router.get("/resumption/applications", response_model=list[s.ApplicationOut])
def own_applications(session: DB, scope: ApplicationReader) -> list[s.ApplicationOut]:
    return resumption.list_for_enterprise(session, scope)


@router.get("/resumption/applications/{application_id}", response_model=s.ApplicationOut)
def own_application(
    application_id: AppId, session: DB, scope: ApplicationReader
) -> s.ApplicationOut:
    return resumption.for_enterprise(session, scope, application_id)


# --- visits ---
VisitId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Visit number.")]
FindingId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Finding (task) number.")]
PackFormat = Annotated[str, Query(pattern="^(json|html)$")]


@router.post("/gov/visits", response_model=s.VisitOut, status_code=201)
def add_visit(body: s.VisitIn, session: DB, scope: VisitEditor) -> Response:
    """Record a visit to an enterprise the caller oversees (another one: 404)."""
    row = visits.add_visit(session, scope, body)
    return respond(visits.visit_out(session, row), 201)


@router.get("/gov/visits", response_model=Page[s.VisitOut])
def list_visits(
    session: DB,
    scope: VisitReader,
    paging: Paging,
    enterprise_id: Slug64 = None,
    jurisdiction: Slug64 = None,
) -> Response:
    """Visits to the enterprises under the caller's jurisdiction, newest first (sort: day,
    id, enterprise_id). Findings: ``GET /gov/visits/{visit_id}``."""
    q = visits.visits_query(session, scope, enterprise_id=enterprise_id, jurisdiction=jurisdiction)
    return list_page(session, q, paging, visits.VISIT_SORTS, "-day", s.VisitOut)


@router.get("/gov/visits/{visit_id}", response_model=s.VisitOut)
def get_visit(visit_id: VisitId, session: DB, scope: VisitReader) -> Response:
    """The visit with its findings and their steps."""
    return respond(visits.visit_out(session, visits.visit_of(session, scope, visit_id)))


@router.get("/gov/visits/{visit_id}/briefing", response_model=s.BriefingOut)
def get_briefing(
    visit_id: VisitId, session: DB, scope: VisitReader, format: PackFormat = "json"
) -> Response:
    """The visit's briefing pack from the enterprise's latest data (aggregates only);
    ``?format=html``: one self-contained page, Chinese with English beside it."""
    pack = briefing.pack(session, scope, visit_id)
    if format == "html":
        return HTMLResponse(briefing_page.render_html(pack.model_dump(mode="json")))
    return respond(pack)


@router.post("/gov/visits/{visit_id}/findings", response_model=s.FindingOut, status_code=201)
def add_finding(visit_id: VisitId, body: s.FindingIn, session: DB, scope: VisitEditor) -> Response:
    """Record a finding: a rectification task for the enterprise, open, with a due date."""
    row = visits.add_finding(session, scope, visit_id, body)
    return respond(visits.finding_out(session, row), 201)


@router.get("/gov/findings", response_model=Page[s.FindingOut])
def list_findings(
    session: DB,
    scope: VisitReader,
    paging: Paging,
    status: FindingStatus | None = None,
    overdue: bool | None = None,
    enterprise_id: Slug64 = None,
    jurisdiction: Slug64 = None,
) -> Response:
    """Rectification tasks under the caller's jurisdiction (sort: due_on, id, status,
    severity, enterprise_id); ``overdue=true``: not verified and past due (plant time)."""
    q = visits.findings_query(
        session,
        scope,
        status=status,
        overdue=overdue,
        enterprise_id=enterprise_id,
        jurisdiction=jurisdiction,
    )
    return list_page(session, q, paging, visits.FINDING_SORTS, "due_on", s.FindingOut)


@router.get("/gov/findings/{finding_id}", response_model=s.FindingOut)
def get_finding(finding_id: FindingId, session: DB, scope: VisitReader) -> Response:
    return respond(visits.finding_out(session, visits.finding_of(session, scope, finding_id)))


@router.post("/gov/findings/{finding_id}/verify", response_model=s.FindingOut)
def verify_finding(
    finding_id: FindingId, body: s.VerifyIn, session: DB, scope: VisitEditor
) -> Response:
    """Accept the enterprise's answer: the task is closed (only an answered task: 422)."""
    row = visits.verify(session, scope, finding_id, body)
    return respond(visits.finding_out(session, row))


@router.post("/gov/findings/{finding_id}/send-back", response_model=s.FindingOut)
def send_back_finding(
    finding_id: FindingId, body: s.SendBackIn, session: DB, scope: VisitEditor
) -> Response:
    """Refuse the answer with a reason: the task is open again (only an answered task)."""
    row = visits.send_back(session, scope, finding_id, body)
    return respond(visits.finding_out(session, row))


@router.get("/rectifications", response_model=Page[s.FindingOut])
def own_rectifications(
    session: DB,
    scope: RectificationReader,
    paging: Paging,
    status: FindingStatus | None = None,
    overdue: bool | None = None,
) -> Response:
    """The enterprise's rectification tasks from the government's visits."""
    q = visits.own_findings_query(scope, status=status, overdue=overdue)
    return list_page(session, q, paging, visits.FINDING_SORTS, "due_on", s.FindingOut)


@router.get("/rectifications/{finding_id}", response_model=s.FindingOut)
def own_rectification(finding_id: FindingId, session: DB, scope: RectificationReader) -> Response:
    return respond(visits.finding_out(session, visits.own_finding(session, scope, finding_id)))


@router.post("/rectifications/{finding_id}/answer", response_model=s.FindingOut)
def answer_rectification(
    finding_id: FindingId, body: s.RectificationAnswerIn, session: DB, scope: RectificationAnswerer
) -> Response:
    """Say what was done (an open task; answering one answered or verified: 422)."""
    row = visits.answer(session, scope, finding_id, body)
    return respond(visits.finding_out(session, row))
