"""Detection on the local stack: the detector runs on its own rate(1 minute) schedule, fans out through SQS to
the evaluator, and the alert a spike raises is read over the HTTP API with its evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sigap_tools.client import SigapClient
from sigap_tools.local.stack import LocalStack
from tests.conftest import mention_payload
from tests.e2e.conftest import create_tenant_with_cli, wait_for

pytestmark = pytest.mark.xdist_group("e2e")


def test_the_schedule_finds_a_poisoning_scare_and_its_alert_is_read_over_the_api(stack: LocalStack) -> None:
    # Given a brand where twenty people claim poisoning within a minute, a few minutes ago
    tenant_id, key = create_tenant_with_cli(stack, "e2e-detect")
    client = SigapClient(stack.api_url, key)
    minute = (datetime.now(UTC) - timedelta(minutes=4)).replace(second=0, microsecond=0)
    mentions = [
        mention_payload(
            f"scare-{i}",
            text=f"Teh Segar beracun, anak saya keracunan dan muntah setelah minum! ({i})",
            created_at=(minute + timedelta(seconds=2 * i)).isoformat(),
            author={"handle": f"@parent{i}", "followers": 900},
        )
        for i in range(20)
    ]
    assert client.post_mentions(tenant_id, mentions).status == 202

    # When the detector's schedule next fires (every minute, as EventBridge would), then an alert appears
    def surge_alert() -> dict[str, Any] | None:
        return next((a for a in client.alerts(tenant_id).body["items"] if a["rule"] == "signal_surge"), None)

    surge = wait_for(surge_alert, timeout=150, every=2)
    assert surge["subject"] == "safety_health"
    assert surge["status"] == "firing"

    # And it explains itself: a scoring batch still in flight when it fired (on a busy machine, half of them) is
    # counted at the next evaluation, which escalates the same alert in place, so it settles on all twenty people
    # (and never more) and on the severity twenty people claiming poisoning in a minute call for
    def detail_counting_everyone() -> dict[str, Any] | None:
        detail: dict[str, Any] = client.alert(tenant_id, surge["alert_id"]).body
        assert detail["evidence"]["observed"] <= 20
        return detail if detail["evidence"]["observed"] == 20 and detail["severity"] == "critical" else None

    detail = wait_for(detail_counting_everyone, timeout=150, every=2)
    assert detail["status"] == "firing"
    assert detail["evidence"]["samples"]
    assert detail["evidence"]["scope_reason"]
    # And a bad setting is refused by name, a good one kept
    bad = client.request("PUT", f"/v1/tenants/{tenant_id}/detection-settings", body={"sensitivity": "extreme"})
    assert bad.status == 422
    assert bad.body["error"]["fields"][0]["field"].endswith("sensitivity")
    good = client.request("PUT", f"/v1/tenants/{tenant_id}/detection-settings", body={"sensitivity": "low"})
    assert (good.status, good.body["sensitivity"]) == (200, "low")
