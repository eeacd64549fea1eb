"""The demo's detection step: one tick of the detection schedule on the local stack, which evaluates every
simulated minute of the replayed scenario in order (the evaluator catches up what it has not seen), then the
alerts read back over the API as a crisis team would see them."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any


def wait_for(drained: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if drained():
            return True
        time.sleep(0.5)
    return False


def fetch_alerts(client: Any, tenant_id: str, since: datetime) -> list[dict[str, Any]]:
    alerts: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.alerts(tenant_id, since=since.isoformat(), limit=100, cursor=cursor).body
        alerts.extend(page.get("items", []))
        cursor = page.get("next_cursor")
        if not cursor:
            return sorted(alerts, key=lambda alert: alert["fired_at"])


def _minutes(later: str, earlier: datetime) -> float:
    return (datetime.fromisoformat(later) - earlier).total_seconds() / 60


def headline(alerts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The alert a crisis team opens first: a critical story spreading beyond one place, else any critical."""
    if not alerts:
        return None
    return next(
        (a for a in alerts if a["severity"] == "critical" and a["scope"] != "local" and a["rule"] == "story_spread"),
        next((a for a in alerts if a["severity"] == "critical"), alerts[0]),
    )


def print_alerts(
    tenant_id: str, alerts: list[dict[str, Any]], onset: datetime | None, detail: dict[str, Any] | None
) -> None:
    if not alerts or detail is None:
        print(f"{tenant_id}: no alerts.")
        return
    print(f"{tenant_id}: {len(alerts)} alert(s), in the order they fired (minutes from the crisis's onset):")
    for alert in alerts:
        when = f"+{_minutes(alert['fired_at'], onset):.0f} min" if onset else alert["fired_at"][11:16]
        print(f"  {when:>9}  {alert['severity']:<8} {alert['scope']:<8} {alert['rule']:<15} {alert['summary']}")
    evidence = detail["evidence"]
    print(f"\n  The alert a crisis team opens first ({detail['alert_id']}):")
    print(
        f"    {detail['severity'].upper()}, {detail['scope']} scope, rule {detail['rule']}, status {detail['status']}"
    )
    print(f"    {detail['summary']}")
    if onset is not None:
        steps = ", ".join(
            f"{step['kind']} {step['severity']}/{step['scope']} at +{_minutes(step['at'], onset):.0f} min"
            for step in detail["timeline"]
        )
        print(f"    Timeline: {steps}")
    print(f"    Why {detail['scope']}: {evidence['scope_reason']}")
    print(
        f"    Observed {evidence['observed']:g} against an expected {evidence['expected']:g} "
        f"(threshold {evidence['threshold']:g}) in {evidence['window_minutes']} min; baseline: {evidence['baseline']}"
    )
    channels = ", ".join(f"{c['name']} {c['mentions']}" for c in evidence["channels"])
    print(f"    Channels: {channels}")
    for sample in evidence["samples"]:
        print(f'    e.g. [{sample["channel"]}] "{sample["text"][:110]}"')
