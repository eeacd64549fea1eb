"""The e-mail door: a message SES received (or the local stack's SMTP server, or `sigap ingest-email`) is an object
under inbound-email/ in the inbound bucket; its arrival is an event on the e-mail queue. The message is read
(`email_message`), its tenant found from the address it was sent to (<tenant>[+<source>]@the inbound domain), and
its mentions ingested as every door ingests them (once per (tenant, id))."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pydantic import ValidationError

from sigap.ingest.domain import DailyQuota, KnownMentions, MentionSink, accept_within_quota
from sigap.kernel.kinds import TENANT_ID_PATTERN, SourceChannel
from sigap.kernel.models import MAX_TEXT_CHARS, MENTION_ID_PATTERN, MentionIn, Tenant, problems_of
from sigap.sources.domain import SOURCE_NAME_PATTERN, Source, SourceKind
from sigap.sources.email_message import EmailMention, read_email, recipients

INBOUND_PREFIX = "inbound-email/"
MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # SES's largest received message
DEFAULT_SOURCE = "email"
_ID = re.compile(MENTION_ID_PATTERN)
_TENANT = re.compile(TENANT_ID_PATTERN)
_SOURCE = re.compile(SOURCE_NAME_PATTERN)


class Tenants(Protocol):
    def get(self, tenant_id: str) -> Tenant | None: ...


class Sources(Protocol):
    def get(self, tenant_id: str, name: str) -> Source | None: ...


@dataclass(frozen=True)
class Door:
    tenant: Tenant
    source: str

    @property
    def tenant_id(self) -> str:
        return self.tenant.tenant_id


def door_of(addresses: list[str], domain: str, tenants: Tenants) -> Door | None:
    """The tenant (and source) the message was sent to: the first address at the inbound domain (any domain when
    none is set) whose local part is `<tenant>` or `<tenant>+<source>` of an existing tenant."""
    for address in addresses:
        local, _, at = address.rpartition("@")
        if domain and at != domain.lower():
            continue
        tenant_id, _, source = local.partition("+")
        if not _TENANT.match(tenant_id) or (source and not _SOURCE.match(source)):
            continue
        tenant = tenants.get(tenant_id)
        if tenant is not None:
            return Door(tenant, source or DEFAULT_SOURCE)
    return None


def _mention_id(mention: EmailMention) -> str:
    candidate = f"email:{mention.message_id}"
    if _ID.match(candidate):
        return candidate
    return "email:h-" + hashlib.blake2b(mention.message_id.encode(), digest_size=12).hexdigest()


def mention_in(mention: EmailMention, source: str, received_at: datetime) -> MentionIn:
    """A message as a mention: the original's text, sent by whoever sent this copy, with where it came from."""
    return MentionIn.model_validate(
        {
            "id": _mention_id(mention),
            "source": source,
            "channel": SourceChannel.EMAIL,
            "text": mention.text[:MAX_TEXT_CHARS],
            "created_at": min(mention.sent_at, received_at) if mention.sent_at else received_at,
            "author": {"handle": mention.sender[:256]},
            "raw": {
                "subject": mention.subject[:500],
                "list_id": mention.list_id,
                "forward_depth": mention.forward_depth,
                "original_author": mention.original_author,
                "note": mention.note[:2000],
            },
        }
    )


@dataclass
class EmailOutcome:
    door: Door | None = None
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped_attachments: int = 0
    filtered: list[str] = field(default_factory=list)  # not matching the registered source's brand query
    refused: list[str] = field(default_factory=list)  # past the client's daily quota (the reason in `problems`)
    registered: Source | None = None  # the e-mail source the address names, if the tenant registered it


def receive(raw: bytes, *, domain: str, tenants: Tenants, sources: Sources, ledger: KnownMentions,
            sink: MentionSink, now: Callable[[], datetime],
            quota_of: Callable[[Tenant, datetime], DailyQuota | None]) -> EmailOutcome:  # fmt: skip
    """One received message into its tenant's mentions; what could not be read is in `problems`. Mail to a
    registered e-mail source keeps only what matches its brand query; mail to any other `+source` is kept whole.
    Mentions past the client's daily quota (`quota_of` the tenant) are refused, with the reason in `problems`."""
    outcome = EmailOutcome()
    if len(raw) > MAX_MESSAGE_BYTES:
        outcome.problems.append(f"the message is {len(raw)} bytes; the limit is {MAX_MESSAGE_BYTES}")
        return outcome
    outcome.door = door_of(recipients(raw), domain, tenants)
    if outcome.door is None:
        outcome.problems.append("no recipient names a tenant (<tenant>[+<source>]@the inbound domain)")
        return outcome
    source = sources.get(outcome.door.tenant_id, outcome.door.source)
    outcome.registered = source if source is not None and source.kind is SourceKind.EMAIL else None
    read = read_email(raw)
    outcome.problems += read.problems
    outcome.skipped_attachments = read.skipped_attachments
    mentions = []
    received_at = now()
    for mention in read.mentions:
        try:
            mentions.append(mention_in(mention, outcome.door.source, received_at))
        except ValidationError as exc:
            outcome.problems.append(f"message {mention.message_id}: {problems_of(exc)}")
    if outcome.registered is not None:
        mentions, outcome.filtered = outcome.registered.wanted(mentions)
    if mentions:
        door = outcome.door
        admitted = accept_within_quota(door.tenant_id, mentions, quota=quota_of(door.tenant, received_at),
                                       ledger=ledger, sink=sink, now=received_at)  # fmt: skip
        outcome.accepted, outcome.duplicates = admitted.result.accepted, admitted.result.duplicates
        outcome.refused = admitted.refused
        if admitted.reason:
            outcome.problems.append(f"{len(admitted.refused)} mention(s) refused: {admitted.reason}")
    return outcome
