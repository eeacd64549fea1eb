"""Silences: matchers, a start and an end, who and why; one may end when its incident resolves (Alertmanager
cannot: its #1057). A silenced alert is kept and shown, only not notified; its resolve notice is still sent if
its firing was."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from sigap.kernel.models import UtcDatetime
from sigap.notify.domain.routing import Matcher, all_match

MAX_SILENCE = timedelta(days=90)
SILENCE_ID_PATTERN = r"^sil-[0-9a-f]{12}$"


class SilenceCreate(BaseModel):
    """`POST /v1/tenants/{tenant}/silences`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    matchers: list[Matcher] = Field(min_length=1, max_length=20)
    starts_at: AwareDatetime | None = Field(default=None, description="Default: now")
    ends_at: AwareDatetime | None = Field(default=None, description="Default: starts_at + 4 h; at most 90 days")
    created_by: str = Field(
        min_length=1,
        max_length=254,
        description="Set from the caller's sign-in or key, never sent",
        json_schema_extra={"readOnly": True},
    )
    comment: str = Field(default="", max_length=1000)
    incident_id: str | None = Field(
        default=None, max_length=64, description="End the silence when this incident resolves"
    )

    @model_validator(mode="after")
    def _ordered(self) -> SilenceCreate:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class Silence(BaseModel):
    model_config = ConfigDict(frozen=True)

    silence_id: str
    tenant_id: str
    matchers: list[Matcher]
    starts_at: UtcDatetime
    ends_at: UtcDatetime
    created_by: str
    comment: str = ""
    incident_id: str | None = None
    created_at: UtcDatetime
    expired_at: UtcDatetime | None = Field(default=None, description="Ended early (by hand or with the incident)")
    expired_reason: str | None = None

    def active(self, now: datetime) -> bool:
        end = min(self.ends_at, self.expired_at) if self.expired_at else self.ends_at
        return self.starts_at <= now < end

    def mutes(self, labels: dict[str, str], now: datetime) -> bool:
        return self.active(now) and all_match(self.matchers, labels)


def new_silence(tenant_id: str, request: SilenceCreate, silence_id: str, now: datetime) -> Silence:
    starts = request.starts_at or now
    ends = request.ends_at or starts + timedelta(hours=4)
    if ends - starts > MAX_SILENCE:
        raise ValueError("a silence may last at most 90 days")
    return Silence(
        silence_id=silence_id,
        tenant_id=tenant_id,
        matchers=request.matchers,
        starts_at=starts,
        ends_at=ends,
        created_by=request.created_by,
        comment=request.comment,
        incident_id=request.incident_id,
        created_at=now,
    )


def silenced(labels: dict[str, str], silences: list[Silence], now: datetime) -> Silence | None:
    return next((silence for silence in silences if silence.mutes(labels, now)), None)
