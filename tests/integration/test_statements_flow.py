"""A statement from draft to published on every channel, through the API and the publisher under moto: the
tone check, a second approver, staff first, the status site in S3, an SNS channel, a double-opt-in subscriber
with a one-click unsubscribe, each channel's delivery status, nothing sent twice when every step runs again,
and the post-crisis report as HTML and PDF."""

from __future__ import annotations

import base64
import email
import json
import re
from email.message import Message
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from sigap.kernel.identity import Role
from sigap.kernel.models import utc_now
from sigap.notify.store import NotificationsTable
from tests.conftest import http_event, load_handler, sqs_event
from tests.integration.conftest import AwsStack
from tests.unit.publishing_fakes import VARIABLES, incident

TENANT = "teh-segar"
INCIDENT = "inc-20261202T0700-0a1b2c3d"
BASE = "/v1/tenants/{tenant}"


class Http:
    def __init__(self, aws: AwsStack, context: Any, function: str, folder: str) -> None:
        aws.use_function_environment(function)
        self.handler = load_handler(folder)
        self.context = context

    def call(
        self,
        method: str,
        route: str,
        key: str | None = None,
        *,
        body: Any = None,
        raw: str | None = None,
        headers: dict[str, str | None] | None = None,
        query: dict[str, str] | None = None,
        **params: str,
    ) -> tuple[int, Any, dict[str, str]]:
        path = route
        for name, value in params.items():
            path = path.replace("{" + name + "}", value)
        sent: dict[str, str | None] = {"content-type": "application/json"} | (headers or {})
        if key:
            sent["authorization"] = f"Bearer {key}"
        event = http_event(method, path, route_path=route, body=body, raw_body=raw, headers=sent, query=query)
        result = self.handler.lambda_handler(event, self.context)
        content_type = result["headers"].get("Content-Type", "")
        text = result["body"]
        if result.get("isBase64Encoded"):
            return result["statusCode"], base64.b64decode(text), result["headers"]
        return result["statusCode"], json.loads(text) if "json" in content_type else text, result["headers"]


def _raw_emails() -> list[Message]:
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [email.message_from_string(m.raw_data) for m in backend.sent_messages if hasattr(m, "raw_data")]


def _sns_messages() -> list[str]:
    backend = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [message for topic in backend.topics.values() for message in getattr(topic, "sent_notifications", [])]


def _drain(aws: AwsStack, context: Any, seen: list[str]) -> int:
    """Runs the publisher on everything queued until nothing is left; returns how many records it handled."""
    aws.use_function_environment("PublisherFunction")
    publisher = load_handler("publisher")
    handled = 0
    for _ in range(30):
        bodies = aws.queued_bodies("PublicationQueue")
        if not bodies:
            return handled
        seen.extend(bodies)
        for start in range(0, len(bodies), 5):
            result = publisher.lambda_handler(sqs_event(bodies[start : start + 5]), context)
            assert result == {"batchItemFailures": []}
            handled += len(bodies[start : start + 5])
    raise AssertionError("the publication queue never emptied")


def _text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    return ""


@pytest.fixture
def world(aws: AwsStack, lambda_context: Any) -> dict[str, Any]:
    _, key = aws.new_tenant(TENANT)
    now = utc_now()
    opened = incident(opened_at=now, first_mention_at=now, detected_at=now)
    NotificationsTable(aws.table("NotificationsTable")).save_incident(opened, 0, [])
    topic = boto3.client("sns").create_topic(Name=f"sigap_{TENANT}_ops")["TopicArn"]
    notifications = Http(aws, lambda_context, "NotificationsFunction", "notifications")
    status, created, _ = notifications.call(
        "POST",
        f"{BASE}/channels",
        key,
        body={"name": "ops sns", "settings": {"type": "sns", "topic_arn": topic}},
        tenant=TENANT,
    )
    assert status == 201, created
    people = {
        name: aws.new_person(TENANT, f"{name}@teh-segar.example", role)
        for name, role in (("rina", Role.RESPONDER), ("budi", Role.APPROVER), ("sari", Role.APPROVER))
    }
    api = Http(aws, lambda_context, "StatementsFunction", "statements")
    return {"key": key, "api": api, "channel_id": created["channel"]["channel_id"]} | people


def _subscribe_and_confirm(aws: AwsStack, context: Any, api: Http, address: str) -> None:
    status, answer, _ = api.call(
        "POST", "/v1/status/{tenant}/subscribe", body={"email": address, "language": "en"}, tenant=TENANT
    )
    assert (status, answer) == (202, {"status": "check your inbox"})
    _drain(aws, context, [])  # the publisher writes the subscriber and sends the confirmation
    aws.use_function_environment("StatementsFunction")
    confirmation = _raw_emails()[-1]
    link = re.search(r"/v1/status/teh-segar/confirm/(\S+)", _text_of(confirmation))
    assert link, _text_of(confirmation)
    status, page, headers = api.call(
        "POST", "/v1/status/{tenant}/confirm/{token}", tenant=TENANT, token=link.group(1), raw=""
    )
    assert status == 200, page
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]  # a confirmation cannot be clickjacked
    assert "Subscribed" in page


def test_a_statement_goes_from_template_to_every_channel_once_with_approval_and_audit(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    api, key = world["api"], world["key"]
    # Given publishing settings: two approvers, staff told first, an SNS channel, and a confirmed subscriber
    settings = {
        "approvers": ["budi@teh-segar.example", "sari@teh-segar.example"],
        "staff_emails": ["staff@teh-segar.example"],
        "channel_ids": [world["channel_id"]],
        "contact": "0800-1-234567",
    }
    assert api.call("PUT", f"{BASE}/publishing", key, body=settings, tenant=TENANT)[0] == 200
    _subscribe_and_confirm(aws, lambda_context, api, "Reader@Example.org")
    # When Rina drafts from the built-in template, submits, and Budi approves and publishes
    status, draft, _ = api.call(
        "POST",
        f"{BASE}/statements",
        key,
        body={"incident_id": INCIDENT, "template": "crisis", "variables": VARIABLES},
        tenant=TENANT,
    )
    assert status == 201, draft
    statement_id = draft["statement"]["statement_id"]
    assert draft["statement"]["findings"] == []
    route = f"{BASE}/statements/{{statement_id}}"
    rina, budi = world["rina"], world["budi"]
    assert api.call("POST", route + "/submit", rina, body={}, tenant=TENANT, statement_id=statement_id)[0] == 200
    status, refused, _ = api.call("POST", route + "/reviews", rina, body={}, tenant=TENANT, statement_id=statement_id)
    assert status == 403
    assert refused["error"]["code"] == "missing_permission"  # a responder's role does not approve
    assert api.call("POST", route + "/reviews", budi, body={}, tenant=TENANT, statement_id=statement_id)[0] == 200
    status, published, _ = api.call("POST", route + "/publish", budi, body={}, tenant=TENANT, statement_id=statement_id)
    assert status == 202, published
    assert published["statement"]["state"] == "published"
    before = len(_raw_emails())
    tasks: list[str] = []
    _drain(aws, lambda_context, tasks)
    # Then staff first, then the site, the channel and the subscriber, each once
    sent = _raw_emails()[before:]
    assert [m["To"] for m in sent] == ["staff@teh-segar.example", "reader@example.org"]
    assert "INTERNAL" in str(sent[0]["Subject"])
    assert sent[1]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(_sns_messages()) == 1
    s3 = boto3.client("s3")
    bucket = aws.provisioned.buckets["StatusSiteBucket"]
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert {f"{TENANT}/index.html", f"{TENANT}/en/index.html", f"{TENANT}/feed.atom", f"{TENANT}/status.json"} <= keys
    page = s3.get_object(Bucket=bucket, Key=f"{TENANT}/index.html")["Body"].read()
    assert len(page) < 50_000
    assert "Teh Segar: hasil uji menunjukkan produk aman" in page.decode()
    assert "14 people raised" not in page.decode(), "the incident's internal title never goes public"
    # And the API shows each channel's delivery and the whole audit
    status, shown, _ = api.call("GET", route, key, tenant=TENANT, statement_id=statement_id)
    deliveries = {d["target"]: d for d in shown["deliveries"]["1"]}
    assert deliveries["staff"]["state"] == "sent"
    assert deliveries["status_page"]["state"] == "sent"
    assert deliveries[f"channel:{world['channel_id']}"]["sent"] == 1
    assert deliveries["subscribers"]["sent"] == 1
    assert [e["action"] for e in shown["audit"]] == ["created", "submitted", "approved", "published"]
    # When every publication step runs again (a retried batch)
    aws.use_function_environment("PublisherFunction")
    publisher = load_handler("publisher")
    for start in range(0, len(tasks), 5):
        publisher.lambda_handler(sqs_event(tasks[start : start + 5]), lambda_context)
    _drain(aws, lambda_context, [])
    # Then nothing more is sent and nothing is counted twice
    assert len(_raw_emails()) == before + 2
    assert len(_sns_messages()) == 1
    aws.use_function_environment("StatementsFunction")
    _, again, _ = api.call("GET", route, key, tenant=TENANT, statement_id=statement_id)
    assert {d["target"]: d["sent"] for d in again["deliveries"]["1"]}["subscribers"] == 1
    # And the subscriber's one-click unsubscribe works (RFC 8058)
    token = re.search(r"/unsubscribe/([^>\s]+)", str(sent[1]["List-Unsubscribe"]))
    assert token
    status, _, _ = api.call(
        "POST",
        "/v1/status/{tenant}/unsubscribe/{token}",
        raw="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
        tenant=TENANT,
        token=token.group(1),
    )
    assert status == 200, (_, sent[1]["List-Unsubscribe"])
    _, subscribers, _ = api.call("GET", f"{BASE}/subscribers", key, tenant=TENANT)
    assert subscribers["counts"] == {"pending": 0, "confirmed": 0, "unsubscribed": 1}


def test_the_report_renders_as_html_and_pdf_and_the_public_json_shows_only_published_text(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    api, key = world["api"], world["key"]
    api.call("PUT", f"{BASE}/publishing", key, body={"approvers": [], "staff_emails": []}, tenant=TENANT)
    _, draft, _ = api.call(
        "POST",
        f"{BASE}/statements",
        key,
        body={"incident_id": INCIDENT, "template": "crisis", "variables": VARIABLES},
        tenant=TENANT,
    )
    statement_id = draft["statement"]["statement_id"]
    route = f"{BASE}/statements/{{statement_id}}"
    api.call("POST", route + "/submit", world["rina"], body={}, tenant=TENANT, statement_id=statement_id)
    status, _, _ = api.call("GET", "/v1/status/{tenant}", tenant=TENANT)
    _, public, _ = api.call("GET", "/v1/status/{tenant}", tenant=TENANT)
    assert status == 200
    assert public["incidents"] == [], "a statement in review is not public"
    api.call("POST", route + "/reviews", world["budi"], body={}, tenant=TENANT, statement_id=statement_id)
    api.call("POST", route + "/publish", world["budi"], body={}, tenant=TENANT, statement_id=statement_id)
    _drain(aws, lambda_context, [])
    aws.use_function_environment("StatementsFunction")
    _, public, _ = api.call("GET", "/v1/status/{tenant}", tenant=TENANT)
    assert [u["texts"]["en"]["title"] for u in public["incidents"][0]["updates"]] == [
        "Teh Segar: tests show the product is safe"
    ]
    lessons = {"text": "## Next time\n\nPublish the lab results **with the first statement**."}
    notifications = Http(aws, lambda_context, "NotificationsFunction", "notifications")
    renamed = {"title": "Hoax: Teh Segar bottled tea poisonous"}
    status, _, _ = notifications.call(
        "PATCH", f"{BASE}/incidents/{{incident_id}}", world["rina"], body=renamed, tenant=TENANT, incident_id=INCIDENT
    )
    assert status == 200
    aws.use_function_environment("StatementsFunction")
    assert (
        api.call(
            "PUT",
            f"{BASE}/incidents/{{incident_id}}/report/lessons",
            key,
            body=lessons,
            tenant=TENANT,
            incident_id=INCIDENT,
        )[0]
        == 200
    )
    status, html_page, headers = api.call(
        "GET", f"{BASE}/incidents/{{incident_id}}/report", key, tenant=TENANT, incident_id=INCIDENT
    )
    assert status == 200
    # The report is served like every HTML page: no script, no framing, no sniffing
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    # A board's report: the incident's own name, the brand's time zone, the statement's words, lessons as prose
    assert "<h1>Post-crisis report: Hoax: Teh Segar bottled tea poisonous</h1>" in html_page
    assert "14 people raised" not in html_page
    assert " WIB" in html_page
    assert VARIABLES["facts_id"] in html_page
    assert "<strong>with the first statement</strong>" in html_page
    assert html_page.count("data:image/png;base64,") == 1  # volume and sentiment on one time axis
    status, pdf, headers = api.call(
        "GET",
        f"{BASE}/incidents/{{incident_id}}/report",
        key,
        query={"format": "pdf"},
        tenant=TENANT,
        incident_id=INCIDENT,
    )
    assert status == 200
    assert headers["Content-Type"] == "application/pdf"
    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"incident_id": INCIDENT, "template": "crisis", "variables": {}}, 422, "variables"),
        ({"incident_id": INCIDENT, "template": "nope"}, 404, None),
        ({"incident_id": "inc-20261202T0700-ffffffff", "template": "crisis"}, 404, None),
        ({"incident_id": INCIDENT}, 422, None),
        (
            {"incident_id": INCIDENT, "content": {"first": "en", "id": {"title": "t", "body": "b"}}},
            422,
            None,
        ),
    ],
)
def test_a_bad_statement_request_gets_a_4xx_that_names_the_problem(
    world: dict[str, Any], body: dict[str, Any], status: int, field: str | None
) -> None:
    got, answer, _ = world["api"].call("POST", f"{BASE}/statements", world["key"], body=body, tenant=TENANT)
    assert got == status, answer
    if field:
        assert field in json.dumps(answer["error"])


def test_subscribing_answers_the_same_for_a_new_a_pending_and_a_confirmed_address(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    api = world["api"]
    _subscribe_and_confirm(aws, lambda_context, api, "known@example.org")
    mailed = len(_raw_emails())
    answers = [
        api.call("POST", "/v1/status/{tenant}/subscribe", body={"email": address}, tenant=TENANT)[:2]
        for address in ("known@example.org", "new@example.org", "new@example.org")
    ]
    assert answers == [(202, {"status": "check your inbox"})] * 3
    # The request does the same for every address, so its time tells nothing (a known address answered in 96 ms,
    # an unknown one in 124 ms, when the write and the e-mail were done while it waited): it only queues.
    assert len(_raw_emails()) == mailed
    queued = aws.queued_bodies("PublicationQueue")
    assert [json.loads(body)["request"]["email"] for body in queued] == [
        "known@example.org",
        "new@example.org",
        "new@example.org",
    ]
    for body in queued:  # put back for the publisher
        boto3.client("sqs").send_message(QueueUrl=aws.queue_url("PublicationQueue"), MessageBody=body)
    _drain(aws, lambda_context, [])
    aws.use_function_environment("StatementsFunction")
    assert [str(message["To"]) for message in _raw_emails()[mailed:]] == ["new@example.org"]  # once, to the new one
    assert api.call("POST", "/v1/status/{tenant}/subscribe", body={"email": "x@example.org"}, tenant="nobody")[0] == 404
    status, problem, _ = api.call(
        "POST", "/v1/status/{tenant}/subscribe", body={"email": "not-an-address"}, tenant=TENANT
    )
    assert status == 422
    assert "email" in json.dumps(problem)


@pytest.mark.parametrize(
    "body",
    [
        "{% for i in range(100000000) %}x{% endfor %}",
        "{% include '/etc/passwd' %}",
        "{{ 'x' * 100000000 }}",
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
    ],
)
def test_a_template_that_would_tie_up_the_function_is_refused_when_saved_with_a_422(
    world: dict[str, Any], body: str
) -> None:
    template = {"en": {"title": "Update", "body": body}}
    got, answer, _ = world["api"].call(
        "PUT", f"{BASE}/statement-templates/{{name}}", world["key"], body=template, tenant=TENANT, name="probe"
    )
    assert got == 422, answer
    assert "en.body" in json.dumps(answer)
    listed, templates, _ = world["api"].call("GET", f"{BASE}/statement-templates", world["key"], tenant=TENANT)
    assert listed == 200
    assert all(item["name"] != "probe" for item in templates["items"])


def _from(event_address: str, method: str, route: str, body: Any, **params: str) -> dict[str, Any]:
    path = route
    for name, value in params.items():
        path = path.replace("{" + name + "}", value)
    event = http_event(method, path, route_path=route, body=body)
    event["requestContext"]["http"]["sourceIp"] = event_address
    return event


def test_one_address_cannot_flood_strangers_inboxes_or_read_links_without_end(
    world: dict[str, Any], lambda_context: Any, one_rate_window: None
) -> None:
    handler = world["api"].handler
    subscribe = "/v1/status/{tenant}/subscribe"
    # Given one address subscribing strangers, as the probe did (60 in 12 s, 60 e-mails sent)
    answers = [
        handler.lambda_handler(
            _from("203.0.113.7", "POST", subscribe, {"email": f"stranger{n}@example.org"}, tenant=TENANT),
            lambda_context,
        )
        for n in range(13)
    ]
    # Then the first ten are taken and the rest are told when to come back
    assert [answer["statusCode"] for answer in answers] == [202] * 10 + [429] * 3
    assert 1 <= int(answers[-1]["headers"]["Retry-After"]) <= 60
    assert json.loads(answers[-1]["body"])["error"]["code"] == "rate_limited"
    # while another address is not held back by it
    other = handler.lambda_handler(
        _from("198.51.100.9", "POST", subscribe, {"email": "reader@example.org"}, tenant=TENANT), lambda_context
    )
    assert other["statusCode"] == 202
    # And forged confirmation links from one address stop at 30 a minute
    link = "/v1/status/{tenant}/confirm/{token}"
    statuses = [
        handler.lambda_handler(
            _from("203.0.113.8", "GET", link, None, tenant=TENANT, token=f"forged-token-{n:04d}"), lambda_context
        )["statusCode"]
        for n in range(32)
    ]
    assert statuses[:30] == [200] * 30  # the page asks to confirm: a GET changes nothing
    assert statuses[30:] == [429, 429]
