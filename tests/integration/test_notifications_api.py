"""The notifications API under moto, as a tenant (or a stranger) uses it: channels whose secrets are never
shown again, a 422 naming the field for a bad URL, matcher or channel id, silences, acknowledgements, the
notification history with its deliveries, incidents with their timelines, tenant isolation, and the public
page behind a signed acknowledgement link (a tampered or expired link gets a clear page, not a 500)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from sigap.detection.domain.models import AlertTransition
from sigap.kernel.tokens import make_token
from tests.conftest import http_event, load_handler, sqs_event
from tests.integration.conftest import AwsStack
from tests.integration.notify_harness import make_alert, transition

BASE = "/v1/tenants/{tenant}"


class Api:
    def __init__(self, aws: AwsStack, context: Any) -> None:
        aws.use_function_environment("NotificationsFunction")
        self.handler = load_handler("notifications")
        self.context = context
        self.aws = aws

    def call(
        self, method: str, route: str, key: str | None, *, body: Any = None, raw: str | None = None, **params: str
    ) -> tuple[int, Any, dict[str, str]]:
        path = route
        for name, value in params.items():
            path = path.replace("{" + name + "}", value)
        headers: dict[str, str | None] = {"content-type": "application/json"}
        if key:
            headers["authorization"] = f"Bearer {key}"
        event = http_event(method, path, route_path=route, body=body, raw_body=raw, headers=headers)
        result = self.handler.lambda_handler(event, self.context)
        text = result["body"]
        content_type = result["headers"].get("Content-Type", "")
        parsed = json.loads(text) if "json" in content_type else text
        return result["statusCode"], parsed, result["headers"]


@pytest.fixture
def api(aws: AwsStack, lambda_context: Any) -> tuple[Api, str]:
    _, key = aws.new_tenant("brand-a")
    return Api(aws, lambda_context), key


def _link_key() -> bytes:
    secret = boto3.client("secretsmanager").get_secret_value(SecretId="test-LinkKeySecret")
    return str(secret["SecretString"]).encode()


def test_a_webhook_channel_shows_its_generated_secret_once_and_never_again(api: tuple[Api, str]) -> None:
    client, key = api
    body = {"name": "ops", "settings": {"type": "webhook", "url": "https://93.184.216.34/hook"}}
    status, created, _ = client.call("POST", f"{BASE}/channels", key, body=body, tenant="brand-a")
    assert status == 201, created
    secret = created["signing_secret"]
    assert secret.startswith("whsec_")
    status, listed, _ = client.call("GET", f"{BASE}/channels", key, tenant="brand-a")
    assert status == 200
    assert secret not in json.dumps(listed)
    channel_id = created["channel"]["channel_id"]
    status, one, _ = client.call("GET", f"{BASE}/channels/{{channel_id}}", key, tenant="brand-a", channel_id=channel_id)
    assert status == 200
    assert secret not in json.dumps(one)
    # Turning it off takes a JSON boolean: 0 is not read as false
    one_route = f"{BASE}/channels/{{channel_id}}"
    status, problem, _ = client.call(
        "PATCH", one_route, key, body={"enabled": 0}, tenant="brand-a", channel_id=channel_id
    )
    assert status == 422
    assert problem["error"]["fields"][0]["field"] == "enabled"
    status, off, _ = client.call(
        "PATCH", one_route, key, body={"enabled": False}, tenant="brand-a", channel_id=channel_id
    )
    assert (status, off["enabled"]) == (200, False)


def test_a_slack_url_is_kept_secret_and_shown_masked(api: tuple[Api, str]) -> None:
    client, key = api
    url = "https://93.184.216.34/services/T000/B000/very-secret-token"
    body = {"name": "war room", "settings": {"type": "slack", "webhook_url": url}}
    status, created, _ = client.call("POST", f"{BASE}/channels", key, body=body, tenant="brand-a")
    assert status == 201
    assert "very-secret-token" not in json.dumps(created)
    status, listed, _ = client.call("GET", f"{BASE}/channels", key, tenant="brand-a")
    assert "very-secret-token" not in json.dumps(listed)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"type": "webhook", "url": "http://93.184.216.34/hook"}, "settings.url"),
        ({"type": "webhook", "url": "https://10.1.2.3/hook"}, "settings.url"),
        ({"type": "webhook", "url": "https://169.254.169.254/latest"}, "settings.url"),
        ({"type": "webhook", "url": "https://127.0.0.1/hook"}, "settings.url"),
        ({"type": "slack", "webhook_url": "not a url"}, "settings.webhook_url"),
        ({"type": "email", "to": ["not-an-address"]}, "settings.email.to[0]"),
        ({"type": "pigeon"}, "settings"),
        # the stack's own alarm topic, another tenant's topic, a tenant whose id starts the same: never a channel
        (
            {"type": "sns", "topic_arn": "arn:aws:sns:us-east-1:123456789012:sigap-AlarmTopic-1A2B"},
            "settings.topic_arn",
        ),
        ({"type": "sns", "topic_arn": "arn:aws:sns:us-east-1:123456789012:sigap_brand-b_pager"}, "settings.topic_arn"),
        (
            {"type": "sns", "topic_arn": "arn:aws:sns:us-east-1:123456789012:sigap_brand-a-foods_x"},
            "settings.topic_arn",
        ),
        ({"type": "sns", "topic_arn": "arn:aws:sns:us-east-1:123456789012:sigap_brand-a_"}, "settings.topic_arn"),
    ],
)
def test_a_bad_channel_gets_a_422_naming_the_field(api: tuple[Api, str], settings: dict[str, Any], field: str) -> None:
    client, key = api
    status, answer, _ = client.call(
        "POST", f"{BASE}/channels", key, body={"name": "x", "settings": settings}, tenant="brand-a"
    )
    assert status == 422, answer
    named = [problem["field"] for problem in answer["error"].get("fields", [])]
    assert any(name.startswith(field.split("[")[0].split(".")[0]) for name in named), named
    assert any(field.split(".")[-1].split("[")[0] in name for name in named), named


def test_a_policy_with_a_bad_matcher_or_an_unknown_channel_gets_a_422_naming_it(api: tuple[Api, str]) -> None:
    client, key = api
    bad_regex = {"route": {"routes": [{"matchers": [{"label": "rule", "op": "=~", "value": "("}]}]}}
    status, answer, _ = client.call("PUT", f"{BASE}/notification-policy", key, body=bad_regex, tenant="brand-a")
    assert status == 422
    assert "route.routes[0].matchers[0]" in json.dumps(answer)
    unknown = {"route": {"receivers": ["ch-000000000000"]}}
    status, answer, _ = client.call("PUT", f"{BASE}/notification-policy", key, body=unknown, tenant="brand-a")
    assert status == 422
    assert answer["error"]["fields"][0]["field"] == "route"
    assert "ch-000000000000" in answer["error"]["message"]
    undefined = {"route": {"mute_time_intervals": ["weekend"]}}
    status, answer, _ = client.call("PUT", f"{BASE}/notification-policy", key, body=undefined, tenant="brand-a")
    assert status == 422
    assert "weekend" in json.dumps(answer)


def test_the_default_policy_works_with_no_configuration(api: tuple[Api, str]) -> None:
    client, key = api
    status, policy, _ = client.call("GET", f"{BASE}/notification-policy", key, tenant="brand-a")
    assert status == 200
    assert policy["route"]["group_by"] == ["tenant", "story"]
    assert policy["route"]["group_wait_seconds"] == 30
    assert policy["route"]["group_interval_seconds"] == 300
    assert policy["route"]["repeat_interval_seconds"] == 4 * 3600
    assert "continue" in policy["route"]  # written as it is read back in a PUT


def test_another_tenants_key_sees_nothing_and_changes_nothing(aws: AwsStack, api: tuple[Api, str]) -> None:
    client, key = api
    _, other_key = aws.new_tenant("brand-b")
    body = {"name": "ops", "settings": {"type": "webhook", "url": "https://93.184.216.34/hook"}}
    status, created, _ = client.call("POST", f"{BASE}/channels", key, body=body, tenant="brand-a")
    assert status == 201
    status, _, _ = client.call("GET", f"{BASE}/channels", other_key, tenant="brand-a")
    assert status == 403
    status, listed, _ = client.call("GET", f"{BASE}/channels", other_key, tenant="brand-b")
    assert listed["items"] == []
    channel_id = created["channel"]["channel_id"]
    status, _, _ = client.call(
        "DELETE", f"{BASE}/channels/{{channel_id}}", other_key, tenant="brand-b", channel_id=channel_id
    )
    assert status == 404


def test_silences_are_created_listed_and_ended(api: tuple[Api, str]) -> None:
    client, key = api
    body = {"matchers": [{"label": "rule", "op": "=", "value": "high_reach"}], "comment": "PR"}
    status, silence, _ = client.call("POST", f"{BASE}/silences", key, body=body, tenant="brand-a")
    assert status == 201, silence
    status, ended, _ = client.call(
        "DELETE", f"{BASE}/silences/{{silence_id}}", key, tenant="brand-a", silence_id=silence["silence_id"]
    )
    assert status == 200
    assert ended["expired_at"] is not None
    too_long = body | {"ends_at": (datetime.now(UTC) + timedelta(days=120)).isoformat()}
    status, answer, _ = client.call("POST", f"{BASE}/silences", key, body=too_long, tenant="brand-a")
    assert status == 422
    assert answer["error"]["fields"][0]["field"] == "ends_at"


def _store_alert(aws: AwsStack) -> str:
    from sigap.detection.store import AlertsTable

    alert = make_alert(fired_at=datetime.now(UTC).replace(second=0, microsecond=0))
    AlertsTable(aws.table("AlertsTable")).save(alert, 0, None)
    return alert.alert_id


def test_an_alert_is_acknowledged_through_the_api(aws: AwsStack, api: tuple[Api, str]) -> None:
    client, key = api
    alert_id = _store_alert(aws)
    route = f"{BASE}/alerts/{{alert_id}}/acknowledgement"
    status, ack, _ = client.call("POST", route, key, body={}, tenant="brand-a", alert_id=alert_id)
    assert status == 200, ack
    assert ack["by"] == "key:root"  # who acted, from the key the request carried
    status, _missing, _ = client.call(
        "POST", route, key, body={}, tenant="brand-a", alert_id="20260101T0000-" + "0" * 20
    )
    assert status == 404


def test_the_signed_link_asks_to_confirm_then_acknowledges(aws: AwsStack, api: tuple[Api, str]) -> None:
    client, _ = api
    alert_id = _store_alert(aws)
    token = make_token(_link_key(), "brand-a", alert_id, datetime.now(UTC) + timedelta(days=1), action="ack")
    # A GET (what a mail scanner's prefetch does) only shows the confirmation
    status, page, headers = client.call("GET", "/v1/ack/{token}", None, token=token)
    assert status == 200
    assert '<form method="post">' in page
    assert headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]  # a one-click page cannot be framed
    from sigap.notify.store import NotificationsTable

    table = NotificationsTable(aws.table("NotificationsTable"))
    assert table.acknowledgement("brand-a", "story:s-0123456789ab") is None
    # The button's POST acknowledges
    status, page, _ = client.call("POST", "/v1/ack/{token}", None, token=token)
    assert status == 200
    assert "Acknowledged" in page
    ack = table.acknowledgement("brand-a", "story:s-0123456789ab")
    assert ack is not None
    assert ack.via == "link"
    # and reading the alert shows who acknowledged it, when and how (it said only 'firing' before)
    from sigap.detection.domain.reading import get_alert
    from sigap.detection.store import AlertsTable
    from sigap.tenants.store import TenantStore

    tenant = TenantStore(aws.table("TenantsTable")).get("brand-a")
    assert tenant is not None
    read = get_alert(AlertsTable(aws.table("AlertsTable")), tenant, alert_id)
    assert read.acknowledgement is not None
    assert (read.acknowledgement.via, read.acknowledgement.at) == ("link", ack.at)


def _tampered(token: str) -> str:
    """The token with one character of its signed part changed (and still URL-safe)."""
    at = 5
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]


@pytest.mark.parametrize("damage", ["tampered", "forged", "expired", "garbage", "other-action"])
def test_a_bad_link_gets_a_clear_page_not_a_500(aws: AwsStack, api: tuple[Api, str], damage: str) -> None:
    client, _ = api
    alert_id = _store_alert(aws)
    later = datetime.now(UTC) + timedelta(days=1)
    token = {
        "tampered": _tampered(make_token(_link_key(), "brand-a", alert_id, later, action="ack")),
        "forged": make_token(b"someone else's key", "brand-a", alert_id, later, action="ack"),
        "expired": make_token(_link_key(), "brand-a", alert_id, datetime.now(UTC) - timedelta(minutes=1), action="ack"),
        "garbage": "not-a-token-at-all",
        "other-action": make_token(_link_key(), "brand-a", alert_id, later, action="delete"),
    }[damage]
    for method in ("GET", "POST"):
        status, page, _ = client.call(method, "/v1/ack/{token}", None, token=token)
        assert 400 <= status < 500, (damage, status)
        assert "This link cannot be used" in page


def test_incidents_are_opened_by_hand_moved_through_their_states_and_annotated(api: tuple[Api, str]) -> None:
    client, key = api
    body = {"title": "Hoax: Teh Segar is poisonous", "story_id": "s-0123456789ab"}
    status, opened, _ = client.call("POST", f"{BASE}/incidents", key, body=body, tenant="brand-a")
    assert status == 201, opened
    incident_id = opened["incident"]["incident_id"]
    status, _again, _ = client.call("POST", f"{BASE}/incidents", key, body=body, tenant="brand-a")
    assert status == 409
    route = f"{BASE}/incidents/{{incident_id}}"
    for state in ("identified", "monitoring", "resolved"):
        status, moved, _ = client.call(
            "PATCH", route, key, body={"state": state}, tenant="brand-a", incident_id=incident_id
        )
        assert status == 200, moved
    status, noted, _ = client.call(
        "POST",
        f"{route}/notes",
        key,
        body={"text": "Lab results published"},
        tenant="brand-a",
        incident_id=incident_id,
    )
    assert status == 201
    kinds = [entry["kind"] for entry in noted["timeline"]]
    assert kinds[0] == "opened"
    assert kinds.count("state_changed") == 2
    assert "resolved" in kinds
    assert kinds[-1] == "note"
    assert noted["incident"]["time_to_resolve_seconds"] is not None
    status, page, _ = client.call("GET", f"{BASE}/incidents", key, tenant="brand-a")
    assert [item["incident_id"] for item in page["items"]] == [incident_id]


def test_a_test_notification_is_queued_and_appears_in_the_history(aws: AwsStack, api: tuple[Api, str]) -> None:
    client, key = api
    body = {"name": "ops", "settings": {"type": "webhook", "url": "https://93.184.216.34/hook"}}
    _, created, _ = client.call("POST", f"{BASE}/channels", key, body=body, tenant="brand-a")
    channel_id = created["channel"]["channel_id"]
    status, queued, _ = client.call(
        "POST", f"{BASE}/channels/{{channel_id}}/test", key, tenant="brand-a", channel_id=channel_id
    )
    assert status == 202, queued
    (task,) = [json.loads(body) for body in aws.queued_bodies("DeliveryQueue")]
    assert task["channel_id"] == channel_id
    status, history, _ = client.call("GET", f"{BASE}/notifications", key, tenant="brand-a")
    assert [row["kind"] for row in history["items"]] == ["test"]
    status, one, _ = client.call(
        "GET",
        f"{BASE}/notifications/{{notification_id}}",
        key,
        tenant="brand-a",
        notification_id=queued["notification_id"],
    )
    assert status == 200
    assert one["notification"]["receivers"] == [channel_id]


def test_the_notifier_function_dead_letters_a_poison_message_with_its_reason(
    aws: AwsStack, lambda_context: Any
) -> None:
    aws.new_tenant("brand-a")
    aws.use_function_environment("NotifierFunction")
    notifier = load_handler("notifier")
    good = transition(make_alert(fired_at=datetime.now(UTC).replace(second=0, microsecond=0)))
    event = sqs_event([good.model_dump_json(), '{"not": "a transition"}', "not json"])
    result = notifier.lambda_handler(event, lambda_context)
    assert result == {"batchItemFailures": []}
    sqs = boto3.client("sqs")
    dead = sqs.receive_message(
        QueueUrl=aws.queue_url("AlertEventsDeadLetterQueue"), MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    assert len(dead) == 2
    assert all("not an alert transition" in m["MessageAttributes"]["reason"]["StringValue"] for m in dead)
    timers = aws.queued_bodies("TimerQueue")
    assert timers == []  # delayed 30 s: not visible yet
    AlertTransition.model_validate_json(good.model_dump_json())


def test_a_tenants_channel_tests_are_limited_and_a_strangers_refused_calls_use_none_of_them(
    aws: AwsStack, api: tuple[Api, str], one_rate_window: None
) -> None:
    client, key = api
    _, stranger = aws.new_tenant("brand-b")
    body = {"name": "ops", "settings": {"type": "webhook", "url": "https://93.184.216.34/hook"}}
    channel_id = client.call("POST", f"{BASE}/channels", key, body=body, tenant="brand-a")[1]["channel"]["channel_id"]
    test = f"{BASE}/channels/{{channel_id}}/test"
    # A stranger's refused attempts first: they must not spend the tenant's allowance
    assert {client.call("POST", test, stranger, tenant="brand-a", channel_id=channel_id)[0] for _ in range(12)} == {403}
    statuses = [client.call("POST", test, key, tenant="brand-a", channel_id=channel_id)[0] for _ in range(11)]
    assert statuses == [202] * 10 + [429]
    status, problem, headers = client.call("POST", test, key, tenant="brand-a", channel_id=channel_id)
    assert (status, problem["error"]["code"]) == (429, "rate_limited")
    assert 1 <= int(headers["Retry-After"]) <= 600
