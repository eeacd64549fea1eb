"""Delivery of one (notification, channel) under moto: sent once however often or concurrently its task is
handled, retried on the schedule and then dead-lettered with its reason, a 410 disabling the channel and telling
the tenant on its other channels; and the Standard Webhooks signature a real receiver verifies."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from sigap.notify.domain.configuration import UrlPolicy, create_channel, rotate_webhook_secret
from sigap.notify.domain.delivery import DeliveryResult, deliver
from sigap.notify.domain.models import DeliveryStatus, DeliveryTask
from sigap.notify.domain.notifier import handle_timer
from sigap.outbound.domain.models import ChannelCreate, ChannelType, DeliveryError
from sigap.outbound.http import SafeHttp
from sigap.outbound.providers import Providers, sign
from sigap_tools.local.receiver import Faults, LocalReceiver
from tests.integration.conftest import AwsStack
from tests.integration.notify_harness import Harness, make_alert


@pytest.fixture
def harness(aws: AwsStack) -> Harness:
    aws.new_tenant("brand-a")
    return Harness(aws)


@pytest.fixture
def receiver() -> LocalReceiver:
    started = LocalReceiver().start()
    yield started  # type: ignore[misc]
    started.stop()


def _one_notification(harness: Harness) -> tuple[str, list[DeliveryTask]]:
    """Fires an alert and flushes its group, leaving its deliveries queued but not yet handled."""
    harness.fire(make_alert())
    harness.now += timedelta(seconds=31)
    due = [timer for timer in harness.timers.pending if timer.due_at <= harness.now]
    harness.timers.pending = []
    for timer in due:
        handle_timer(timer, harness.ports, harness.now)
    tasks = [task for _, task in harness.deliveries.pending]
    harness.deliveries.pending = []
    return tasks[0].notification_id, tasks


def test_a_task_handled_twice_or_by_racing_workers_is_sent_once(harness: Harness) -> None:
    harness.channel(ChannelType.SLACK)
    _, tasks = _one_notification(harness)
    (task,) = tasks
    # When SQS hands the same task to four workers at once, and then again later
    workers = [threading.Thread(target=deliver, args=(task, harness.delivery_ports(), harness.now)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    outcome = deliver(task, harness.delivery_ports(), harness.now + timedelta(minutes=5))
    # Then one message was sent and the delivery records one attempt
    assert len(harness.sent) == 1
    assert outcome.result is DeliveryResult.NOTHING_TO_DO
    assert str(outcome) == "already delivered"
    delivery = harness.table.delivery("brand-a", task.notification_id, task.channel_id)
    assert delivery is not None
    assert delivery.status is DeliveryStatus.DELIVERED
    assert len(delivery.attempts) == 1


def test_a_failing_channel_is_retried_on_the_schedule_then_dead_lettered_with_its_reason(harness: Harness) -> None:
    webhook = harness.channel(ChannelType.WEBHOOK)
    harness.senders[ChannelType.WEBHOOK].failing = DeliveryError(
        "the receiver answered 503", retryable=True, status_code=503
    )
    notification_id, _ = _one_notification(harness)
    harness.deliveries.pending = [
        (None, DeliveryTask(owner="brand-a", notification_id=notification_id, channel_id=webhook.channel_id))
    ]
    harness.advance(3 * 3600)
    delivery = harness.table.delivery("brand-a", notification_id, webhook.channel_id)
    assert delivery is not None
    assert delivery.status is DeliveryStatus.DEAD
    assert len(delivery.attempts) == len(harness.schedule)  # every attempt of the schedule, kept
    gaps = [(b.at - a.at).total_seconds() for a, b in zip(delivery.attempts, delivery.attempts[1:], strict=False)]
    for gap, planned in zip(gaps, harness.schedule[1:], strict=True):
        assert planned * 0.9 <= gap <= planned * 1.1 + 1
    (dead,) = harness.dead_letters()
    assert "gave up after 4 attempts" in dead["reason"]
    assert "503" in dead["reason"]
    assert json.loads(dead["body"])["channel_id"] == webhook.channel_id


def test_a_channel_recovering_within_its_retries_delivers_once(harness: Harness) -> None:
    slack = harness.channel(ChannelType.SLACK)
    harness.senders[ChannelType.SLACK].fail_first = 2
    _, tasks = _one_notification(harness)
    harness.deliveries.pending = [(None, task) for task in tasks]
    harness.advance(600)
    assert len(harness.sent_to(slack.channel_id)) == 1
    channel = harness.table.channel("brand-a", slack.channel_id)
    assert channel is not None
    assert channel.failing_since is None
    assert harness.dead_letters() == []


def test_410_gone_disables_the_endpoint_and_tells_the_tenant_on_its_other_channels(harness: Harness) -> None:
    webhook = harness.channel(ChannelType.WEBHOOK)
    email = harness.channel(ChannelType.EMAIL)
    harness.senders[ChannelType.WEBHOOK].failing = DeliveryError(
        "the receiver answered 410 Gone: the endpoint is disabled", retryable=False, status_code=410, disable=True
    )
    _, tasks = _one_notification(harness)
    harness.deliveries.pending = [(None, task) for task in tasks]
    harness.advance(60)
    channel = harness.table.channel("brand-a", webhook.channel_id)
    assert channel is not None
    assert not channel.enabled
    assert "410" in (channel.disabled_reason or "")
    notices = [message for message in harness.sent_to(email.channel_id) if message.kind == "notice"]
    assert len(notices) == 1
    assert webhook.name in notices[0].title


def test_a_channel_failing_for_days_is_disabled(harness: Harness) -> None:
    slack = harness.channel(ChannelType.SLACK)
    harness.senders[ChannelType.SLACK].failing = DeliveryError("the receiver answered 500", retryable=True)
    stored = harness.table.channel("brand-a", slack.channel_id)
    assert stored is not None
    harness.table.save_channel(
        stored.model_copy(update={"failing_since": harness.now - timedelta(days=6), "version": stored.version + 1}),
        stored.version,
    )
    _, tasks = _one_notification(harness)
    harness.deliveries.pending = [(None, task) for task in tasks]
    harness.advance(60)
    channel = harness.table.channel("brand-a", slack.channel_id)
    assert channel is not None
    assert not channel.enabled
    assert "6 days" in (channel.disabled_reason or "")


# -- Standard Webhooks, end to end through a real receiver -----------------------------------------------


def _webhook_to(harness: Harness, receiver: LocalReceiver, name: str) -> tuple[str, str]:
    request = ChannelCreate(name="ops", settings={"type": "webhook", "url": f"{receiver.url}/webhook/{name}"})
    created = create_channel(
        "brand-a", request, harness.table, harness.secrets, UrlPolicy(allow_loopback=True), harness.now
    )
    assert created.signing_secret is not None
    assert created.signing_secret.startswith("whsec_")
    harness.providers = Providers("alerts@sigap.test", allow_loopback=True)
    return created.channel.channel_id, created.signing_secret


def test_a_receiver_verifies_the_webhook_signature(harness: Harness, receiver: LocalReceiver) -> None:
    channel_id, secret = _webhook_to(harness, receiver, "ops")
    receiver.register_secret("ops", [secret])
    _, tasks = _one_notification(harness)
    harness.deliveries.pending = [(None, task) for task in tasks]
    harness.advance(5)
    (received,) = receiver.received("webhook", "ops")
    assert received.accepted, received.problem
    assert received.headers["webhook-id"] == tasks[0].notification_id
    assert received.body["type"] == "sigap.notification.firing"
    assert channel_id


def test_during_a_rotation_both_secrets_sign_so_either_verifies(harness: Harness, receiver: LocalReceiver) -> None:
    channel_id, old = _webhook_to(harness, receiver, "ops")
    rotated = rotate_webhook_secret("brand-a", channel_id, harness.table, harness.secrets, datetime.now(UTC))
    new = rotated.signing_secret
    assert new is not None
    assert new != old
    receiver.register_secret("ops", [old])  # a receiver that has not switched yet
    _, tasks = _one_notification(harness)
    harness.deliveries.pending = [(None, task) for task in tasks]
    harness.advance(5)
    (received,) = receiver.received("webhook", "ops")
    assert received.accepted, received.problem
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    headers = received.headers
    body = json.dumps(received.body, ensure_ascii=False, separators=(",", ":")).encode()
    Webhook(new).verify(body, headers)  # the new secret verifies the same message


def test_a_tampered_body_and_a_stale_timestamp_fail_verification() -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    now = datetime.now(UTC)
    body = '{"type":"alert.firing"}'
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": sign([secret], "msg_1", now, body),
    }
    Webhook(secret).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("firing", "resolved"), headers)
    stale = now - timedelta(minutes=10)
    stale_headers = headers | {
        "webhook-timestamp": str(int(stale.timestamp())),
        "webhook-signature": sign([secret], "msg_1", stale, body),
    }
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, stale_headers)


def test_a_receiver_refuses_a_message_signed_with_another_secret(harness: Harness, receiver: LocalReceiver) -> None:
    _webhook_to(harness, receiver, "ops")
    receiver.register_secret("ops", ["whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="])
    _, tasks = _one_notification(harness)
    harness.deliveries.pending = [(None, task) for task in tasks]
    harness.schedule = (0,)
    harness.advance(5)
    (received,) = receiver.received("webhook", "ops")
    assert not received.accepted
    assert received.status == 401


# -- SSRF ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("10.0.0.7", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata v6"),
        ("::ffff:10.0.0.1", "mapped private"),
        ("100.64.0.1", "carrier NAT"),
    ],
)
def test_a_url_resolving_to_a_non_public_address_is_refused(address: str, why: str) -> None:
    http = SafeHttp(resolver=lambda host, port: [address])
    with pytest.raises(DeliveryError) as refused:
        http.post("https://hooks.brand.test/x", b"{}", {})
    assert "not a public internet address" in refused.value.reason, why
    assert not refused.value.retryable


def test_plain_http_and_loopback_are_refused_unless_the_local_stack_allows_them() -> None:
    with pytest.raises(DeliveryError, match="https"):
        SafeHttp(resolver=lambda host, port: ["93.184.216.34"]).post("http://hooks.brand.test/x", b"{}", {})
    with pytest.raises(DeliveryError, match="not a public"):
        SafeHttp().post("https://127.0.0.1:9/x", b"{}", {})


def test_dns_rebinding_is_refused_at_the_connection_that_rebinds(receiver: LocalReceiver) -> None:
    # Given a name that resolves to the allowed receiver first and to a metadata address afterwards
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    http = SafeHttp(allow_loopback=True, resolver=lambda host, port: next(answers))
    port = receiver.url.rsplit(":", 1)[1]
    url = f"http://localhost:{port}/slack/rebind"
    # Then the first connection goes to the checked address, and the second is refused before connecting
    assert http.post(url, b'{"text": "hi"}', {"Content-Type": "application/json"}).status == 200
    with pytest.raises(DeliveryError, match=r"169\.254\.169\.254"):
        http.post(url, b'{"text": "hi"}', {"Content-Type": "application/json"})
    assert len(receiver.received("slack", "rebind")) == 1


def test_a_redirect_is_not_followed_and_not_retried() -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Redirecting(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_POST(self) -> None:
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        http = SafeHttp(allow_loopback=True)
        with pytest.raises(DeliveryError, match="redirect") as refused:
            http.post(f"http://127.0.0.1:{server.server_address[1]}/hook", b"{}", {})
        assert not refused.value.retryable
        assert hits == ["/hook"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_slow_receiver_times_out_as_a_retryable_failure(receiver: LocalReceiver) -> None:
    receiver.inject("slow", Faults(delay=1.5))
    http = SafeHttp(allow_loopback=True, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(DeliveryError) as failed:
        http.post(f"{receiver.url}/slack/slow", b"{}", {"Content-Type": "application/json"})
    assert failed.value.retryable
    assert time.monotonic() - started < 1.4


def test_a_worker_dying_mid_send_leaves_the_delivery_to_be_sent_after_its_lease(harness: Harness) -> None:
    # Given a delivery claimed by a worker that then died (its claim stays, its send never finished)
    slack = harness.channel(ChannelType.SLACK)
    _, tasks = _one_notification(harness)
    (task,) = tasks
    from sigap.notify.domain.delivery import LEASE
    from sigap.notify.domain.models import Delivery

    harness.table.save_delivery(
        Delivery(
            owner="brand-a",
            notification_id=task.notification_id,
            channel_id=task.channel_id,
            status=DeliveryStatus.SENDING,
            lease_until=harness.now + LEASE,
            version=1,
        ),
        0,
    )
    # When SQS redelivers its message while the lease still holds
    outcome = deliver(task, harness.delivery_ports(), harness.now)
    assert outcome.result is DeliveryResult.DEFERRED
    assert "lease" in str(outcome)
    assert harness.sent == []
    # Then the copy it queued again sends it once the lease has ended, once
    harness.advance(LEASE.total_seconds() + 5)
    assert len(harness.sent_to(slack.channel_id)) == 1
