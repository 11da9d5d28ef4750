"""The assessment's input as a job takes it (the console's form, ``POST /jobs``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from keepline.fields import Integer, Text

# The smallest honest run: every policy over four weeks, twenty outbreak replicates
# (nine of them planned), in a few seconds on two cores; the CLI's defaults (90 days,
# 200 replicates) are for the report one keeps.
DEFAULT_DAYS = 28
DEFAULT_REPLICATES = 20


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policies: list[Text] = Field(min_length=1, max_length=30, description="Policy names.")
    scenario: Text | None = Field(
        None, max_length=200, description="A scenario's name; none: no disruption."
    )
    days: Integer = Field(DEFAULT_DAYS, ge=7, le=365)
    replicates: Integer = Field(DEFAULT_REPLICATES, ge=3, le=1000)
    seed: Integer = Field(1, ge=0, le=2**31 - 1)
