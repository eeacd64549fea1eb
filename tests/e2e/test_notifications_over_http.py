"""Alert delivery on the running local stack, as a tenant sees it: channels created over HTTP, an alert event
on the real alert-events queue, one notification on each channel (e-mail in moto's SES, read back with
`sigap outbox`; Slack and a signed webhook at the local receiver, the signature verified there), and the
signed acknowledgement link in the Slack message acknowledging the alert's incident, and its "View alert" link
opening the alert's console page once a person of the tenant has signed in."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

import pytest

from sigap.detection.queues import AlertEventQueue
from sigap.detection.store import AlertsTable
from sigap_tools.client import SigapClient
from sigap_tools.local.outbox import sent_emails
from sigap_tools.local.stack import LocalStack
from sigap_tools.queue_depth import queue_depth
from tests.e2e.conftest import create_tenant_with_cli, sigap_cli, wait_for
from tests.integration.notify_harness import make_alert, transition

pytestmark = pytest.mark.xdist_group("e2e")
ACK_LINK = re.compile(r"http://127\.0\.0\.1:\d+(/v1/ack/[A-Za-z0-9_\-.]+)")
VIEW_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/console/tenants/[a-z0-9-]+/alerts/[0-9T]+-[0-9a-f]+)")


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the test reads each redirect itself


class _Browser:
    """Cookies kept by name and sent back; redirects reported, not followed."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self._opener = urllib.request.build_opener(_Stay)

    def open(self, url: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data)  # noqa: S310 - the local stack's own http:// URLs
        request.add_header("Cookie", "; ".join(f"{name}={value}" for name, value in self.cookies.items()))
        try:
            with self._opener.open(request, timeout=60) as answer:
                status, headers, body = answer.status, answer.headers, answer.read().decode()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read().decode()
        for line in headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            value = rest.split(";")[0]
            self.cookies.update({name: value}) if value else self.cookies.pop(name, None)
        return status, headers.get("Location", ""), body


def test_one_alert_reaches_every_channel_once_and_its_link_acknowledges_it(stack: LocalStack) -> None:
    # Given a tenant with e-mail, Slack and webhook channels, configured over HTTP
    assert stack.receiver is not None
    tenant_id, key = create_tenant_with_cli(stack, "e2e-notify")
    client = SigapClient(stack.api_url, key)
    base = f"/v1/tenants/{tenant_id}"
    receiver = stack.receiver
    to = f"crisis@{tenant_id}.example"
    for name, settings in (
        ("mail", {"type": "email", "to": [to]}),
        ("slack", {"type": "slack", "webhook_url": f"{receiver.url}/slack/{tenant_id}"}),
        ("hook", {"type": "webhook", "url": f"{receiver.url}/webhook/{tenant_id}"}),
    ):
        answer = client.request("POST", f"{base}/channels", body={"name": name, "settings": settings})
        assert answer.status == 201, answer.body
        if name == "hook":
            receiver.register_secret(tenant_id, [answer.body["signing_secret"]])
    answer = client.request("PUT", f"{base}/notification-policy", body={"route": {"group_wait_seconds": 0}})
    assert answer.status == 200, answer.body
    # When the evaluator's critical alert arrives on the alert-events queue, twice (SQS is at least once)
    alert = make_alert(tenant=tenant_id, fired_at=datetime.now(UTC).replace(second=0, microsecond=0))
    AlertsTable(stack.outputs["AlertsTableName"], client=stack.client("dynamodb")).save(alert, 0, None)
    queue = AlertEventQueue(stack.outputs["AlertEventsQueueUrl"], client=stack.client("sqs"))
    queue.send([transition(alert), transition(alert)])

    def mine() -> list[dict[str, object]]:
        return [email for email in sent_emails(stack.endpoints["ses"]) if to in str(email.get("destinations"))]

    wait_for(lambda: mine() and receiver.received("slack", tenant_id) and receiver.received("webhook", tenant_id))
    # And every queue between the alert event and the channels has drained: a second send would be out by now
    sqs = stack.client("sqs")
    pipeline = ("AlertEventsQueueUrl", "TimerQueueUrl", "DeliveryQueueUrl")
    wait_for(lambda: all(queue_depth(stack.outputs[name], sqs) == 0 for name in pipeline), timeout=120)
    # Then each channel got exactly one notification, and the webhook's signature verified
    assert len(mine()) == 1
    (slack,) = receiver.received("slack", tenant_id)
    (webhook,) = receiver.received("webhook", tenant_id)
    assert webhook.accepted, webhook.problem
    # And `sigap outbox` shows the e-mail
    outbox = subprocess.run(
        [sys.executable, "-m", "sigap_tools.cli.main", "--state-dir", str(stack.options.state_dir), "outbox"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert f"To: {to}" in outbox
    # When the Slack message's acknowledgement link is opened and confirmed
    (path,) = set(ACK_LINK.findall(str(slack.body)))
    page = SigapClient(stack.api_url).request("GET", path)
    assert page.status == 200
    assert 'method="post"' in str(page.body)
    confirmed = SigapClient(stack.api_url).request("POST", path)
    assert confirmed.status == 200
    # Then the alert's incident records the acknowledgement, and the history shows each delivery
    incidents = client.request("GET", f"{base}/incidents").body["items"]
    assert len(incidents) == 1
    assert incidents[0]["acknowledged_at"] is not None
    (row,) = client.request("GET", f"{base}/notifications").body["items"]
    detail = client.request("GET", f"{base}/notifications/{row['notification_id']}").body
    assert sorted(d["status"] for d in detail["deliveries"]) == ["delivered", "delivered", "delivered"]
    # When a person of the tenant opens the message's "View alert" link
    (view,) = set(VIEW_LINK.findall(str(slack.body)))
    email, password = f"duty@{tenant_id}.example", "Duty-officer-passw0rd"
    sigap_cli(
        stack, "people", "add", "--tenant", tenant_id, "--email", email, "--role", "viewer", "--password", password
    )
    browser = _Browser()
    status, location, _ = browser.open(view)
    # Then they are asked to sign in, and brought back to the alert, which shows who acknowledged it
    assert status == 303
    assert location.startswith("/console/sign-in?next=")
    status, _, form = browser.open(stack.api_url + location)
    assert status == 200
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    fields = {name: html.unescape(value) for name, value in hidden.items()} | {"email": email, "password": password}
    status, location, _ = browser.open(f"{stack.api_url}/console/sign-in", fields)
    assert (status, stack.api_url + location) == (303, view)
    status, _, page = browser.open(view)
    assert status == 200
    assert "Acknowledged by" in page
