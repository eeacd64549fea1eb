"""E-mail subscribers of a tenant's status page: self-service subscribe with double opt-in, one-click
unsubscribe (RFC 8058), and SES bounces and complaints feeding a suppression list, with subscriber e-mail paused
when complaints climb past the tenant's limit.

The public answers are the same whether or not an address exists or is already subscribed, so the routes
cannot be used to learn who subscribes; an address is sent at most a few confirmation e-mails."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from sigap.kernel.language import Language
from sigap.kernel.models import UtcDatetime
from sigap.kernel.tokens import LinkError, make_token, read_token
from sigap.statements.domain.models import Subscriber, SubscribeRequest, SubscriberState

CONFIRM_LIFETIME = timedelta(days=7)
UNSUBSCRIBE_LIFETIME = timedelta(days=3650)  # an unsubscribe link in an old e-mail must keep working
MAX_CONFIRMATIONS = 3
CONFIRMATION_GAP = timedelta(minutes=10)
MIN_SENT_FOR_PAUSE = 100  # a complaint rate over fewer e-mails says nothing


class SendingStats(BaseModel):
    """A tenant's subscriber e-mail: sent, bounced, complained; paused when complaints climb."""

    model_config = ConfigDict(frozen=True)

    sent: int = 0
    bounces: int = 0
    complaints: int = 0
    paused_at: UtcDatetime | None = None
    paused_reason: str = ""

    @property
    def complaint_rate(self) -> float:
        return self.complaints / self.sent if self.sent else 0.0


class Suppression(BaseModel):
    model_config = ConfigDict(frozen=True)

    email: str
    reason: str = Field(description="bounce | complaint | unsubscribed")
    at: UtcDatetime


class SubscriberStore(Protocol):
    def subscriber(self, tenant_id: str, email: str) -> Subscriber | None: ...

    def put_subscriber(self, subscriber: Subscriber) -> None: ...

    def suppression(self, tenant_id: str, email: str) -> Suppression | None: ...

    def suppress(self, tenant_id: str, suppression: Suppression) -> None: ...

    def stats(self, tenant_id: str) -> SendingStats: ...

    def record_feedback(self, tenant_id: str, bounces: int, complaints: int) -> SendingStats: ...

    def pause(self, tenant_id: str, at: datetime, reason: str) -> None: ...


class ConfirmationMailer(Protocol):
    def confirmation(self, subscriber: Subscriber, confirm_url: str) -> None: ...


class SubscriptionLinks(Protocol):
    def confirm_url(self, tenant_id: str, token: str) -> str: ...

    def unsubscribe_url(self, tenant_id: str, token: str) -> str: ...


def normalised(email: str) -> str:
    """Addresses compared case-blind (the local part too: a subscriber is one person, not two)."""
    return email.strip().lower()


def confirm_token(key: bytes, tenant_id: str, email: str, now: datetime) -> str:
    return make_token(key, tenant_id, normalised(email), now + CONFIRM_LIFETIME, action="confirm")


def unsubscribe_token(key: bytes, tenant_id: str, email: str, now: datetime) -> str:
    return make_token(key, tenant_id, normalised(email), now + UNSUBSCRIBE_LIFETIME, action="unsub")


def subscribe(
    store: SubscriberStore,
    mailer: ConfirmationMailer,
    links: SubscriptionLinks,
    key: bytes,
    tenant_id: str,
    request: SubscribeRequest,
    now: datetime,
) -> None:
    """Starts (or restarts) a subscription: a confirmation e-mail unless the address is suppressed, confirmed
    already, or was sent enough confirmations. Says nothing either way."""
    email = normalised(request.email)
    suppressed = store.suppression(tenant_id, email)
    if suppressed is not None and suppressed.reason != "unsubscribed":
        return  # a bounced or complaining address is never written to again
    current = store.subscriber(tenant_id, email)
    if current is not None and current.state is SubscriberState.CONFIRMED:
        return
    if current is not None and current.state is SubscriberState.PENDING:
        recent = current.created_at + CONFIRMATION_GAP > now
        if current.confirmations_sent >= MAX_CONFIRMATIONS or recent:
            return
    subscriber = Subscriber(
        tenant_id=tenant_id,
        email=email,
        language=request.language,
        state=SubscriberState.PENDING,
        created_at=now,
        confirmations_sent=(current.confirmations_sent if current and current.state is SubscriberState.PENDING else 0)
        + 1,
    )
    store.put_subscriber(subscriber)
    url = links.confirm_url(tenant_id, confirm_token(key, tenant_id, email, now))
    mailer.confirmation(subscriber, url + ("?lang=en" if request.language is Language.ENGLISH else ""))


def confirm(store: SubscriberStore, key: bytes, tenant_id: str, token: str, now: datetime) -> Subscriber:
    token_tenant, email = read_token(key, token, now, action="confirm")
    if token_tenant != tenant_id:
        raise LinkError("this link is not a confirmation link of this status page")
    current = store.subscriber(tenant_id, email)
    language = current.language if current else Language.INDONESIAN
    if current is not None and current.state is SubscriberState.CONFIRMED:
        return current
    suppressed = store.suppression(tenant_id, email)
    if suppressed is not None and suppressed.reason != "unsubscribed":
        raise LinkError("this address cannot receive e-mail from this status page")
    confirmed = Subscriber(
        tenant_id=tenant_id,
        email=email,
        language=language,
        state=SubscriberState.CONFIRMED,
        created_at=current.created_at if current else now,
        confirmed_at=now,
        confirmations_sent=current.confirmations_sent if current else 0,
    )
    store.put_subscriber(confirmed)
    return confirmed


def unsubscribe(store: SubscriberStore, key: bytes, tenant_id: str, token: str, now: datetime) -> str:
    """Unsubscribes the token's address (again, harmlessly, if it already was); the address."""
    token_tenant, email = read_token(key, token, now, action="unsub")
    if token_tenant != tenant_id:
        raise LinkError("this link is not an unsubscribe link of this status page")
    current = store.subscriber(tenant_id, email)
    if current is not None and current.state is not SubscriberState.UNSUBSCRIBED:
        store.put_subscriber(current.model_copy(update={"state": SubscriberState.UNSUBSCRIBED, "unsubscribed_at": now}))
    return email


class Feedback(BaseModel):
    """One SES bounce or complaint notification, as the feedback function reads it."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    kind: str = Field(description="Bounce | Complaint")
    permanent: bool = Field(default=True, description="A bounce's type is Permanent (a transient one is not kept)")
    recipients: list[str]
    at: UtcDatetime


def apply_feedback(store: SubscriberStore, feedback: Feedback, pause_rate: float, now: datetime) -> SendingStats:
    """Suppresses each recipient of a hard bounce or a complaint and pauses subscriber e-mail if the tenant's
    complaint rate passes `pause_rate` (after at least MIN_SENT_FOR_PAUSE e-mails)."""
    if feedback.kind == "Bounce" and not feedback.permanent:
        return store.stats(feedback.tenant_id)
    reason = "complaint" if feedback.kind == "Complaint" else "bounce"
    for email in feedback.recipients:
        store.suppress(feedback.tenant_id, Suppression(email=normalised(email), reason=reason, at=feedback.at))
        current = store.subscriber(feedback.tenant_id, normalised(email))
        if current is not None and current.state is not SubscriberState.UNSUBSCRIBED:
            store.put_subscriber(
                current.model_copy(update={"state": SubscriberState.UNSUBSCRIBED, "unsubscribed_at": feedback.at})
            )
    count = len(feedback.recipients)
    stats = store.record_feedback(
        feedback.tenant_id, bounces=count if reason == "bounce" else 0, complaints=count if reason == "complaint" else 0
    )
    if stats.paused_at is None and stats.sent >= MIN_SENT_FOR_PAUSE and stats.complaint_rate > pause_rate:
        why = f"complaint rate {stats.complaint_rate:.2%} over {stats.sent} e-mails passed {pause_rate:.2%}"
        store.pause(feedback.tenant_id, now, why)
        stats = stats.model_copy(update={"paused_at": now, "paused_reason": why})
    return stats
