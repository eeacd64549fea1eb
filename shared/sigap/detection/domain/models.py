"""What detection produces and what a tenant tunes: alerts with their evidence, transitions, and settings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from itertools import batched

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

from sigap.kernel.models import TenantId, UtcDatetime


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Scope(StrEnum):
    LOCAL = "local"
    NATIONAL = "national"
    GLOBAL = "global"


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class Rule(StrEnum):
    NEGATIVE_SPIKE = "negative_spike"
    SIGNAL_SURGE = "signal_surge"
    STORY_SPREAD = "story_spread"
    HIGH_REACH = "high_reach"
    SENTIMENT_SHIFT = "sentiment_shift"


class Sensitivity(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class TransitionKind(StrEnum):
    FIRED = "fired"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


class SampleMention(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    text: str = Field(description="The first 280 characters")
    channel: str
    sentiment: str
    risk: float


class Ranked(BaseModel):
    """A story, channel or source and how much of the evidence it carries."""

    model_config = ConfigDict(frozen=True)

    name: str
    mentions: int
    authors: int | None = None


class Evidence(BaseModel):
    """Observed against expected, so a person can judge the alert without opening a dashboard."""

    model_config = ConfigDict(frozen=True)

    measure: str = Field(description="What was counted, e.g. 'distinct authors of negative mentions'")
    observed: float
    expected: float = Field(description="The seasonal baseline for the same window")
    threshold: float = Field(description="The smallest observed value that would have fired")
    window_minutes: int
    p_value: float | None = Field(default=None, description="Chance of seeing this much on a normal day")
    mentions: int
    distinct_authors: int
    negative_share: float
    baseline_negative_share: float
    top_stories: list[Ranked] = Field(default_factory=list)
    channels: list[Ranked] = Field(default_factory=list)
    sources: list[Ranked] = Field(default_factory=list)
    signals: dict[str, int] = Field(default_factory=dict)
    samples: list[SampleMention] = Field(default_factory=list)
    scope_reason: str = ""
    baseline: str = Field(default="", description="Where the expectation came from (history or priors)")


class TimelineEntry(BaseModel):
    """One step of an alert's life, kept on the alert: when it fired, escalated, resolved."""

    model_config = ConfigDict(frozen=True)

    at: UtcDatetime
    kind: TransitionKind
    severity: Severity
    scope: Scope


class AlertAcknowledgement(BaseModel):
    """Who acknowledged an alert, when and how: kept beside the alert (its own item, so an evaluation's write of
    the alert never races it away) and shown when the alert is read."""

    model_config = ConfigDict(frozen=True)

    by: str
    via: str = Field(description="api | link")
    at: UtcDatetime


# An alert's id: the minute it first fired and its fingerprint's hash (the links in messages carry it).
ALERT_ID_PATTERN = r"^\d{8}T\d{4}-[0-9a-f]{20}$"


class Alert(BaseModel):
    model_config = ConfigDict(frozen=True)

    alert_id: str = Field(description="One id per episode: the fingerprint and the minute it first fired")
    tenant_id: str
    fingerprint: str = Field(description="Stable for tenant + rule + subject, across episodes")
    rule: Rule
    subject: str = Field(description="A story id, a signal category, or 'brand'")
    severity: Severity
    scope: Scope
    status: AlertStatus
    started_at: UtcDatetime = Field(description="When the condition began (the window's first counted minute)")
    fired_at: UtcDatetime
    last_seen_at: UtcDatetime
    resolved_at: UtcDatetime | None = None
    summary: str
    evidence: Evidence
    timeline: list[TimelineEntry] = Field(default_factory=list, description="Fired, escalations, resolution")
    version: int = Field(default=1, description="Bumped on every stored change (conditional writes)")
    acknowledgement: AlertAcknowledgement | None = Field(
        default=None, description="Set when read, once someone acknowledged the alert (the API or a signed link)"
    )


class AlertTransition(BaseModel):
    """One change of an alert, as it goes onto the alert-events queue (and into `sigap backtest` output)."""

    model_config = ConfigDict(frozen=True)

    transition_id: str = Field(description="Stable: alert id + version, so a consumer can drop repeats")
    kind: TransitionKind
    at: UtcDatetime
    alert: Alert


class EvaluationRequest(BaseModel):
    """One evaluation: this tenant at this minute. (A message of the fan-out sent before requests were packed
    several to a message had this shape; one still queued during a deploy is read as a pack of one.)"""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: TenantId
    minute: UtcDatetime = Field(description="The minute to evaluate: the window ends with it")
    urgent: bool = Field(
        default=False,
        description="Asked by scoring for a far-reaching severe mention: this minute only, between schedule ticks",
    )


# Tenants a fan-out message asks for: SQS bills each request, whatever it carries (up to 64 KB), so packing ten
# tenant-minutes to a message makes the fan-out's send, receive and delete a tenth as many requests. A message
# whose evaluation fails is retried whole; its other tenants then find their minute done (one read each).
TENANTS_PER_MESSAGE = 10


class EvaluationRequests(BaseModel):
    """One message of the detection fan-out: evaluate each of these tenants at this minute."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_ids: list[TenantId] = Field(min_length=1, max_length=TENANTS_PER_MESSAGE)
    minute: UtcDatetime = Field(description="The minute to evaluate: the window ends with it")
    urgent: bool = Field(
        default=False,
        description="Asked by scoring for a far-reaching severe mention: this minute only, between schedule ticks",
    )

    @classmethod
    def packed(
        cls, tenant_ids: Iterable[str], minute: datetime, *, urgent: bool = False
    ) -> Iterator[EvaluationRequests]:
        """The tenants' evaluations at `minute`, TENANTS_PER_MESSAGE tenants a message, in their order."""
        for pack in batched(tenant_ids, TENANTS_PER_MESSAGE):
            yield cls(tenant_ids=list(pack), minute=minute, urgent=urgent)

    @classmethod
    def of_one(cls, request: EvaluationRequest) -> EvaluationRequests:
        return cls(tenant_ids=[request.tenant_id], minute=request.minute, urgent=request.urgent)

    def each(self) -> list[EvaluationRequest]:
        return [
            EvaluationRequest(tenant_id=tenant_id, minute=self.minute, urgent=self.urgent)
            for tenant_id in self.tenant_ids
        ]


class Finding(BaseModel):
    """What one rule saw this minute: the condition holds for this subject, this badly."""

    model_config = ConfigDict(frozen=True)

    rule: Rule
    subject: str
    severity: Severity
    summary: str
    started_at: datetime
    evidence: Evidence
    story_id: str | None = None


class RuleSettings(BaseModel):
    """A tenant's knobs for one rule; None keeps the default for its sensitivity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # JSON's own types only: `{"enabled": 0}` or `"min_authors": "10"` is a 422, not read as false or 10.
    enabled: StrictBool = True
    min_authors: StrictInt | None = Field(default=None, ge=1, le=100_000, description="Volume floor: distinct authors")
    max_p_value: StrictFloat | None = Field(default=None, gt=0, lt=0.5, description="How unlikely before it fires")


class DetectionSettings(BaseModel):
    """What a tenant changes through `PUT /v1/tenants/{tenant}/detection-settings`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sensitivity: Sensitivity = Sensitivity.NORMAL
    home_country: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2; mentions elsewhere mean wider scope"
    )
    resolve_after_minutes: StrictInt = Field(default=60, ge=5, le=1440, description="Quiet time before resolution")
    rules: dict[Rule, RuleSettings] = Field(default_factory=dict)

    def rule(self, rule: Rule) -> RuleSettings:
        return self.rules.get(rule, RuleSettings())
