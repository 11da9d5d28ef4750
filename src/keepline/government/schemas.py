"""The government side's shapes: the jurisdiction file and the checklist file (YAML, the
source of truth for both), what the API receives (``…In``) and answers (``…Out``).

Nothing here carries a worker's name, number, phone, ID number, temperature or result.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from keepline import clock
from keepline.apikit import UtcDatetime
from keepline.difficulties.models import DifficultyCategory
from keepline.difficulties.schemas import DifficultiesSection
from keepline.fields import Day, Integer, Text
from keepline.government.models import FindingStatus, ResumptionState, Scale, Severity, Topic
from keepline.plant.schema import Slug

NOTE = Field(default="", max_length=2000)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- the jurisdiction file --------------------------------------------------------------


class DepartmentSpec(_In):
    id: Slug
    name: Text = Field(min_length=1, max_length=200)
    kind: Literal[
        "industry-it",
        "science-technology",
        "transport",
        "health",
        "market-supervision",
        "commerce",
        "emergency-management",
        "other",
    ] = "other"


class OfficerSpec(_In):
    email: Text = Field(min_length=3, max_length=254)
    name: Text = Field(default="", max_length=200)
    department: Slug | None = Field(
        default=None, description="A department of this jurisdiction (none: its leadership)."
    )
    title: Text = Field(default="", max_length=200)


def _once_each(field: str, ids: list[str]) -> None:
    """A ValueError naming the first id of ``ids`` that an earlier one repeats."""
    for i, x in enumerate(ids):
        if x in ids[:i]:
            raise ValueError(f"{field}: '{x}' appears twice")


class JurisdictionSpec(_In):
    id: Slug
    name: Text = Field(min_length=1, max_length=200)
    kind: Literal["city", "district", "county", "development-zone"] = "city"
    departments: list[DepartmentSpec] = []
    officers: list[OfficerSpec] = []
    children: list[JurisdictionSpec] = []
    difficulties: DifficultiesSection | None = Field(
        default=None,
        description="Routing rules, time limits and the command for difficulties "
        "(docs/difficulties.md).",
    )

    @model_validator(mode="after")
    def _officers_in_departments(self) -> JurisdictionSpec:
        ids = [d.id for d in self.departments]
        _once_each("departments", ids)
        for o in self.officers:
            if o.department is not None and o.department not in ids:
                raise ValueError(
                    f"officers: unknown department '{o.department}' (known: {', '.join(ids)})"
                )
        d = self.difficulties
        if d is not None:
            named = [(f"routes.{c.value}", dep) for c, dep in d.routes.items()]
            named += [("command", d.command)] if d.command else []
            for where, dep in named:
                if dep not in ids:
                    raise ValueError(
                        f"difficulties.{where}: unknown department '{dep}' "
                        f"(known: {', '.join(ids) or 'none'})"
                    )
        return self


class JurisdictionFile(_In):
    """A jurisdiction tree: the root, its departments and officers, its children."""

    format_version: Literal[1] = 1
    jurisdiction: JurisdictionSpec
    parent: Slug | None = Field(
        default=None, description="An already loaded jurisdiction the root sits under."
    )

    def walk(self) -> list[tuple[JurisdictionSpec, str | None]]:
        """Every node with its parent's id, parents first."""
        out: list[tuple[JurisdictionSpec, str | None]] = []

        def visit(node: JurisdictionSpec, parent: str | None) -> None:
            out.append((node, parent))
            for child in node.children:
                visit(child, node.id)

        visit(self.jurisdiction, self.parent)
        return out

    @model_validator(mode="after")
    def _unique_ids(self) -> JurisdictionFile:
        seen: set[str] = set()
        emails: set[str] = set()
        for node, _ in self.walk():
            if node.id in seen:
                raise ValueError(f"jurisdiction '{node.id}' appears twice")
            seen.add(node.id)
            for o in node.officers:
                if o.email.lower() in emails:
                    raise ValueError(f"officer '{o.email}' appears twice")
                emails.add(o.email.lower())
        return self

    @model_validator(mode="after")
    def _every_category_routed(self) -> JurisdictionFile:
        """Once a tree routes difficulties, every jurisdiction in it routes every category
        (its own rule or one inherited from above). A file under a loaded ``parent`` may
        inherit the parent's rules: the load checks those."""
        routed: dict[str | None, set[str]] = {self.parent: set()}
        paths: dict[str | None, str] = {self.parent: "jurisdiction"}
        kids: dict[str | None, int] = {}
        problems = []
        uses_routes = any(n.difficulties and n.difficulties.routes for n, _ in self.walk())
        for node, parent in self.walk():
            if parent == self.parent:
                path = "jurisdiction"
            else:
                i = kids[parent] = kids.get(parent, -1) + 1
                path = f"{paths[parent]}.children[{i}]"
            paths[node.id] = path
            own = {c.value for c in (node.difficulties.routes if node.difficulties else {})}
            routed[node.id] = routed[parent] | own
            missing = [c.value for c in DifficultyCategory if c.value not in routed[node.id]]
            if uses_routes and missing and self.parent is None:
                problems.append(
                    f"{path}.difficulties.routes: {', '.join(missing)} routed nowhere "
                    "(route each category to a department here or above)"
                )
        if problems:
            raise ValueError(problems[0])
        return self


# -- the checklist file -----------------------------------------------------------------

PREFILLS = ("isolation-rooms", "reserves", "screening", "emergency-plan", "roster")


class ChecklistItem(_In):
    id: Slug
    group: Text = Field(min_length=1, max_length=100)
    text: Text = Field(min_length=1, max_length=1000)
    veto: bool = Field(
        default=False, description="Answered 'no', the application cannot be approved."
    )
    evidence: Literal["none", "note", "file", "note-or-file"] = "note"
    prefill: (
        Literal["isolation-rooms", "reserves", "screening", "emergency-plan", "roster"] | None
    ) = None


class ChecklistFile(_In):
    """A jurisdiction's resumption checklist, one version of it."""

    format_version: Literal[1] = 1
    jurisdiction: Slug
    id: Slug = "resumption"
    version: Integer = Field(ge=1)
    title: Text = Field(min_length=1, max_length=300)
    items: list[ChecklistItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_items(self) -> ChecklistFile:
        _once_each("items", [i.id for i in self.items])
        return self


# -- jurisdictions and officers ---------------------------------------------------------


class DepartmentOut(BaseModel):
    id: str
    name: str
    kind: str


class JurisdictionOut(BaseModel):
    id: str
    name: str
    kind: str
    parent_id: str | None
    departments: list[DepartmentOut] = []


class OfficerOut(BaseModel):
    user_id: int
    email: str
    name: str
    jurisdiction: str
    department: str | None
    title: str


# -- the registry -----------------------------------------------------------------------


class RegistrationIn(_In):
    enterprise_id: Slug
    jurisdiction: Slug | None = Field(
        default=None, description="Default: the jurisdiction in the enterprise's plant file."
    )
    industry: Text = Field(min_length=1, max_length=100)
    scale: Scale
    address: Text = Field(default="", max_length=500)
    contact_name: Text = Field(default="", max_length=100)
    contact_phone: Text = Field(default="", max_length=30)
    registered_on: Day | None = None


class ListingIn(_In):
    tag: Slug = Field(description="e.g. key-epidemic-supplies, livelihood, resumption-white-list")
    listed_on: Day
    document: Text = Field(min_length=1, max_length=300, description="The document that listed it.")


class DelistIn(_In):
    delisted_on: Day
    document: Text = Field(min_length=1, max_length=300)


class LiaisonIn(_In):
    officer: Text = Field(min_length=3, max_length=254, description="The officer's e-mail.")
    start_on: Day


class ResumptionStateIn(_In):
    state: ResumptionState
    day: Day
    reason: Text = Field(min_length=1, max_length=500)


class ListingOut(BaseModel):
    id: int
    tag: str
    listed_on: dt.date
    document: str
    delisted_on: dt.date | None
    delist_document: str | None


class LiaisonOut(BaseModel):
    id: int
    officer: str
    start_on: dt.date
    end_on: dt.date | None


class ResumptionChangeOut(BaseModel):
    state: str
    previous: str | None
    day: dt.date
    reason: str
    application_id: int | None
    actor: str


class RegistrationOut(BaseModel):
    enterprise_id: str
    name: str
    jurisdiction: str
    industry: str
    scale: str
    address: str
    contact_name: str
    contact_phone: str
    resumption_state: str
    registered_on: dt.date
    tags: list[str]
    liaison: str | None


class EnterpriseOut(RegistrationOut):
    listings: list[ListingOut]
    liaisons: list[LiaisonOut]
    resumption_history: list[ResumptionChangeOut]


# -- resumption applications ------------------------------------------------------------


class AnswerIn(_In):
    item: Slug
    answer: Literal["yes", "no", "n/a"]
    note: Text = NOTE
    evidence_name: Text | None = Field(default=None, max_length=255)
    evidence_base64: Text | None = Field(
        default=None, max_length=2_800_000, description="An attached file (≤ 2 MB), base64."
    )


class ApplicationIn(_In):
    resume_on: Day
    employees_total: Integer = Field(ge=0)
    employees_returning: Integer = Field(ge=0)
    employees_from_risk_areas: Integer = Field(default=0, ge=0)
    prevention_plan: Text = Field(min_length=1, max_length=4000)
    emergency_plan: Text = Field(min_length=1, max_length=4000)
    lines: list[Slug] = []
    zones: list[Slug] = []
    answers: list[AnswerIn] = []
    prefill: bool = Field(default=True, description="Answer unanswered items from keepline.")

    @model_validator(mode="after")
    def _counts(self) -> ApplicationIn:
        if self.employees_returning > self.employees_total:
            raise ValueError("employees_returning: more than employees_total")
        return self


class ItemReviewIn(_In):
    item: Slug
    review: Literal["ok", "rework"]
    reason: Text = Field(default="", max_length=1000)


class OnsiteCheckIn(_In):
    note: Text = Field(min_length=1, max_length=1000)


class DecisionIn(_In):
    decision: Literal["approve", "approve-in-part", "return"]
    day: Day
    reason: Text = Field(min_length=1, max_length=1000)
    lines: list[Slug] = Field(default=[], description="Approved in part: these lines.")
    zones: list[Slug] = Field(default=[], description="Approved in part: these zones.")
    items: list[ItemReviewIn] = []
    internal_note: Text = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _part(self) -> DecisionIn:
        if self.decision == "approve-in-part" and not (self.lines or self.zones):
            raise ValueError("lines: approve-in-part names the lines or zones approved")
        if self.decision == "return" and not any(i.review == "rework" for i in self.items):
            raise ValueError("items: a returned application gives a reason per item to rework")
        return self


class AnswerOut(BaseModel):
    item: str
    group: str
    text: str
    veto: bool
    answer: str
    note: str
    prefilled: bool
    evidence_name: str | None
    evidence_sha256: str | None
    review: str | None
    review_reason: str | None


class ApplicationOut(BaseModel):
    id: int
    enterprise_id: str
    checklist: str
    checklist_version: int
    status: str
    resume_on: dt.date
    employees_total: int
    employees_returning: int
    employees_from_risk_areas: int
    prevention_plan: str
    emergency_plan: str
    lines: list[str]
    zones: list[str]
    approved_lines: list[str] | None
    approved_zones: list[str] | None
    onsite_check_note: str | None
    decision_reason: str | None
    submitted_at: UtcDatetime
    decided_at: UtcDatetime | None
    answers: list[AnswerOut]
    internal_note: str | None = Field(
        default=None, description="The jurisdiction's own note: never shown to the enterprise."
    )


class PrefillOut(BaseModel):
    item: str
    answer: str
    note: str


# -- daily reports ----------------------------------------------------------------------


REPORT_FIGURES = (
    # The figures of a daily report, in order (a column each in the table and the xlsx).
    "rostered",
    "on_site",
    "isolated",
    "quarantined",
    "not_cleared",
    "declared",
    "declarations_missing",
    "declarations_flagged",
    "screening_rounds",
    "people_screened",
    "positives",
    "new_cases",
    "open_cases",
    "zones_restricted",
    "zones_locked",
    "output_units",
    "capacity_lines",
    "utilisation",
    "front_line_at_risk",
    "livelihood_at_risk",
    "min_days_of_cover",
    "materials_under_7d",
    "open_activations",
    "overdue_tasks",
    "open_difficulties",
)


class ReportSubmitIn(_In):
    day: Day


class DailyReportOut(BaseModel):
    enterprise_id: str
    day: dt.date
    status: Literal["draft", "submitted"]
    rostered: int
    on_site: int
    isolated: int
    quarantined: int
    not_cleared: int
    declared: int
    declarations_missing: int
    declarations_flagged: int
    screening_rounds: int
    people_screened: int
    positives: int
    new_cases: int
    open_cases: int
    zones_restricted: int
    zones_locked: int
    output_units: float
    capacity_lines: int
    utilisation: float | None
    front_line_at_risk: int
    livelihood_at_risk: int
    min_days_of_cover: float | None
    materials_under_7d: int
    open_activations: int = Field(
        0, description="Emergency-plan activations open at the end of the day (or now)."
    )
    overdue_tasks: int = Field(
        0, description="Emergency-plan tasks past their deadline and not done by then."
    )
    open_difficulties: int = Field(
        0,
        description="The enterprise's difficulties submitted and not closed at the end of "
        "the day (or now).",
    )
    detail: dict[str, Any]
    submitted_by: str | None = None
    submitted_at: UtcDatetime | None = None


class ReportList(BaseModel):
    items: list[DailyReportOut]


class DayReportsOut(BaseModel):
    day: dt.date
    reports: list[DailyReportOut]
    not_reported: list[str]


# -- the dashboard ----------------------------------------------------------------------


class FiguresOut(BaseModel):
    key: str
    registered: int
    resumed: int
    fully_resumed: int
    resumption_rate: float | None
    reported: int
    rostered: int
    on_site: int
    staff_return_rate: float | None
    utilisation: float | None
    utilisation_over_50: int
    utilisation_over_80: int
    with_positives: int
    with_locked_zones: int
    front_line_at_risk: int
    livelihood_at_risk: int
    materials_out_within_7d: int
    difficulties_open: int | None = None
    difficulties_overdue: int | None = None


class TrendPointOut(BaseModel):
    day: dt.date
    registered: int
    resumed: int
    resumption_rate: float | None
    reported: int
    staff_return_rate: float | None
    utilisation: float | None
    with_positives: int


class DepartmentQueueOut(BaseModel):
    """A department's difficulties open and overdue (of the dashboard's enterprises)."""

    jurisdiction: str
    department: str
    name: str
    open: int
    overdue: int


class DashboardOut(BaseModel):
    jurisdiction: str
    day: dt.date
    filters: dict[str, str | None]
    total: FiguresOut
    by_jurisdiction: list[FiguresOut]
    by_industry: list[FiguresOut]
    by_tag: list[FiguresOut]
    trend: list[TrendPointOut]
    by_department: list[DepartmentQueueOut] = []


# --- visits ---


class VisitIn(_In):
    enterprise_id: Slug
    day: Day
    visitors: list[Annotated[Text, Field(max_length=200)]] = Field(
        min_length=1,
        max_length=30,
        description="Who visited: an officer's e-mail (an officer of the caller's "
        "jurisdiction or one under it), or a leader's name as free text ('市长 Mayor').",
    )
    topics: list[Topic] = Field(min_length=1, max_length=7)
    notes: Text = Field(default="", max_length=4000)


class FindingIn(_In):
    text: Text = Field(min_length=1, max_length=2000)
    category: Topic
    severity: Severity = Severity.medium
    due_on: Day


class RectificationAnswerIn(_In):
    text: Text = Field(min_length=1, max_length=2000, description="What was done.")
    attachment_name: Text | None = Field(default=None, min_length=1, max_length=255)


class VerifyIn(_In):
    note: Text = Field(default="", max_length=1000)


class SendBackIn(_In):
    reason: Text = Field(min_length=1, max_length=1000)


class FindingStepOut(BaseModel):
    step: str
    text: str
    attachment_name: str | None
    actor: str
    at: UtcDatetime


class FindingOut(BaseModel):
    id: int
    visit_id: int
    enterprise_id: str
    category: str
    severity: str
    text: str
    due_on: dt.date
    status: str
    answer: str | None
    attachment_name: str | None
    sent_back_reason: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    steps: list[FindingStepOut] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def overdue(self) -> bool:
        """Not verified and its due date has passed (today in plant time)."""
        return self.status != FindingStatus.verified.value and self.due_on < clock.today()


class VisitOut(BaseModel):
    id: int
    enterprise_id: str
    jurisdiction_id: str
    day: dt.date
    visitors: list[str]
    topics: list[str]
    notes: str
    created_by: str
    created_at: UtcDatetime
    findings: list[FindingOut] = []


class BriefingRound(BaseModel):
    day: dt.date
    test_type: str
    people_screened: int
    positives: int


class BriefingPrevention(BaseModel):
    rostered: int
    on_site: int
    declared: int
    declarations_missing: int
    declarations_flagged: int
    not_cleared: int
    isolated: int
    quarantined: int
    new_cases: int
    open_cases: int
    zones_restricted: int
    zones_locked: int
    last_rounds: list[BriefingRound]


class BriefingResumption(BaseModel):
    state: str
    since: dt.date | None
    reason: str | None


class BriefingOrder(BaseModel):
    order: str
    customer: str
    product: str
    priority: str
    qty: float
    shipped: float
    due: dt.date
    status: Literal["open", "part-shipped", "shipped"]
    at_risk: str | None = Field(description="Why the order is at risk, if it is.")


class BriefingCapacity(BaseModel):
    output_units: float = Field(description="Units made on the day of the pack.")
    output_units_7d: float = Field(description="Units made in the 7 days ending that day.")
    capacity_lines: int
    utilisation: float | None
    orders_open: int
    front_line_at_risk: int
    livelihood_at_risk: int
    orders: list[BriefingOrder]
    plan_as_of: dt.date | None = Field(description="The latest stored plan's day, if any.")
    plan_orders_at_risk: list[str]


class BriefingMaterial(BaseModel):
    material: str
    name: str
    kind: str
    stock: float
    use_per_day: float
    days_of_cover: float | None


class BriefingSupplier(BaseModel):
    supplier: str
    name: str
    region_code: str
    priority: int
    backup: bool
    state: str = Field(description="normal, restricted or locked-down (its own or its region's).")


class BriefingBackup(BaseModel):
    material: str
    suppliers: list[BriefingSupplier]
    has_backup: bool


class BriefingMaterials(BaseModel):
    materials: list[BriefingMaterial]
    under_7_days: int
    purchases_open: int
    purchases_at_risk: int
    shipments_open: int
    shipments_held: int
    regions_locked: list[str]
    regions_restricted: list[str]


class BriefingLiving(BaseModel):
    recorded: bool
    dormitory_residents: int | None
    commuters: int | None
    dormitory_zones: int
    closed_loop_zones: int


class BriefingDifficultyCategory(BaseModel):
    category: str
    category_zh: str
    open: int
    overdue: int


class BriefingDifficulties(BaseModel):
    """The difficulties (诉求) the enterprise raised to the government, as the record
    stands on the pack's day: open ones and those past a time limit, by category."""

    recorded: bool = Field(description="Whether the enterprise has raised any by then.")
    submitted: int = Field(description="Raised by then, closed or not.")
    open: int
    overdue: int = Field(description="Open and past a time limit (accept, solution, close).")
    by_category: list[BriefingDifficultyCategory]


class BriefingOut(BaseModel):
    """The briefing pack of a visit: aggregates only, never a worker's name or number."""

    visit_id: int
    enterprise_id: str
    name: str
    jurisdiction: str
    industry: str
    visit_day: dt.date
    as_of: dt.date = Field(description="The day the figures are of: the visit's, or today.")
    generated_at: UtcDatetime
    topics: list[str]
    visitors: list[str]
    prevention: BriefingPrevention
    resumption: BriefingResumption
    capacity: BriefingCapacity
    materials: BriefingMaterials
    backup_suppliers: list[BriefingBackup]
    living: BriefingLiving
    difficulties: BriefingDifficulties
    findings_open: int = Field(description="Rectification tasks not yet verified.")
    findings_overdue: int
