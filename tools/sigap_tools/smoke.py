"""`sigap smoke --api URL --key KEY`: after `sam deploy`, does the stack do its job? Each step says what works,
and what does not with its likely cause.

1. the key opens its tenant (`GET /v1/tenants/{tenant}/me`);
2. a mention is accepted, then scored (labelled `sigap-smoke`, so it can be told from real ones);
3. each channel sends a test notification, delivered or refused with the channel's reason;
4. the public status page answers.

The tenant is the one the key names (`sgp_<tenant>_...`). Exit status 0 when every step passed.
"""

from __future__ import annotations

import sys
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from sigap_tools.client import ApiAnswer, SigapClient

SCORED_WITHIN_SECONDS = 120.0
DELIVERED_WITHIN_SECONDS = 120.0

# A refusal's words -> what usually causes it on a first deploy.
_CAUSES = (
    (
        "MessageRejected",
        "SES is in its sandbox (a new account sends only to verified addresses): request production "
        "access, and verify the sender's domain with DKIM",
    ),
    ("not verified", "the sender or recipient is not verified in SES: verify the domain, or leave the SES sandbox"),
    ("AuthorizationError", "the stack may not publish to this topic: name it sigap_<tenant>_... in this account"),
    ("NotFound", "the topic or endpoint no longer exists"),
    ("Throttl", "the account's quota was reached: raise the Lambda concurrency or SES sending quota"),
)


@dataclass
class Step:
    name: str
    passed: bool
    detail: str


def tenant_of(key: str) -> str:
    """The tenant a key names: `sgp_<tenant>_<secret>` (tenant ids never hold '_')."""
    prefix, _, rest = key.partition("_")
    tenant, _, secret = rest.partition("_")
    if prefix != "sgp" or not tenant or not secret:
        raise ValueError("the key is not a Sigap key (sgp_<tenant>_...): copy it as `sigap tenants create` printed it")
    return tenant


def likely_cause(reason: str) -> str:
    for words, cause in _CAUSES:
        if words.lower() in reason.lower():
            return cause
    return "see the function's log for this request"


def _poll(ask: Callable[[], ApiAnswer], done: Callable[[ApiAnswer], bool], within: float) -> ApiAnswer:
    deadline = time.monotonic() + within
    while True:
        answer = ask()
        if done(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(2.0)


class Smoke:
    def __init__(self, client: SigapClient, tenant: str, out: TextIO) -> None:
        self.client, self.tenant, self.out = client, tenant, out
        self.steps: list[Step] = []

    def record(self, name: str, passed: bool, detail: str) -> bool:
        self.steps.append(Step(name, passed, detail))
        print(f"{'ok  ' if passed else 'FAIL'} {name}: {detail}", file=self.out, flush=True)
        return passed

    def run(self) -> int:
        if self.key_opens_its_tenant() and self.mention_is_scored():
            self.channels_deliver()
        self.status_page_answers()
        print(
            "note: alarms go to the AlarmEmail address once its subscription is confirmed (AWS sent it a link)",
            file=self.out,
        )
        failed = [step.name for step in self.steps if not step.passed]
        print(f"{len(self.steps) - len(failed)} of {len(self.steps)} checks passed", file=self.out)
        return 1 if failed else 0

    def key_opens_its_tenant(self) -> bool:
        answer = self.client.request("GET", f"/v1/tenants/{self.tenant}/me")
        if answer.status == 200:
            return self.record("key", True, f"opens tenant {self.tenant}")
        if answer.status in (401, 403):
            return self.record("key", False, f"HTTP {answer.status}: the key is wrong, revoked, or of another stack")
        return self.record("key", False, f"HTTP {answer.status}: {answer.body}")

    def mention_is_scored(self) -> bool:
        mention_id = f"sigap-smoke-{datetime.now(UTC):%Y%m%dT%H%M%S}"
        posted = self.client.post_mentions(
            self.tenant,
            [
                {
                    "id": mention_id,
                    "source": "sigap-smoke",
                    "channel": "other",
                    "text": "Sigap smoke test after a deploy: please ignore.",
                    "created_at": datetime.now(UTC).isoformat(),
                }
            ],
        )
        if posted.status != 202:
            return self.record("ingest", False, f"HTTP {posted.status}: {posted.body}")
        self.record("ingest", True, f"mention {mention_id} accepted")
        answer = _poll(
            lambda: self.client.request("GET", f"/v1/tenants/{self.tenant}/mentions/{mention_id}"),
            lambda a: a.status == 200 and a.body.get("state") == "scored",
            SCORED_WITHIN_SECONDS,
        )
        if answer.status == 200 and answer.body.get("state") == "scored":
            score = answer.body.get("score") or {}
            return self.record(
                "scoring", True, f"{score.get('sentiment')} (risk {score.get('risk')}), language {score.get('lang')}"
            )
        return self.record(
            "scoring",
            False,
            f"not scored within {SCORED_WITHIN_SECONDS:.0f} s: the scoring function is not running (the account's "
            "Lambda concurrency quota, a throttled or failing function: see the ScoringThrottles and ScoringErrors "
            "alarms and the scoring queue's dead letters)",
        )

    def channels_deliver(self) -> None:
        listed = self.client.request("GET", f"/v1/tenants/{self.tenant}/channels")
        found = (listed.body.get("items") or []) if listed.status == 200 else []
        channels = [channel for channel in found if channel.get("enabled", True)]
        if not channels:
            self.record("channels", False, "no channel: an alert would reach nobody (POST .../channels to add one)")
            return
        for channel in channels:
            self._channel_delivers(channel)

    def _channel_delivers(self, channel: dict[str, Any]) -> None:
        name = f"channel {channel.get('name')} ({channel.get('type')})"
        queued = self.client.request("POST", f"/v1/tenants/{self.tenant}/channels/{channel['channel_id']}/test")
        if queued.status != 202:
            self.record(name, False, f"HTTP {queued.status}: {queued.body}")
            return
        path = f"/v1/tenants/{self.tenant}/notifications/{queued.body['notification_id']}"
        answer = _poll(
            lambda: self.client.request("GET", path),
            lambda a: (
                a.status == 200
                and bool(a.body.get("deliveries"))
                and all(d.get("status") in ("delivered", "dead") for d in a.body["deliveries"])
            ),
            DELIVERED_WITHIN_SECONDS,
        )
        deliveries = answer.body.get("deliveries") or [] if answer.status == 200 else []
        if deliveries and all(d.get("status") == "delivered" for d in deliveries):
            self.record(name, True, "test notification delivered")
            return
        reason = next((str(d.get("reason") or "") for d in deliveries if d.get("status") != "delivered"), "")
        if not reason:
            reason = f"not delivered within {DELIVERED_WITHIN_SECONDS:.0f} s (the delivery function is not running)"
        self.record(name, False, f"{reason}; likely cause: {likely_cause(reason)}")

    def status_page_answers(self) -> None:
        answer = self.client.without_key().request("GET", f"/v1/status/{self.tenant}")
        if answer.status == 200:
            self.record("status page", True, "the public status page answers")
        else:
            self.record("status page", False, f"HTTP {answer.status}: {answer.body}")


def run_smoke(api: str, key: str, out: TextIO = sys.stdout) -> int:
    tenant = tenant_of(key)
    smoke = Smoke(SigapClient(api, key, timeout=30.0), tenant, out)
    try:
        return smoke.run()
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        smoke.record("api", False, f"{api} cannot be reached ({exc}): check the URL (the stack's ApiUrl output)")
        return 1
