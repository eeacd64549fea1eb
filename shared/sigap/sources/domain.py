"""A tenant's sources: what each door is (a webhook a tool pushes to, or a feed Sigap reads), how a webhook's
requests are verified and its payloads map to mentions, its secrets (shown once, rotated with two valid during the
overlap) and its health. Pure: no AWS, no HTTP."""

from __future__ import annotations

import base64
import secrets as random
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from sigap.ingest.mapping.model import Mapping
from sigap.ingest.mapping.presets import PRESETS, PresetName
from sigap.ingest.mapping.query import MAX_QUERY_CHARS, parse_query
from sigap.kernel.kinds import SourceChannel
from sigap.kernel.models import MentionIn, TenantId, UtcDatetime
from sigap.sources.feeds import FeedIn, FeedState, FeedView, view_of_feed

SOURCE_NAME_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
SourceName = Annotated[str, Field(pattern=SOURCE_NAME_PATTERN, description="The source's slug, e.g. 'meltwater'")]
HeaderName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")]
MAX_SOURCES_PER_TENANT = 500
DEFAULT_OVERLAP = timedelta(hours=24)
MAX_OVERLAP = timedelta(days=7)
_SECRET_BYTES = 32


class SourceKind(StrEnum):
    WEBHOOK = "webhook"  # a tool pushes JSON to POST /v1/hooks/{tenant}/{source}
    FEED = "feed"  # Sigap reads an RSS, Atom or JSON Feed every few minutes
    EMAIL = "email"  # mail to <tenant>+<name>@ the inbound domain: its brand query and health
    IMPORT = "import"  # files of exports, read with its mapping: no URL a tool could post to


class Verification(StrEnum):
    """How a webhook request proves it comes from the tool the tenant registered."""

    # HMAC-SHA256 over "webhook-id.webhook-timestamp.body" (the Standard Webhooks spec): signed, dated, replay-safe.
    STANDARD_WEBHOOKS = "standard_webhooks"
    # HMAC-SHA256 of the body in a header the tool names (hex or base64, "sha256=" allowed): signed, not dated.
    HMAC_HEADER = "hmac_header"
    # The secret in the URL (?key=) or as Basic credentials' password, for tools that can sign nothing: weaker
    # (a URL is logged and copied; nothing proves the body was not changed or replayed).
    URL_SECRET = "url_secret"  # noqa: S105 - the name of a scheme, not a secret


class SourceIn(BaseModel):
    """A source as a tenant registers it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    name: SourceName
    kind: SourceKind = SourceKind.WEBHOOK
    preset: PresetName | None = Field(
        default=None, description="A known tool's shape (default 'sigap' unless a custom mapping is given)"
    )
    mapping: Mapping | None = Field(default=None, description="A custom mapping, for a shape no preset covers")
    channel: SourceChannel | None = Field(
        default=None, description="The channel its mentions come from unless a record says (default: the preset's)"
    )
    feed: FeedIn | None = Field(default=None, description="For a feed source: the feed it reads, and how often")
    verification: Verification = Verification.STANDARD_WEBHOOKS
    signature_header: HeaderName = Field(
        default="X-Signature", description="For hmac_header: the header carrying the body's HMAC-SHA256"
    )
    description: str | None = Field(default=None, max_length=500)
    query: str | None = Field(
        default=None,
        max_length=MAX_QUERY_CHARS,
        description="A brand query its mentions must match, e.g. '\"teh segar\" AND (racun OR beracun) NOT promo': "
        "terms and quoted phrases with AND, OR, NOT and parentheses, case- and accent-insensitive; others are "
        "answered as filtered and not stored",
    )

    @field_validator("query")
    @classmethod
    def _query_parses(cls, value: str | None) -> str | None:
        if value is not None:
            parse_query(value)
        return value

    @model_validator(mode="after")
    def _one_shape(self) -> SourceIn:
        if self.preset is not None and self.mapping is not None:
            raise ValueError("give a preset or a custom mapping, not both")
        if self.kind is SourceKind.FEED and self.feed is None:
            raise ValueError('a feed source needs its feed: {"feed": {"url": "https://..."}}')
        if self.kind is not SourceKind.FEED and self.feed is not None:
            raise ValueError("only a feed source (kind feed) reads a feed")
        foreign = sorted(self.model_fields_set & _NOT_FOR[self.kind])
        if foreign:
            raise ValueError(f"a source of kind {self.kind} takes no {', '.join(foreign)}")
        return self


_SIGNING = {"verification", "signature_header"}
_NOT_FOR: dict[SourceKind, set[str]] = {
    SourceKind.WEBHOOK: set(),
    SourceKind.IMPORT: _SIGNING,  # nothing posts to it: no signature to check
    SourceKind.FEED: _SIGNING | {"preset", "mapping"},  # its items are read, not mapped
    SourceKind.EMAIL: _SIGNING | {"preset", "mapping"},  # its messages are read, not mapped
}


class SourceSecret(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    value: str
    created_at: UtcDatetime
    expires_at: UtcDatetime | None = None

    def valid_at(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


class SourceError(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    at: UtcDatetime
    reason: str


class Health(BaseModel):
    """What a source has delivered: counts since it was registered, its last success and its last error."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    filtered: int = 0  # mapped, but not matching the source's brand query: not stored
    last_success_at: UtcDatetime | None = None
    last_error: SourceError | None = None


class Source(BaseModel):
    """A registered source, as stored (its secrets included: never answered as is)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    tenant_id: TenantId
    name: SourceName
    kind: SourceKind
    preset: PresetName | None
    mapping: Mapping | None  # none for a feed: its items are read, not mapped
    channel: SourceChannel
    verification: Verification
    signature_header: str
    description: str | None = None
    query: str | None = None
    feed: FeedIn | None = None
    created_at: UtcDatetime
    secrets: list[SourceSecret]
    version: int = 1
    health: Health = Field(default_factory=Health)
    feed_state: FeedState = Field(default_factory=FeedState)

    def valid_secrets(self, now: datetime) -> list[str]:
        return [secret.value for secret in self.secrets if secret.valid_at(now)]

    def wanted(self, mentions: list[MentionIn]) -> tuple[list[MentionIn], list[str]]:
        """The mentions matching the source's brand query (all without one), and the ids of the others."""
        if self.query is None:
            return mentions, []
        query = parse_query(self.query)
        kept: list[MentionIn] = []
        unwanted: list[str] = []
        for mention in mentions:
            if query.matches(mention.text):
                kept.append(mention)
            else:
                unwanted.append(mention.id)
        return kept, unwanted


def new_secret(verification: Verification) -> str:
    """A random secret: Standard Webhooks' "whsec_" + base64 form, else a URL-safe token (256 bits either way)."""
    if verification is Verification.STANDARD_WEBHOOKS:
        return "whsec_" + base64.b64encode(random.token_bytes(_SECRET_BYTES)).decode()
    return random.token_urlsafe(_SECRET_BYTES)


_READ_BY_SIGAP = {SourceKind.FEED: SourceChannel.NEWS, SourceKind.EMAIL: SourceChannel.EMAIL}


def registered(tenant_id: str, incoming: SourceIn, now: datetime) -> tuple[Source, str | None]:
    """The source to store, and its first secret (answered once, never again; only a webhook has one)."""
    common = {
        "tenant_id": tenant_id,
        "name": incoming.name,
        "kind": incoming.kind,
        "verification": incoming.verification,
        "signature_header": incoming.signature_header,
        "description": incoming.description,
        "query": incoming.query,
        "created_at": now,
    }
    if incoming.kind in _READ_BY_SIGAP:
        read = Source(**common, preset=None, mapping=None, secrets=[], feed=incoming.feed,
                      channel=incoming.channel or _READ_BY_SIGAP[incoming.kind],
                      feed_state=FeedState(next_read_at=now) if incoming.feed else FeedState())  # fmt: skip
        return read, None
    preset = PRESETS[incoming.preset or "sigap"] if incoming.mapping is None else None
    secret = new_secret(incoming.verification) if incoming.kind is SourceKind.WEBHOOK else None
    source = Source(
        **common,
        preset=preset.name if preset else None,
        mapping=preset.mapping if preset else incoming.mapping,
        channel=incoming.channel or (preset.channel if preset else SourceChannel.OTHER),
        secrets=[SourceSecret(value=secret, created_at=now)] if secret else [],
    )
    return source, secret


def rotated(source: Source, now: datetime, overlap: timedelta) -> tuple[Source, str]:
    """A new secret; the newest current one stays valid for `overlap` (two valid meanwhile), the rest end now."""
    current = [secret for secret in source.secrets if secret.valid_at(now)]
    kept = []
    if current and overlap > timedelta(0):
        newest = max(current, key=lambda secret: secret.created_at)
        ends = now + overlap if newest.expires_at is None else min(newest.expires_at, now + overlap)
        kept = [newest.model_copy(update={"expires_at": ends})]
    secret = new_secret(source.verification)
    fresh = SourceSecret(value=secret, created_at=now)
    return source.model_copy(update={"secrets": [*kept, fresh], "version": source.version + 1}), secret


class SecretInfo(BaseModel):
    """A secret as the API shows it after creation: never the value, only its end of validity and a hint."""

    created_at: datetime
    expires_at: datetime | None
    ends_with: str = Field(description="The secret's last 4 characters, to tell secrets apart")


class SourceView(BaseModel):
    """A source as the API answers it (no secret values)."""

    name: str
    kind: SourceKind
    preset: str | None
    mapping: Mapping | None
    channel: SourceChannel
    verification: Verification | None = Field(description="A webhook's scheme (none for a feed)")
    signature_header: str | None
    description: str | None
    query: str | None
    created_at: datetime
    url: str | None = Field(description="Where a webhook's tool sends its requests (only a webhook has one)")
    address: str | None = Field(
        description="An e-mail source's address: mail to it is its (none until the stack has an InboundEmailDomain)"
    )
    feed: FeedView | None = Field(description="A feed source's feed and how its reads go")
    secrets: list[SecretInfo]
    health: Health


class SourceCreated(SourceView):
    secret: str | None = Field(description="The secret, shown this once: store it in the tool now (none for a feed)")


class SourceList(BaseModel):
    sources: list[SourceView]


class Rotation(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    overlap_minutes: int = Field(
        default=int(DEFAULT_OVERLAP.total_seconds() // 60),
        ge=0,
        le=int(MAX_OVERLAP.total_seconds() // 60),
        description="How long the current secret stays valid beside the new one (0: it ends now)",
    )


def hook_path(tenant_id: str, name: str) -> str:
    return f"/v1/hooks/{tenant_id}/{name}"


def view_of(source: Source, base_url: str, now: datetime, inbound_domain: str = "") -> SourceView:
    webhook = source.kind is SourceKind.WEBHOOK
    address = f"{source.tenant_id}+{source.name}@{inbound_domain}" if inbound_domain else None
    return SourceView(
        name=source.name,
        kind=source.kind,
        preset=source.preset,
        mapping=source.mapping,
        channel=source.channel,
        verification=source.verification if webhook else None,
        signature_header=source.signature_header
        if webhook and source.verification is Verification.HMAC_HEADER
        else None,
        description=source.description,
        query=source.query,
        created_at=source.created_at,
        url=base_url + hook_path(source.tenant_id, source.name) if webhook else None,
        address=address if source.kind is SourceKind.EMAIL else None,
        feed=view_of_feed(source.feed, source.feed_state) if source.feed else None,
        secrets=[
            SecretInfo(created_at=secret.created_at, expires_at=secret.expires_at, ends_with=secret.value[-4:])
            for secret in source.secrets
            if secret.valid_at(now)
        ],
        health=source.health,
    )
