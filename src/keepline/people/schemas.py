"""API shapes for the roster. Two views of a worker: the one every role sees, and the
personal one (phone, ID number, health flags) for health officers and admins."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime
from keepline.fields import Text
from keepline.people.models import EmploymentStatus
from keepline.vocabulary import headers


class WorkerIn(BaseModel):
    """A worker to create. Zone, shift, skills and housing default to the team's."""

    model_config = ConfigDict(extra="forbid")

    employee_no: Text = Field(
        max_length=32, examples=["XQ00001"], json_schema_extra=headers("工号", "员工编号", "职工号")
    )
    name: Text = Field(max_length=100, examples=["王伟"], json_schema_extra=headers("姓名"))
    phone: Text | None = Field(
        None,
        max_length=20,
        description="Mainland mobile, 11 digits.",
        json_schema_extra=headers("手机", "手机号", "手机号码", "电话", "联系电话"),
    )
    id_number: Text | None = Field(
        None,
        max_length=18,
        description="18 characters (GB 11643).",
        json_schema_extra=headers("身份证号", "身份证号码", "身份证", "证件号码"),
    )
    team: Text = Field(
        max_length=64,
        description="A team of the plant model. In a file, its id or display name.",
        json_schema_extra=headers("班组", "小组"),
    )
    zone: Text | None = Field(
        None,
        max_length=64,
        description="Default: the team's zone. In a file, its id or display name.",
        json_schema_extra=headers("车间", "区域", "工作区域"),
    )
    shift: Text | None = Field(
        None,
        max_length=64,
        description="Default: the team's shift. In a file, its id or a word for it (夜班).",
        json_schema_extra=headers("班次"),
    )
    skills: list[Text] | None = Field(
        None,
        max_length=20,
        description="Default: the team's.",
        json_schema_extra=headers("技能", "工种"),
    )
    housing: Text | None = Field(
        None,
        max_length=64,
        description="A dormitory zone or 'commuter'; default: the team's.",
        json_schema_extra=headers("住宿", "宿舍"),
    )
    employment_status: EmploymentStatus = Field(
        EmploymentStatus.active, json_schema_extra=headers("在职状态", "用工状态", "状态")
    )
    left_on: dt.date | None = Field(
        None,
        description="The first day no longer working here (status 'left'; default today "
        "when the status is 'left').",
        json_schema_extra=headers("离职日期", "离职时间"),
    )


class WorkerUpdate(BaseModel):
    """Fields to change; the others stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(None, max_length=100)
    phone: Text | None = Field(None, max_length=20)
    id_number: Text | None = Field(None, max_length=18)
    team: Text | None = Field(None, max_length=64)
    zone: Text | None = Field(None, max_length=64)
    shift: Text | None = Field(None, max_length=64)
    skills: list[Text] | None = Field(None, max_length=20)
    housing: Text | None = Field(None, max_length=64)
    employment_status: EmploymentStatus | None = None
    left_on: dt.date | None = None


class LeaveIn(BaseModel):
    """A worker leaves: off the roster, availability and screening from ``left_on``;
    their records stay (until the retention rule)."""

    model_config = ConfigDict(extra="forbid")

    left_on: dt.date | None = Field(
        None, description="The first day no longer working here; default today."
    )


class WorkerOut(BaseModel):
    """What every role sees: no personal data, and why not cleared only as a category."""

    employee_no: str
    name: str
    zone: str
    shift: str
    team: str
    skills: list[str]
    housing: str
    employment_status: EmploymentStatus
    left_on: dt.date | None = Field(None, description="The first day no longer working here.")
    cleared: bool = Field(
        description="May work today: not isolated, not quarantined, no health declaration "
        "flag a health officer has not cleared, zone not locked (employment status apart)."
    )
    not_cleared_category: str | None = Field(
        None,
        description="Why not, as every role may see it: 'zone-locked' when only the "
        "worker's zone stops them, else 'health' (isolation, quarantine or a declaration).",
    )


class WorkerPersonalOut(WorkerOut):
    """The health officer's and admin's view."""

    reasons: list[str] = Field(
        default_factory=list,
        description="Why the worker may not work today: isolated, quarantined, "
        "not_cleared (a declaration's flag), zone_locked.",
    )
    phone: str | None
    id_number: str | None
    flags: list[str] = Field(description="What stopped the worker: fever, symptoms, ...")
    flagged_on: dt.date | None
    cleared_by: str | None = None
    cleared_at: UtcDatetime | None = None
    clearance_reason: str | None = None


WorkerView = WorkerPersonalOut | WorkerOut


class RowProblemOut(BaseModel):
    row: int = Field(description="Spreadsheet row (header = 1), or position in a JSON list.")
    field: str | None
    message: str


class ImportOut(BaseModel):
    rows: int = Field(description="Data rows read.")
    inserted: int
    updated: int
    unchanged: int
    rejected: list[RowProblemOut] = Field(description="Bad rows (mode=valid-rows only).")


class TeamHeadcount(BaseModel):
    team: str
    zone: str
    shift: str
    planned: int = Field(description="Headcount in the plant model.")
    rostered: int = Field(description="Active workers on the roster.")
    on_leave: int
    difference: int = Field(description="rostered - planned.")
    not_cleared: int


class RosterSummary(BaseModel):
    planned: int
    rostered: int
    teams: list[TeamHeadcount]
