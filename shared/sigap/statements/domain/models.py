"""What a statement is (bilingual Markdown, versioned, with its approvals and overrides), what a tenant sets
for publishing, who subscribed, and what was delivered where."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sigap.detection.domain.models import Severity
from sigap.kernel.language import Language
from sigap.kernel.models import UtcDatetime
from sigap.outbound.domain.models import CHANNEL_ID_PATTERN, EMAIL_PATTERN
from sigap.statements.domain.tone.models import Finding, ToneRule

STATEMENT_ID_PATTERN = r"^st-[0-9a-f]{12}$"
ACTOR = Annotated[
    str,
    Field(
        min_length=1,
        max_length=254,
        description="Who does it: set from the caller's sign-in (their e-mail) or key ('key:<name>'), never sent",
        json_schema_extra={"readOnly": True},
    ),
]
MAX_BODY = 20_000


class StatementState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"


class LocalisedText(BaseModel):
    """One language's title and Markdown body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=MAX_BODY, description="Markdown")

    @field_validator("title", "body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class StatementContent(BaseModel):
    """Indonesian and English, either first, one may be left out (at least one is given)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: LocalisedText | None = None
    en: LocalisedText | None = None
    first: Language = Field(default=Language.INDONESIAN, description="The language shown first")
    next_update_at: UtcDatetime | None = Field(
        default=None, description="When the next update is promised (default: by the incident's severity)"
    )
    correction: bool = Field(default=False, description="This version corrects an earlier one")
    correction_note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _one_language(self) -> StatementContent:
        if self.id is None and self.en is None:
            raise ValueError("give the statement in 'id', 'en' or both")
        if self.text(self.first) is None:
            raise ValueError(f"'first' is {self.first.value!r}, but there is no text in that language")
        return self

    def text(self, language: Language) -> LocalisedText | None:
        return self.id if language is Language.INDONESIAN else self.en

    def languages(self) -> list[Language]:
        ordered = [self.first, *(lang for lang in Language if lang is not self.first)]
        return [lang for lang in ordered if self.text(lang) is not None]


class StatementVersion(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1)
    content: StatementContent
    created_at: UtcDatetime
    created_by: str
    published_at: UtcDatetime | None = None
    published_by: str | None = None


class Approval(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: str
    at: UtcDatetime
    version: int
    comment: str = ""


class Override(BaseModel):
    """A tone-check error let through, with the reason recorded."""

    model_config = ConfigDict(frozen=True)

    rule: ToneRule
    reason: str
    by: str
    at: UtcDatetime
    version: int


class Statement(BaseModel):
    """A statement on an incident. Its versions are kept in order; the last one is the one being worked on,
    and every published one stays public with its time."""

    model_config = ConfigDict(frozen=True)

    statement_id: str
    tenant_id: str
    incident_id: str
    author: str
    state: StatementState = StatementState.DRAFT
    versions: list[StatementVersion]
    approvals: list[Approval] = Field(default_factory=list, description="Approvals of the current version")
    overrides: list[Override] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list, description="The tone check of the current version")
    created_at: UtcDatetime
    updated_at: UtcDatetime
    version: int = Field(default=1, description="Optimistic-concurrency counter of the stored item")

    @property
    def current(self) -> StatementVersion:
        return self.versions[-1]

    def published(self) -> list[StatementVersion]:
        return [version for version in self.versions if version.published_at is not None]


class AuditAction(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    OVERRIDDEN = "overridden"
    PUBLISHED = "published"
    NEW_VERSION = "new_version"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    REMINDED = "reminded"
    ESCALATED = "escalated"


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    entry_id: str = Field(description="Stable: a retried action records once")
    statement_id: str
    at: UtcDatetime
    actor: str
    action: AuditAction
    version: int
    changes: list[str] = Field(default_factory=list, description="What changed, field by field")
    comment: str = ""


class ReminderDefaults(BaseModel):
    """How long a published statement may go without an update, by the incident's severity (minutes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    critical: int = Field(default=60, ge=5, le=7 * 24 * 60)
    warning: int = Field(default=240, ge=5, le=7 * 24 * 60)
    info: int = Field(default=24 * 60, ge=5, le=7 * 24 * 60)
    remind_before: int = Field(default=15, ge=1, le=24 * 60, description="Minutes before the promise")

    def interval(self, severity: Severity) -> int:
        return {Severity.CRITICAL: self.critical, Severity.WARNING: self.warning}.get(severity, self.info)


class PublishingSettings(BaseModel):
    """`PUT /v1/tenants/{tenant}/publishing`: who approves, who is told first, where statements go."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    approvers: list[Annotated[str, Field(min_length=1, max_length=120)]] = Field(
        default_factory=list, max_length=50, description="Who may approve (empty: anyone but the author)"
    )
    required_approvals: int = Field(default=1, ge=1, le=5)
    staff_emails: list[Annotated[str, Field(pattern=EMAIL_PATTERN, max_length=254)]] = Field(
        default_factory=list, max_length=200, description="Told first, before anything is public"
    )
    channel_ids: list[Annotated[str, Field(pattern=CHANNEL_ID_PATTERN)]] = Field(
        default_factory=list, max_length=20, description="Slack, Teams, webhook or SNS channels told after staff"
    )
    escalation_channel_ids: list[Annotated[str, Field(pattern=CHANNEL_ID_PATTERN)]] = Field(
        default_factory=list, max_length=20, description="Told when a promised update is late"
    )
    page_title: str = Field(default="", max_length=120, description="Default: the tenant's name")
    brand_colour: str = Field(
        default="",
        pattern=r"^(#[0-9a-fA-F]{6})?$",
        description="The status page's accent, '#RRGGBB': a bar across the top and the title (default: none)",
    )
    contact: str = Field(default="", max_length=300, description="Shown on the status page (Markdown)")
    timezone: str = Field(default="Asia/Jakarta", max_length=64, description="Times on the page and in e-mails")
    reminders: ReminderDefaults = Field(default_factory=ReminderDefaults)
    complaint_pause_rate: float = Field(
        default=0.001, gt=0, le=0.05, description="Subscriber e-mail pauses above this complaint rate (SES: 0.1 %)"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Asia/Jakarta)") from exc
        return value


class SubscriberState(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class Subscriber(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant_id: str
    email: str
    language: Language = Language.INDONESIAN
    state: SubscriberState = SubscriberState.PENDING
    created_at: UtcDatetime
    confirmed_at: UtcDatetime | None = None
    unsubscribed_at: UtcDatetime | None = None
    confirmations_sent: int = 0


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class PublicationTarget(StrEnum):
    STAFF = "staff"
    STATUS_PAGE = "status_page"
    CHANNEL = "channel"
    SUBSCRIBERS = "subscribers"


class PublicationTask(BaseModel):
    """One step of publishing a statement version, queued in order: staff, page, channels, subscribers."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    statement_id: str
    version: int
    target: PublicationTarget
    channel_id: str | None = None
    recipients: list[str] = Field(default_factory=list, description="A slice of subscribers, for SUBSCRIBERS")
    attempt: int = 0
    not_before: UtcDatetime | None = Field(default=None, description="A retry waiting longer than SQS can delay")


class ChannelDelivery(BaseModel):
    """What the API shows per channel of a published version."""

    model_config = ConfigDict(frozen=True)

    target: str = Field(description="staff | status_page | channel:<id> | subscribers")
    state: DeliveryState
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    last_error: str | None = None
    updated_at: UtcDatetime | None = None


class StatementCreate(BaseModel):
    """`POST /v1/tenants/{tenant}/statements`: written, or drafted from a template with its variables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    incident_id: str = Field(pattern=r"^inc-\d{8}T\d{4}-[0-9a-f]{8}$")
    by: ACTOR
    content: StatementContent | None = None
    template: str | None = Field(default=None, max_length=80, description="A template name ('crisis' is built in)")
    variables: dict[str, str] = Field(default_factory=dict, max_length=50)
    first: Language = Field(default=Language.INDONESIAN, description="With a template: the language shown first")

    @model_validator(mode="after")
    def _content_or_template(self) -> StatementCreate:
        if (self.content is None) == (self.template is None):
            raise ValueError("give either 'content' or 'template' (with its 'variables')")
        return self


class StatementEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    by: ACTOR
    content: StatementContent


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    by: ACTOR
    overrides: dict[ToneRule, Annotated[str, Field(min_length=5, max_length=500)]] = Field(
        default_factory=dict, description="Tone-check errors let through, each with the reason"
    )


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    by: ACTOR
    approve: bool = True
    comment: str = Field(default="", max_length=2000)


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    by: ACTOR


class StatementView(BaseModel):
    statement: Statement
    audit: list[AuditEntry]
    deliveries: dict[int, list[ChannelDelivery]] = Field(default_factory=dict, description="Per published version")


class SubscribeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    language: Language = Language.INDONESIAN


class QueuedSubscription(BaseModel):
    """A subscription asked for on a status page, handled by the publisher: the page answers at once and the same
    for every address (a write and an e-mail done while it waited told known addresses from new ones by time)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["subscription"] = "subscription"
    tenant_id: str
    request: SubscribeRequest
    requested_at: UtcDatetime
