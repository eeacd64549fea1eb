"""In-memory stand-ins for the publishing ports, shared by the publishing unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sigap.detection.domain.models import Scope, Severity
from sigap.incidents.domain.model import Incident, IncidentEvent
from sigap.statements.domain.models import (
    AuditEntry,
    ChannelDelivery,
    PublicationTask,
    PublishingSettings,
    Statement,
)
from sigap.statements.domain.templates import StatementTemplate

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
TENANT = "teh-segar"
INCIDENT_ID = "inc-20261202T0700-0a1b2c3d"

VARIABLES = {
    "brand": "Teh Segar",
    "headline_id": "hasil uji menunjukkan produk aman",
    "headline_en": "tests show the product is safe",
    "what_happened_id": "Sejak pagi ini beredar pesan berantai yang menyebut Teh Segar botol beracun.",
    "what_happened_en": "Since this morning a chain message has claimed that bottled Teh Segar is poisonous.",
    "facts_id": "Uji laboratorium independen dan BPOM tidak menemukan zat berbahaya.",
    "facts_en": "Independent laboratory tests and BPOM found no harmful substance.",
    "evidence_label_id": "Hasil uji BPOM",
    "evidence_label_en": "BPOM test results",
    "evidence_url": "https://tehsegar.example/hasil-uji",
    "actions_id": "Kami telah mengirim sampel dari 12 kota untuk pengujian ulang.",
    "actions_en": "We have sent samples from 12 cities for further testing.",
    "advice_id": "Teruskan pesan mencurigakan ke layanan konsumen kami.",
    "advice_en": "Forward suspicious messages to our contact centre.",
    "prevention_id": "Kami akan menerbitkan hasil uji setiap batch di situs kami.",
    "prevention_en": "We will publish every batch's test results on our site.",
    "contact": "Layanan konsumen / contact centre: 0800-1-234567, halo@tehsegar.example",
    "next_update_id": "pukul 18.00 WIB hari ini",
    "next_update_en": "at 18:00 WIB today",
}


def incident(**changes: object) -> Incident:
    base = Incident(
        incident_id=INCIDENT_ID,
        tenant_id=TENANT,
        key="story:s-0123456789ab",
        title="14 people raised safety health in 30 min",
        severity=Severity.CRITICAL,
        scope=Scope.NATIONAL,
        opened_at=NOW,
        first_mention_at=NOW,
        detected_at=NOW,
    )
    return base.model_copy(update=changes)


@dataclass
class FakeStore:
    settings_value: PublishingSettings = field(default_factory=PublishingSettings)
    statements: dict[str, Statement] = field(default_factory=dict)
    entries: dict[str, list[AuditEntry]] = field(default_factory=dict)
    templates: dict[str, StatementTemplate] = field(default_factory=dict)
    delivered: dict[str, dict[int, list[ChannelDelivery]]] = field(default_factory=dict)

    def statement(self, tenant_id: str, statement_id: str) -> Statement | None:
        return self.statements.get(statement_id)

    def save_statement(self, statement: Statement, expected_version: int, audit: Sequence[AuditEntry]) -> bool:
        current = self.statements.get(statement.statement_id)
        if (current.version if current else 0) != expected_version:
            return False
        self.statements[statement.statement_id] = statement
        known = {entry.entry_id for entry in self.entries.get(statement.statement_id, [])}
        self.entries.setdefault(statement.statement_id, []).extend(e for e in audit if e.entry_id not in known)
        return True

    def audit(self, tenant_id: str, statement_id: str) -> list[AuditEntry]:
        return list(self.entries.get(statement_id, []))

    def settings(self, tenant_id: str) -> PublishingSettings:
        return self.settings_value

    def template(self, tenant_id: str, name: str) -> StatementTemplate | None:
        return self.templates.get(name)

    def deliveries(self, tenant_id: str, statement_id: str) -> dict[int, list[ChannelDelivery]]:
        return self.delivered.get(statement_id, {})


@dataclass
class FakeIncidents:
    known: dict[str, Incident] = field(default_factory=lambda: {INCIDENT_ID: incident()})
    events: list[IncidentEvent] = field(default_factory=list)
    woken: list[tuple[str, datetime]] = field(default_factory=list)

    def wake_promises(self, tenant_id: str, now: datetime) -> None:
        self.woken.append((tenant_id, now))

    def incident(self, tenant_id: str, incident_id: str) -> Incident | None:
        return self.known.get(incident_id)

    def add_events(self, tenant_id: str, events: Sequence[IncidentEvent]) -> None:
        ids = {e.event_id for e in self.events}
        self.events.extend(e for e in events if e.event_id not in ids)


@dataclass
class FakeQueue:
    sent: list[PublicationTask] = field(default_factory=list)

    def send(self, tasks: Sequence[PublicationTask]) -> None:
        self.sent.extend(tasks)


# -- the publisher's and subscribers' ports ---------------------------------------------------------------------

from sigap.outbound.domain.models import (  # noqa: E402
    Channel,
    ChannelSecret,
    DeliveryError,
    DeliveryReceipt,
    OutboundMessage,
)
from sigap.statements.domain.models import DeliveryState, Subscriber, SubscriberState  # noqa: E402
from sigap.statements.domain.publisher_ports import Claim, PublisherPorts, SiteLinks  # noqa: E402
from sigap.statements.domain.site_content import SiteFile  # noqa: E402
from sigap.statements.domain.subscribers import SendingStats, Suppression  # noqa: E402


@dataclass
class FakePublishing(FakeStore):
    claims: dict[tuple[str, int, str], str] = field(default_factory=dict)
    counters: dict[tuple[str, int, str], dict[str, int]] = field(default_factory=dict)
    marks: dict[tuple[str, int, str], ChannelDelivery] = field(default_factory=dict)
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    suppressions: dict[str, Suppression] = field(default_factory=dict)
    sending: SendingStats = field(default_factory=SendingStats)
    reminder_marks: set[str] = field(default_factory=set)

    def statements_of(self, tenant_id: str) -> list[Statement]:
        return list(self.statements.values())

    def claim(self, tenant_id: str, statement_id: str, version: int, key: str, now: datetime) -> Claim:
        state = self.claims.get((statement_id, version, key))
        if state == "done":
            return Claim.DONE
        if state == "sending":
            return Claim.BUSY
        self.claims[(statement_id, version, key)] = "sending"
        return Claim.NEW

    def release(self, tenant_id: str, statement_id: str, version: int, key: str) -> None:
        self.claims.pop((statement_id, version, key), None)

    def finish(
        self,
        tenant_id: str,
        statement_id: str,
        version: int,
        keys: Sequence[str],
        target: str,
        outcome: DeliveryState,
        now: datetime,
        error: str | None = None,
    ) -> None:
        fresh = [k for k in keys if self.claims.get((statement_id, version, k)) != "done"]
        for key in fresh:
            self.claims[(statement_id, version, key)] = "done"
        if keys and not fresh:
            return
        counts = self.counters.setdefault((statement_id, version, target), {})
        counts[outcome.value] = counts.get(outcome.value, 0) + len(fresh)

    def mark(self, tenant_id: str, statement_id: str, version: int, delivery: ChannelDelivery) -> None:
        self.marks[(statement_id, version, delivery.target)] = delivery

    def confirmed_subscribers(self, tenant_id: str) -> list[Subscriber]:
        return [s for s in self.subscribers.values() if s.state is SubscriberState.CONFIRMED]

    def subscribers_by_email(self, tenant_id: str, emails: Sequence[str]) -> dict[str, Subscriber]:
        return {e: self.subscribers[e] for e in emails if e in self.subscribers}

    def suppressed(self, tenant_id: str, emails: Sequence[str]) -> set[str]:
        return {e for e in emails if e in self.suppressions}

    def subscriber(self, tenant_id: str, email: str) -> Subscriber | None:
        return self.subscribers.get(email)

    def put_subscriber(self, subscriber: Subscriber) -> None:
        self.subscribers[subscriber.email] = subscriber

    def suppression(self, tenant_id: str, email: str) -> Suppression | None:
        return self.suppressions.get(email)

    def suppress(self, tenant_id: str, suppression: Suppression) -> None:
        self.suppressions[suppression.email] = suppression

    def stats(self, tenant_id: str) -> SendingStats:
        return self.sending

    def count_sent(self, tenant_id: str, sent: int) -> None:
        self.sending = self.sending.model_copy(update={"sent": self.sending.sent + sent})

    def record_feedback(self, tenant_id: str, bounces: int, complaints: int) -> SendingStats:
        self.sending = self.sending.model_copy(
            update={"bounces": self.sending.bounces + bounces, "complaints": self.sending.complaints + complaints}
        )
        return self.sending

    def pause(self, tenant_id: str, at: datetime, reason: str) -> None:
        self.sending = self.sending.model_copy(update={"paused_at": at, "paused_reason": reason})

    def first_time(self, tenant_id: str, key: str, at: datetime) -> bool:
        if key in self.reminder_marks:
            return False
        self.reminder_marks.add(key)
        return True

    def forget(self, tenant_id: str, key: str) -> None:
        self.reminder_marks.discard(key)


@dataclass
class FakeMailer:
    sent: list[tuple[list[str], str, dict[str, str]]] = field(default_factory=list)
    fail_every: int = 0  # every Nth call is throttled
    calls: int = 0

    def send(
        self, to: Sequence[str], subject: str, text: str, html: str, headers: dict[str, str], tags: dict[str, str]
    ) -> str:
        self.calls += 1
        if self.fail_every and self.calls % self.fail_every == 0:
            raise DeliveryError("SES refused the message: Throttling Maximum sending rate exceeded.", retryable=True)
        self.sent.append((list(to), subject, headers))
        return f"ses-{self.calls}"


@dataclass
class FakeChannels:
    known: dict[str, Channel] = field(default_factory=dict)
    sent: list[OutboundMessage] = field(default_factory=list)

    def channel(self, tenant_id: str, channel_id: str) -> Channel | None:
        return self.known.get(channel_id)

    def secret(self, tenant_id: str, channel_id: str) -> ChannelSecret | None:
        return None

    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt:
        self.sent.append(message)
        return DeliveryReceipt(channel_id=channel.channel_id, duration_ms=1, at=NOW)


@dataclass
class FakeSite:
    written: dict[str, SiteFile] = field(default_factory=dict)

    def write(self, tenant_id: str, files: dict[str, SiteFile]) -> None:
        self.written.update(files)


@dataclass
class FakeTaskQueue:
    sent: list[PublicationTask] = field(default_factory=list)
    delayed: list[tuple[PublicationTask, float]] = field(default_factory=list)

    def send(self, tasks: Sequence[PublicationTask]) -> None:
        self.sent.extend(tasks)

    def later(self, task: PublicationTask, delay_seconds: float) -> None:
        self.delayed.append((task, delay_seconds))


@dataclass
class FakeDeadLetters:
    put_bodies: list[tuple[str, str]] = field(default_factory=list)

    def put(self, body: str, reason: str, tenant_id: str | None = None) -> None:
        self.put_bodies.append((body, reason))


@dataclass
class FakeIncidentList(FakeIncidents):
    def all_incidents(self, tenant_id: str) -> list[Incident]:
        return list(self.known.values())


def publisher_world(store: FakePublishing, mailer: FakeMailer | None = None) -> PublisherPorts:
    return PublisherPorts(
        store=store,
        incidents=(incidents := FakeIncidentList()),
        incident_list=incidents,
        site=FakeSite(),
        mailer=mailer or FakeMailer(),
        channels=FakeChannels(),
        queue=FakeTaskQueue(),
        dead_letters=FakeDeadLetters(),
        links=SiteLinks(site_url=f"https://status.example/{TENANT}/", api_url="https://api.example"),
        tenant_name="Teh Segar",
        link_key=b"k" * 32,
    )
