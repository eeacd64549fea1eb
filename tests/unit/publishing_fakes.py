"""In-memory stand-ins for the publishing ports, shared by the publishing unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sigap.alerting.incidents import Incident, IncidentEvent
from sigap.alerting.models import Scope, Severity
from sigap.publishing.models import (
    AuditEntry,
    ChannelDelivery,
    PublicationTask,
    PublishingSettings,
    Statement,
)
from sigap.publishing.templates import StatementTemplate

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
