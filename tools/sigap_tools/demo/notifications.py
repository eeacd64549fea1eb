"""The demo's alert delivery step: the crisis brand's channels (e-mail to moto's SES, Slack and a signed webhook
to the local receiver, Teams as the escalation step), the notifications the hoax's critical alert produces,
its incident's timeline, a duplicated alert event that changes nothing, and an acknowledgement through the
signed link in the Slack message that stops the escalation."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sigap_tools.client import SigapClient
from sigap_tools.local.outbox import as_text, sent_emails
from sigap_tools.local.receiver import LocalReceiver

ESCALATE_AFTER_MINUTES = 2
_ACK_LINK = re.compile(r"https?://[^\s\"'>]+/v1/ack/[A-Za-z0-9_\-.]+")


@dataclass
class DemoChannels:
    email: str
    slack: str
    webhook: str
    teams: str


def configure(client: SigapClient, tenant_id: str, receiver: LocalReceiver) -> DemoChannels:
    """Four channels and a policy: critical alerts to e-mail, Slack and the webhook, in Indonesian, grouped per
    brand (one message for the whole crisis, later alerts batched into an update every group_interval; the
    default groups per story); unacknowledged after ESCALATE_AFTER_MINUTES, to the duty Teams channel."""
    base = f"/v1/tenants/{tenant_id}"

    def create(name: str, settings: dict[str, Any]) -> dict[str, Any]:
        answer = client.request("POST", f"{base}/channels", body={"name": name, "settings": settings})
        if answer.status != 201:
            raise RuntimeError(f"could not create the {name} channel: {answer.status} {answer.body}")
        created: dict[str, Any] = answer.body
        return created

    email = create("Tim krisis (e-mail)", {"type": "email", "to": ["tim-krisis@teh-segar.example"]})
    slack = create("#war-room (Slack)", {"type": "slack", "webhook_url": f"{receiver.url}/slack/war-room"})
    webhook = create("Contact centre (webhook)", {"type": "webhook", "url": f"{receiver.url}/webhook/contact-centre"})
    teams = create("Duty manager (Teams)", {"type": "teams", "webhook_url": f"{receiver.url}/teams/duty"})
    receiver.register_secret("contact-centre", [webhook["signing_secret"]])
    ids = DemoChannels(
        email=email["channel"]["channel_id"],
        slack=slack["channel"]["channel_id"],
        webhook=webhook["channel"]["channel_id"],
        teams=teams["channel"]["channel_id"],
    )
    policy = {
        "language": "id",
        "route": {
            "matchers": [{"label": "severity", "op": "=", "value": "critical"}],
            "receivers": [ids.email, ids.slack, ids.webhook],
            "group_by": ["tenant"],
            "escalation_policy": "duty",
        },
        "escalation_policies": {
            "duty": {"steps": [{"after_minutes": ESCALATE_AFTER_MINUTES, "receivers": [ids.teams]}], "loops": 0}
        },
    }
    answer = client.request("PUT", f"{base}/notification-policy", body=policy)
    if answer.status != 200:
        raise RuntimeError(f"could not set the notification policy: {answer.status} {answer.body}")
    return ids


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


@dataclass
class DeliveryOutcome:
    emails: int
    slack: int
    webhook: int
    teams: int
    webhook_verified: bool
    acknowledged: bool
    escalation_stopped: bool
    duplicate_ignored: bool


def show(
    client: SigapClient,
    tenant_id: str,
    receiver: LocalReceiver,
    ses_endpoint: str,
    resend_last_event: Callable[[str], None],
    headline_story: str | None,
) -> DeliveryOutcome:
    base = f"/v1/tenants/{tenant_id}"
    print("\nAlert delivery (the crisis route: group_wait 30 s, then one notification for the brand's crisis):")
    started = time.monotonic()

    def arrived() -> bool:
        return (
            bool(sent_emails(ses_endpoint)) and bool(receiver.received("slack")) and bool(receiver.received("webhook"))
        )

    if not _wait(arrived, 120):
        print("  not every channel received a notification within 2 minutes; see .sigap/demo/logs/")
    print(f"  first notifications handed over {time.monotonic() - started:.1f} s after detection finished")
    time.sleep(5)  # anything sent twice would arrive by now
    emails = sent_emails(ses_endpoint)
    slack = receiver.received("slack")
    webhook = receiver.received("webhook")
    print(f"  e-mail (moto SES): {len(emails)}   Slack: {len(slack)}   webhook: {len(webhook)}")
    if emails:
        first = emails[0]
        lines: list[str] = []
        for line in as_text(str(first.get("body", ""))).splitlines():
            if line.strip() and (not lines or lines[-1] != line.strip()):
                lines.append(line.strip())
        print(f"\n  E-mail to {', '.join(first['destinations']['ToAddresses'])}: {first['subject']}")
        for line in lines[:6]:
            print(f"    {line[:110]}")
    verified = bool(webhook) and all(row.accepted for row in webhook)
    if webhook:
        row = webhook[0]
        print(
            f"\n  Webhook {row.headers.get('webhook-id')} verified by the receiver (Standard Webhooks): "
            f"{'yes' if row.accepted else 'no: ' + row.problem}; type {row.body.get('type')}"
        )
    incidents = client.request("GET", f"{base}/incidents", query={"limit": 100}).body["items"]
    print(f"  Incidents opened: {len(incidents)} (one per story with a critical alert)")
    incident = next(
        (item for item in incidents if item["key"] == f"story:{headline_story}"), incidents[0] if incidents else None
    )
    duplicate_ignored = False
    if incident is not None:
        # SQS delivers at least once: the same alert event again must change nothing and send nothing.
        resend_last_event(next(iter(incident["alerts"])))
        time.sleep(4)
        duplicate_ignored = len(receiver.received("slack")) == len(slack) and len(sent_emails(ses_endpoint)) == len(
            emails
        )
        print(f"  The same alert event delivered again: nothing more sent ({'yes' if duplicate_ignored else 'no'}).")
    links = [link for row in slack for link in _ACK_LINK.findall(str(row.body))]
    acknowledged = escalation_stopped = False
    if links:
        path = "/v1/" + links[0].split("/v1/", 1)[1]
        page = client.request("GET", path, headers={"accept": "text/html"})
        print(f"\n  Slack's 'Tangani' button opens {links[0][:70]}…: {page.status}, asks to confirm")
        confirmed = client.request("POST", path)
        acknowledged = confirmed.status == 200 and "Acknowledged" in str(confirmed.body)
        print(f"  Confirmed: {'acknowledged' if acknowledged else confirmed.status}")
    if incident is not None and acknowledged:
        print(f"  Waiting for the escalation step ({ESCALATE_AFTER_MINUTES} min after the alert) to fall due...")

        def stopped() -> bool:
            timeline = client.request("GET", f"{base}/incidents/{incident['incident_id']}").body["timeline"]
            return any(entry["text"].startswith("Escalation stopped") for entry in timeline)

        escalation_stopped = _wait(stopped, ESCALATE_AFTER_MINUTES * 60 + 60)
    teams = len(receiver.received("teams"))
    print(f"  Escalation to the duty manager's Teams: {teams} message(s) (stopped by the acknowledgement)")
    if incident is not None:
        view = client.request("GET", f"{base}/incidents/{incident['incident_id']}").body
        shown = view["incident"]
        print(
            f"\n  Incident {shown['incident_id']} ({shown['state']}, {shown['severity']}, {shown['scope']}): "
            f"{len(shown['alerts'])} alert(s); time to detect {shown['time_to_detect_seconds']} s, to acknowledge "
            f"{shown['time_to_acknowledge_seconds']} s (from the replayed past's detection to now)"
        )
        for entry in view["timeline"][:14]:
            print(f"    {entry['at'][11:19]}  {entry['kind']:<18} {entry['text'][:90]}")
        if len(view["timeline"]) > 14:
            print(f"    … {len(view['timeline']) - 14} more")
    return DeliveryOutcome(
        emails=len(emails),
        slack=len(slack),
        webhook=len(webhook),
        teams=teams,
        webhook_verified=verified,
        acknowledged=acknowledged,
        escalation_stopped=escalation_stopped,
        duplicate_ignored=duplicate_ignored,
    )


def resend_event(client: SigapClient, tenant_id: str, alert_id: str, queue_url: str) -> None:
    """Puts the alert's current state on the alert-events queue again, as an at-least-once queue may."""
    from sigap.detection.domain.models import Alert, AlertTransition, TransitionKind
    from sigap.detection.queues import AlertEventQueue

    alert = Alert.model_validate(client.alert(tenant_id, alert_id).body)
    duplicate = AlertTransition(
        transition_id=f"{alert.alert_id}-{alert.version}", kind=TransitionKind.FIRED, at=alert.last_seen_at, alert=alert
    )
    AlertEventQueue(queue_url).send([duplicate])
