"""Alert delivery under injected faults, on the local stack: every alert event sent twice at once (two racing
evaluations), a Slack receiver failing 30 % of calls, and a delivery sandbox killed mid-batch, again and
again. Counted per channel from what the receivers and moto's SES got, the delivery records (the API) and the
delivery dead-letter queue: sent, retried, dead-lettered, duplicated, lost; and the latency from an alert
event to its notification handed to each channel (median and p95).

The policy groups per alert with group_wait 0, so the latency is the pipeline's own (the default group_wait,
30 s, is a wait by design); the retry schedule is shortened (0,1,2,4,8 s) so the bench ends in minutes."""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ALERT_ID = re.compile(r"\d{8}T\d{4}-[0-9a-f]{20}")
CHANNELS = ("email", "slack", "webhook", "teams")


def _alert(number: int, fired_at: datetime) -> Any:
    from sigap.detection.domain.models import Alert, AlertStatus, Evidence, Ranked, Rule, Scope, Severity

    story = f"s-{number:012x}"
    return Alert(
        alert_id=f"{fired_at:%Y%m%dT%H%M}-{number:020x}",
        tenant_id="bench",
        fingerprint=f"bench-{number}",
        rule=Rule.STORY_SPREAD,
        subject=story,
        severity=Severity.CRITICAL,
        scope=Scope.NATIONAL,
        status=AlertStatus.FIRING,
        started_at=fired_at - timedelta(minutes=15),
        fired_at=fired_at,
        last_seen_at=fired_at,
        summary=f"Story {story} spreading",
        evidence=Evidence(
            measure="distinct authors of the story",
            observed=80,
            expected=2,
            threshold=20,
            window_minutes=15,
            mentions=90,
            distinct_authors=80,
            negative_share=0.9,
            baseline_negative_share=0.2,
            top_stories=[Ranked(name=story, mentions=90)],
        ),
    )


@dataclass
class Phase:
    name: str
    alerts: int
    ids: dict[str, str]
    rows: list[dict[str, Any]]
    emails: list[dict[str, Any]]
    received: list[Any]
    dead: list[dict[str, Any]]
    sent_at: dict[str, float]
    kills: int


def delivery(alerts: int = 60, kill_every: float = 4.0) -> None:
    from sigap_tools.cli.target import resolve_target
    from sigap_tools.local.stack import LocalStack, StackOptions

    with tempfile.TemporaryDirectory(prefix="sigap-bench-") as state:
        options = StackOptions(
            template_path=ROOT / "template.yaml",
            port=0,
            state_dir=Path(state),
            retry_delay=1,
            parameters={"RetrySchedule": "0,1,2,4,8", "StackMode": "multi"},
            persist=False,
            fresh=True,
            receiver=True,
            warm=True,
        )
        stack = LocalStack(options)
        stack.start()
        try:
            target = resolve_target(None, Path(state))
            clean = _phase(stack, target, "clean", max(10, alerts // 3), faults=False, kill_every=kill_every)
            faulty = _phase(stack, target, "faults", alerts, faults=True, kill_every=kill_every)
        finally:
            stack.stop()
    print(
        f"### Alert delivery on the local stack: {clean.alerts} alerts with no fault, then {faulty.alerts} under "
        f"injected faults (each event sent twice at once, as two racing evaluations would; Slack failing 30 % of "
        f"calls; a delivery sandbox killed every {kill_every:.0f} s while they are sent: {faulty.kills} kills)\n"
    )
    print("| run | channel | expected | sent | retried | dead-lettered | duplicated | lost | median | p95 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for phase in (clean, faulty):
        _report(phase)
    print(
        "\nsent = distinct alerts that reached the receiver (moto's SES for e-mail); duplicated = extra accepted "
        "arrivals of one alert (webhook repeats carry the same webhook-id, which a Standard Webhooks receiver "
        "drops); lost = expected − sent − dead-lettered. Latency: alert event queued → the delivery's successful "
        "attempt, retries included (group_wait 0 here; the default 30 s is added by design).\n"
    )


def _phase(stack: Any, target: Any, tenant_id: str, alerts: int, *, faults: bool, kill_every: float) -> Phase:
    from sigap.detection.domain.models import AlertTransition, TransitionKind
    from sigap.detection.queues import AlertEventQueue
    from sigap.detection.store import AlertsTable
    from sigap.kernel.models import StackMode, utc_now
    from sigap.tenants.store import TenantStore
    from sigap_tools.client import SigapClient
    from sigap_tools.local.outbox import sent_emails
    from sigap_tools.local.receiver import Faults
    from sigap_tools.queue_depth import queue_depth
    from sigap_tools.tenants import create_tenant

    receiver = stack.receiver
    _, key = create_tenant(
        TenantStore(target.output("TenantsTableName")), tenant_id, None, mode=StackMode.MULTI, now=utc_now()
    )
    client = SigapClient(stack.api_url, key)
    base = f"/v1/tenants/{tenant_id}"
    ids: dict[str, str] = {}
    for kind, settings in (
        ("email", {"type": "email", "to": [f"oncall@{tenant_id}.example"]}),
        ("slack", {"type": "slack", "webhook_url": f"{receiver.url}/slack/{tenant_id}-slack"}),
        ("webhook", {"type": "webhook", "url": f"{receiver.url}/webhook/{tenant_id}-webhook"}),
        ("teams", {"type": "teams", "webhook_url": f"{receiver.url}/teams/{tenant_id}-teams"}),
    ):
        answer = client.request("POST", f"{base}/channels", body={"name": kind, "settings": settings})
        assert answer.status == 201, answer.body
        ids[kind] = answer.body["channel"]["channel_id"]
        if kind == "webhook":
            receiver.register_secret(f"{tenant_id}-webhook", [answer.body["signing_secret"]])
    policy = {"route": {"group_by": ["tenant", "subject"], "group_wait_seconds": 0}}
    assert client.request("PUT", f"{base}/notification-policy", body=policy).status == 200
    if faults:
        receiver.inject(f"{tenant_id}-slack", Faults(fail_rate=0.3, status=503))
    alerts_table = AlertsTable(target.output("AlertsTableName"))
    queue = AlertEventQueue(target.output("AlertEventsQueueUrl"))
    pool = stack.pool("DeliveryFunction")
    stop_killing = threading.Event()
    kills = 0

    def killer() -> None:
        nonlocal kills
        while not stop_killing.wait(kill_every):
            pids = pool.sandbox_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                kills += 1

    sent_at: dict[str, float] = {}
    fired = datetime.now(UTC).replace(second=0, microsecond=0)
    if faults:
        threading.Thread(target=killer, daemon=True).start()
    offset = 1000 if faults else 0
    for number in range(offset + 1, offset + alerts + 1):
        alert = _alert(number, fired).model_copy(update={"tenant_id": tenant_id})
        alerts_table.save(alert, 0, None)
        event = AlertTransition(
            transition_id=f"{alert.alert_id}-1", kind=TransitionKind.FIRED, at=alert.fired_at, alert=alert
        )
        sent_at[alert.alert_id] = time.time()
        copies = 2 if faults else 1
        racing = [threading.Thread(target=queue.send, args=([event],)) for _ in range(copies)]
        for sender in racing:
            sender.start()
        for sender in racing:
            sender.join()
        time.sleep(0.2)
    if faults:
        time.sleep(20)  # sandboxes keep dying while the deliveries and their retries are in flight
    stop_killing.set()
    deadline = time.monotonic() + 300
    settled = False
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not settled:
        time.sleep(2)
        rows = _deliveries(client, tenant_id)
        settled = len(rows) >= alerts * len(CHANNELS) and all(row["status"] in ("delivered", "dead") for row in rows)
        settled = settled and queue_depth(target.output("DeliveryQueueUrl")) == 0
    emails = [e for e in sent_emails(stack.endpoints["ses"]) if f"oncall@{tenant_id}.example" in json.dumps(e)]
    received = [row for row in receiver.received() if row.name.startswith(f"{tenant_id}-")]
    dead = [task for task in _dead_letters(target.output("DeliveryDeadLetterQueueUrl")) if task["owner"] == tenant_id]
    return Phase(tenant_id, alerts, ids, rows, emails, received, dead, sent_at, kills)


def _deliveries(client: Any, tenant_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.request("GET", f"/v1/tenants/{tenant_id}/notifications", query={"limit": 100, "cursor": cursor})
        page = page.body
        for item in page["items"]:
            view = client.request("GET", f"/v1/tenants/{tenant_id}/notifications/{item['notification_id']}").body
            for row in view["deliveries"]:
                rows.append(row | {"alert_ids": view["notification"]["alert_ids"]})
        cursor = page.get("next_cursor")
        if not cursor:
            return rows


def _dead_letters(url: str) -> list[dict[str, Any]]:
    import boto3

    sqs = boto3.client("sqs")
    found: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300).get("Messages", [])
        if not messages:
            return found
        found.extend(json.loads(message["Body"]) for message in messages)


def _report(phase: Phase) -> None:
    kind_of = {channel_id: kind for kind, channel_id in phase.ids.items()}
    arrivals: dict[str, Counter[str]] = defaultdict(Counter)  # channel kind → alert id → accepted arrivals
    for email in phase.emails:
        for alert_id in set(ALERT_ID.findall(str(email.get("body", "")))):
            arrivals["email"][alert_id] += 1
    for row in phase.received:
        if row.accepted:
            for alert_id in set(ALERT_ID.findall(json.dumps(row.body))):
                arrivals[row.kind][alert_id] += 1
    latencies: dict[str, list[float]] = defaultdict(list)
    retried: Counter[str] = Counter()
    for row in phase.rows:
        kind = kind_of.get(row["channel_id"], "?")
        if len(row["attempts"]) > 1:
            retried[kind] += 1
        delivered = [a for a in row["attempts"] if a["outcome"] == "delivered"]
        if delivered and row["alert_ids"]:
            at = datetime.fromisoformat(delivered[0]["at"]).timestamp()
            latencies[kind].append(at - phase.sent_at[row["alert_ids"][0]])
    dead_by: Counter[str] = Counter(kind_of.get(task["channel_id"], "?") for task in phase.dead)
    for kind in CHANNELS:
        got = arrivals[kind]
        sent = len(got)
        duplicated = sum(count - 1 for count in got.values() if count > 1)
        lost = max(0, phase.alerts - sent - dead_by[kind])
        values = sorted(latencies[kind])
        median = statistics.median(values) if values else float("nan")
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))] if values else float("nan")
        print(
            f"| {phase.name} | {kind} | {phase.alerts} | {sent} | {retried[kind]} | {dead_by[kind]} | {duplicated} "
            f"| {lost} | {median:.2f} s | {p95:.2f} s |"
        )


if __name__ == "__main__":
    delivery()
