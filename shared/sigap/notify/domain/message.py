"""What a notification says: one message per flush or escalation step, in the tenant's language, with a link
to each alert and a signed acknowledgement link for each firing one."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sigap.detection.domain.models import AlertStatus
from sigap.detection.domain.rule_names import rule_name
from sigap.kernel.language import Language
from sigap.notify.domain.models import GroupMember, NotificationKind
from sigap.outbound.domain.message import value
from sigap.outbound.domain.models import Link, MessageItem, OutboundMessage

_TEXT = {
    Language.ENGLISH: {
        "firing": "{n} alert(s) firing",
        "resolved": "Resolved",
        "repeat": "Still firing",
        "escalation": "Escalated: not acknowledged",
        "ack": "Acknowledge",
        "view": "View alert",
        "observed": "Observed",
        "expected": "Expected",
        "window": "Window",
        "why_scope": "Scope",
        "fired": "Fired",
        "intro_firing": "Sigap detected this from the mentions it watches.",
        "intro_resolved": "These alerts have resolved.",
        "intro_escalation": "Nobody has acknowledged this critical alert yet.",
    },
    Language.INDONESIAN: {
        "firing": "{n} peringatan aktif",
        "resolved": "Selesai",
        "repeat": "Masih aktif",
        "escalation": "Dieskalasi: belum ditangani",
        "ack": "Tangani",
        "view": "Lihat peringatan",
        "observed": "Teramati",
        "expected": "Biasanya",
        "window": "Jendela",
        "why_scope": "Cakupan",
        "fired": "Mulai",
        "intro_firing": "Sigap mendeteksi ini dari sebutan yang dipantaunya.",
        "intro_resolved": "Peringatan ini sudah selesai.",
        "intro_escalation": "Belum ada yang menangani peringatan kritis ini.",
    },
}


class LinkMaker(BaseModel):
    """Makes the links a message carries: the alert's console page (it asks a person to sign in first) and the
    signed acknowledgement link."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    base_url: str
    ack_token: object = Field(description="Callable (tenant, alert id) → token")

    def alert_url(self, tenant_id: str, alert_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/console/tenants/{tenant_id}/alerts/{alert_id}"

    def ack_url(self, tenant_id: str, alert_id: str) -> str:
        make = self.ack_token
        assert callable(make)
        return f"{self.base_url.rstrip('/')}/v1/ack/{make(tenant_id, alert_id)}"


def build_message(
    notification_id: str,
    owner: str,
    kind: NotificationKind,
    members: list[GroupMember],
    language: Language,
    links: LinkMaker,
    now: datetime,
    agency: bool = False,
) -> OutboundMessage:
    text = _TEXT[language]
    firing = [m for m in members if m.alert.status is AlertStatus.FIRING]
    firing.sort(key=lambda m: (-m.alert.severity.rank, m.alert.fired_at))
    resolved = [m for m in members if m.alert.status is AlertStatus.RESOLVED]
    ordered = firing + resolved
    top = ordered[0].alert if ordered else None
    clients = sorted({m.client for m in ordered})
    prefix = (
        f"[{value(language, top.severity.value).upper()}] " if top and kind is not NotificationKind.RESOLVED else ""
    )
    who = f"{', '.join(clients)}: " if clients else ""
    if kind is NotificationKind.RESOLVED:
        headline = text["resolved"]
    elif kind is NotificationKind.REPEAT:
        headline = text["repeat"]
    elif kind is NotificationKind.ESCALATION:
        headline = text["escalation"]
    else:
        headline = text["firing"].format(n=len(firing))
    lead = rule_name(top.rule, language) if top else ""
    title = f"{prefix}{who}{headline}" + (f" — {lead}" if lead else "")
    items = []
    for member in ordered:
        alert = member.alert
        evidence = alert.evidence
        item_links = [Link(label=text["view"], url=links.alert_url(alert.tenant_id, alert.alert_id))]
        if alert.status is AlertStatus.FIRING:
            item_links.insert(0, Link(label=text["ack"], url=links.ack_url(alert.tenant_id, alert.alert_id)))
        facts = [
            (text["observed"], f"{evidence.observed:g} ({evidence.measure})"),
            (text["expected"], f"{evidence.expected:.1f}"),
            (text["window"], f"{evidence.window_minutes} min"),
            (text["fired"], f"{alert.fired_at:%Y-%m-%d %H:%M} UTC"),
        ]
        if evidence.scope_reason:
            facts.append((text["why_scope"], evidence.scope_reason))
        items.append(
            MessageItem(
                item_id=alert.alert_id,
                title=f"{rule_name(alert.rule, language)}: {alert.subject}",
                status=alert.status.value,
                severity=alert.severity.value,
                scope=alert.scope.value,
                client=member.client if agency or len(clients) > 1 else None,
                summary=alert.summary,
                at=alert.resolved_at or alert.fired_at,
                facts=facts,
                quotes=[sample.text[:200] for sample in evidence.samples[:2]]
                if alert.status is AlertStatus.FIRING
                else [],
                links=item_links,
            )
        )
    intro_key = {
        NotificationKind.RESOLVED: "intro_resolved",
        NotificationKind.ESCALATION: "intro_escalation",
    }.get(kind, "intro_firing")
    return OutboundMessage(
        message_id=notification_id,
        tenant_id=owner,
        kind=kind.value,
        language=language,
        title=title,
        intro=text[intro_key],
        items=items,
        created_at=now,
        payload={
            "kind": kind.value,
            "alerts": [m.alert.model_dump(mode="json", exclude={"evidence": {"samples"}}) for m in ordered],
        },
    )
