"""API shapes for logins and users."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from keepline.accounts.models import Role
from keepline.apikit import UtcDatetime
from keepline.fields import Text


class LoginIn(BaseModel):
    email: str = Field(max_length=254, examples=["admin@xuzhou-qpcr.example"])
    password: str = Field(max_length=1000)


class LoginOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'.")
    token_type: str = "bearer"
    expires_at: UtcDatetime
    user: UserOut


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    enterprise_id: str | None
    jurisdiction: str | None
    active: bool
    created_at: UtcDatetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Text = Field(max_length=254)
    password: Text = Field(min_length=10, max_length=1000)
    role: Role
    name: Text = Field("", max_length=200)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    name: Text | None = Field(None, max_length=200)
    active: bool | None = None
    password: Text | None = Field(None, min_length=10, max_length=1000)


LoginOut.model_rebuild()


class PasswordChange(BaseModel):
    """A user changes their own password: every other login of theirs ends."""

    model_config = ConfigDict(extra="forbid")

    current_password: Text = Field(max_length=1000)
    new_password: Text = Field(min_length=10, max_length=1000)


class PasswordChanged(BaseModel):
    ended_sessions: int = Field(description="How many other logins of the user ended.")
