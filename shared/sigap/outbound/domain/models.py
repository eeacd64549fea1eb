"""What a tenant configures (a channel and its settings), what a channel is asked to send (an outbound message),
and what it answers (a receipt, or a typed delivery error saying whether to retry)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sigap.kernel.language import Language
from sigap.kernel.models import UtcDatetime

_DNS_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@{_DNS_LABEL}(?:\.{_DNS_LABEL})+$"
SNS_TOPIC_PATTERN = r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$"
WEBHOOK_SECRET_PATTERN = r"^whsec_[A-Za-z0-9+/]{32,88}={0,2}$"  # noqa: S105 - a pattern, not a secret
CHANNEL_ID_PATTERN = r"^ch-[0-9a-f]{12}$"


class ChannelType(StrEnum):
    EMAIL = "email"
    SLACK = "slack"
    TEAMS = "teams"
    WEBHOOK = "webhook"
    SNS = "sns"


class EmailSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal[ChannelType.EMAIL] = ChannelType.EMAIL
    to: list[Annotated[str, Field(pattern=EMAIL_PATTERN, max_length=254)]] = Field(min_length=1, max_length=50)


class SlackSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal[ChannelType.SLACK] = ChannelType.SLACK
    webhook_url: str = Field(max_length=2048, description="Incoming webhook URL (a secret: never shown again)")


class TeamsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal[ChannelType.TEAMS] = ChannelType.TEAMS
    webhook_url: str = Field(max_length=2048, description="Workflows webhook URL (a secret: never shown again)")


class WebhookSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal[ChannelType.WEBHOOK] = ChannelType.WEBHOOK
    url: str = Field(max_length=2048, description="Your endpoint; it must answer 2xx within 15 s")
    secret: str | None = Field(
        default=None,
        pattern=WEBHOOK_SECRET_PATTERN,
        description="A whsec_ signing secret; omit it and Sigap generates one and shows it once",
    )


class SnsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal[ChannelType.SNS] = ChannelType.SNS
    topic_arn: str = Field(pattern=SNS_TOPIC_PATTERN)


ChannelSettings = Annotated[
    EmailSettings | SlackSettings | TeamsSettings | WebhookSettings | SnsSettings, Field(discriminator="type")
]


class ChannelCreate(BaseModel):
    """`POST /v1/tenants/{tenant}/channels`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80)
    settings: ChannelSettings
    language: Language | None = Field(default=None, description="Overrides the tenant's language for this channel")

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.strip() or not value.isprintable():
            raise ValueError("must be printable text")
        return value.strip()


class Channel(BaseModel):
    """A channel as stored and shown: everything but its secret."""

    model_config = ConfigDict(frozen=True)

    channel_id: str
    tenant_id: str
    name: str
    type: ChannelType
    target: str = Field(description="Where it sends, with any secret part masked")
    to: list[str] = Field(default_factory=list, description="E-mail recipients")
    url: str | None = Field(default=None, description="Webhook endpoint (not secret)")
    topic_arn: str | None = None
    language: Language | None = None
    enabled: bool = True
    disabled_reason: str | None = None
    failing_since: UtcDatetime | None = Field(default=None, description="First failure since the last success")
    secret_versions: int = Field(default=0, description="How many secrets it has had (rotations + 1)")
    created_at: UtcDatetime
    version: int = 1


class ChannelSecret(BaseModel):
    """What is kept in SSM SecureString for a channel: the URL that is a credential, or the signing secrets
    (the newest first; the previous one keeps signing until `previous_until`, so a receiver can rotate)."""

    model_config = ConfigDict(frozen=True)

    url: str | None = None
    signing: list[str] = Field(default_factory=list)
    previous_until: UtcDatetime | None = None

    def signing_secrets(self, now: datetime) -> list[str]:
        if len(self.signing) > 1 and self.previous_until is not None and now < self.previous_until:
            return self.signing[:2]
        return self.signing[:1]


class CreatedChannel(BaseModel):
    """The answer to creating a channel or rotating its secret: the one time a generated secret is shown."""

    channel: Channel
    signing_secret: str | None = Field(default=None, description="Store it now: it is never shown again")


class Link(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    url: str


class MessageItem(BaseModel):
    """One alert (or statement update) inside a message."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    title: str
    status: str
    severity: str | None = None
    scope: str | None = None
    client: str | None = Field(default=None, description="The brand, in an agency's message")
    summary: str = ""
    at: UtcDatetime
    facts: list[tuple[str, str]] = Field(default_factory=list)
    quotes: list[str] = Field(default_factory=list, description="Sample mentions, already shortened")
    links: list[Link] = Field(default_factory=list)


class OutboundMessage(BaseModel):
    """What every channel renders in its own format: one per (notification, channel)."""

    model_config = ConfigDict(frozen=True)

    message_id: str = Field(description="Stable across retries: the notification id")
    tenant_id: str
    kind: str = Field(description="firing | resolved | repeat | escalation | test | notice | statement")
    language: Language
    title: str
    intro: str = ""
    items: list[MessageItem] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    created_at: UtcDatetime
    payload: dict[str, object] = Field(default_factory=dict, description="The machine-readable body for webhooks")


class DeliveryReceipt(BaseModel):
    model_config = ConfigDict(frozen=True)

    channel_id: str
    status_code: int | None = None
    provider_id: str | None = Field(default=None, description="SES / SNS message id, webhook-id")
    duration_ms: int
    at: UtcDatetime


class DeliveryError(Exception):
    """A channel refused or failed a message. `retryable` says whether trying again can help; `retry_after`
    is the receiver's own ask (seconds); `disable` means the endpoint told us to stop (HTTP 410)."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        status_code: int | None = None,
        retry_after: float | None = None,
        disable: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status_code = status_code
        self.retry_after = retry_after
        self.disable = disable
