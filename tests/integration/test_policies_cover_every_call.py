"""Moto enforces no IAM, so a function that calls what its policy does not grant passes every test and fails on
AWS. Here the notifier, delivery and notifications functions run a whole alert's life under moto (channels,
policy, an alert event, its flush, its deliveries, an escalation timer, acknowledgement, incidents, silences,
history) while every AWS call each makes is recorded; each call must be granted by that function's policies in
template.yaml, on the resource it touched."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from sigap.detection.store import AlertsTable
from sigap.notify.domain.models import Timer, TimerKind
from sigap_tools.local.template import Template
from tests.conftest import http_event, load_handler, sqs_event
from tests.integration.conftest import PASSWORD, AwsStack
from tests.integration.notify_harness import make_alert, transition

_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_SQS_SEND = {"SendMessage", "SendMessageBatch"}
# The user pool's sign-in calls are public (a browser's own app could make them): IAM does not authorise them.
_PUBLIC_SIGN_IN_CALLS = {"InitiateAuth", "RespondToAuthChallenge"}


class Recorder:
    def __init__(self) -> None:
        self.function = ""
        self.calls: list[tuple[str, str, str, dict[str, Any]]] = []

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((self.function, model.service_model.service_name, model.name, dict(params)))


@pytest.fixture
def recorder(aws: AwsStack) -> Iterator[Recorder]:
    recording = Recorder()
    boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("before-parameter-build", recording)
    aws.use_function_environment("NotifierFunction")  # clears the cached clients: new ones carry the hook
    yield recording
    boto3.DEFAULT_SESSION.events.unregister("before-parameter-build", recording)


def _logical_ids(value: Any) -> set[str]:
    text = json.dumps(value)
    return (
        set(re.findall(r'"Fn::GetAtt": \["(\w+)"', text))
        | set(re.findall(r'"Ref": "(\w+)"', text))
        | set(re.findall(r"\$\{(\w+)\.Arn\}", text))
    )


def _grants(template: Template, function: str) -> list[tuple[set[str], set[str], str]]:
    """(actions, logical ids, resource text) of every statement of the function, SAM policy templates included."""
    grants = []
    for policy in template.resources("AWS::Serverless::Function")[function].get("Policies", []):
        if "SQSSendMessagePolicy" in policy:
            grants.append(({"sqs:SendMessage", "sqs:SendMessageBatch"}, _logical_ids(policy), ""))
        for statement in policy.get("Statement", []):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            grants.append((set(actions), _logical_ids(statement["Resource"]), json.dumps(statement["Resource"])))
    return grants


def _needed(aws: AwsStack, service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """(IAM action, logical id or '' when the resource is named another way) a call needs."""
    tables = {name: logical for logical, name in aws.provisioned.tables.items()}
    queues = {queue["url"]: logical for logical, queue in aws.provisioned.queues.items()}
    if service == "cognito-idp" and operation in _PUBLIC_SIGN_IN_CALLS:
        return []
    if service == "dynamodb" and operation == "TransactWriteItems":
        return [
            (f"dynamodb:{_TRANSACT_ACTIONS[kind]}", tables[body["TableName"]])
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    if service == "dynamodb" and "RequestItems" in params:  # BatchGetItem, BatchWriteItem
        return [(f"dynamodb:{operation}", tables[name]) for name in params["RequestItems"]]
    if service == "dynamodb" and "IndexName" in params:  # an index is a resource of its own: table/<t>/index/<i>
        return [(f"dynamodb:{operation}", f"{tables[params['TableName']]}/index/{params['IndexName']}")]
    if service == "dynamodb":
        return [(f"dynamodb:{operation}", tables[params["TableName"]])]
    if service == "sqs":
        return [(f"sqs:{operation}", queues[params["QueueUrl"]])]
    if service == "s3":
        bucket = {name: logical for logical, name in aws.provisioned.buckets.items()}[params["Bucket"]]
        # IAM has no HeadObject action: s3:GetObject allows reading an object's metadata.
        return [(f"s3:{'GetObject' if operation == 'HeadObject' else operation}", bucket)]
    if service == "secretsmanager":
        secret = {name: logical for logical, name in aws.provisioned.secrets.items()}[params["SecretId"]]
        return [(f"secretsmanager:{operation}", secret)]
    return [(f"{service}:{operation}", "")]


def _granted(grants: list[tuple[set[str], set[str], str]], action: str, logical_id: str, service: str) -> bool:
    table, _, index = logical_id.partition("/index/")
    for actions, resources, text in grants:
        if action not in actions:
            continue
        if index and table in resources and re.search(rf"/index/(\*|{index})\b", text):
            return True
        if logical_id and not index and logical_id in resources:
            return True
        if not logical_id and (service != "ssm" or "parameter/sigap/${BrandName}/*" in text):
            return True
    return False


def _http(
    aws: AwsStack, handler: Any, context: Any, method: str, route: str, key: str, body: Any = None, **ids: str
) -> Any:
    path = route
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    event = http_event(method, path, route_path=route, body=body, headers={"authorization": f"Bearer {key}"})
    result = handler.lambda_handler(event, context)
    assert result["statusCode"] < 400, result["body"]
    return json.loads(result["body"])


def _drain(aws: AwsStack, recorder: Recorder, logical_id: str) -> list[str]:
    """The queue's messages, as Lambda's event source mapping receives them (not the function's own calls)."""
    function, recorder.function = recorder.function, ""
    try:
        return aws.queued_bodies(logical_id)
    finally:
        recorder.function = function


def test_every_aws_call_of_the_alerting_functions_is_granted_by_their_policies(
    aws: AwsStack, recorder: Recorder, lambda_context: Any
) -> None:
    _, key = aws.new_tenant("brand-a")
    base = "/v1/tenants/{tenant}"
    # The notifications API: channels, policy, a test, silences, incidents
    aws.use_function_environment("NotificationsFunction")
    recorder.function = "NotificationsFunction"
    api = load_handler("notifications")
    call = lambda method, route, body=None, **ids: _http(  # noqa: E731
        aws, api, lambda_context, method, route, key, body, tenant="brand-a", **ids
    )
    email = call("POST", f"{base}/channels", {"name": "mail", "settings": {"type": "email", "to": ["r@b.test"]}})
    recorder.function = ""  # the tenant's own topic, made by the test
    topic = boto3.client("sns").create_topic(Name="sigap_brand-a_pager")["TopicArn"]
    recorder.function = "NotificationsFunction"
    sns = call("POST", f"{base}/channels", {"name": "pager", "settings": {"type": "sns", "topic_arn": topic}})
    hook = call(
        "POST", f"{base}/channels", {"name": "h", "settings": {"type": "webhook", "url": "https://93.184.216.34/x"}}
    )
    hook_id = hook["channel"]["channel_id"]
    call("POST", f"{base}/channels/{{channel_id}}/rotate-secret", channel_id=hook_id)
    receivers = [email["channel"]["channel_id"], sns["channel"]["channel_id"]]
    call(
        "PUT",
        f"{base}/notification-policy",
        {
            "route": {"receivers": receivers, "group_wait_seconds": 0, "escalation_policy": "duty"},
            "escalation_policies": {"duty": {"steps": [{"after_minutes": 1, "receivers": receivers}]}},
        },
    )
    call("POST", f"{base}/channels/{{channel_id}}/test", channel_id=receivers[0])
    silence = call(
        "POST",
        f"{base}/silences",
        {"matchers": [{"label": "rule", "op": "=", "value": "high_reach"}]},
    )
    call("DELETE", f"{base}/silences/{{silence_id}}", silence_id=silence["silence_id"])
    # The notifier: an alert event, then its group's flush
    aws.use_function_environment("NotifierFunction")
    recorder.function = "NotifierFunction"
    notifier = load_handler("notifier")
    alert = make_alert(fired_at=datetime.now(UTC).replace(second=0, microsecond=0))
    recorder.function = ""  # what the test itself does (the evaluator's part) is not the notifier's
    AlertsTable(aws.table("AlertsTable")).save(alert, 0, None)
    recorder.function = "NotifierFunction"
    assert notifier.lambda_handler(sqs_event([transition(alert).model_dump_json()]), lambda_context) == {
        "batchItemFailures": []
    }
    timers = _drain(aws, recorder, "TimerQueue")
    assert timers
    assert notifier.lambda_handler(sqs_event(timers), lambda_context) == {"batchItemFailures": []}
    group_id = next(Timer.model_validate_json(body).key for body in timers if '"group"' in body)
    escalation = Timer(kind=TimerKind.ESCALATION, owner="brand-a", key=group_id, due_at=datetime.now(UTC))
    assert notifier.lambda_handler(sqs_event([escalation.model_dump_json()]), lambda_context) == {
        "batchItemFailures": []
    }
    # The delivery function: every queued delivery (SES, SNS)
    aws.use_function_environment("DeliveryFunction")
    recorder.function = "DeliveryFunction"
    delivery = load_handler("delivery")
    tasks = _drain(aws, recorder, "DeliveryQueue")
    assert len(tasks) >= 3
    assert delivery.lambda_handler(sqs_event(tasks), lambda_context) == {"batchItemFailures": []}
    # The API again: acknowledgement, history, incidents
    aws.use_function_environment("NotificationsFunction")
    recorder.function = "NotificationsFunction"
    api = load_handler("notifications")
    call("POST", f"{base}/alerts/{{alert_id}}/acknowledgement", {}, alert_id=alert.alert_id)
    history = call("GET", f"{base}/notifications")
    call("GET", f"{base}/notifications/{{notification_id}}", notification_id=history["items"][0]["notification_id"])
    incidents = call("GET", f"{base}/incidents")
    incident_id = incidents["items"][0]["incident_id"]
    call("PATCH", f"{base}/incidents/{{incident_id}}", {"state": "identified"}, incident_id=incident_id)
    call("POST", f"{base}/incidents/{{incident_id}}/notes", {"text": "n"}, incident_id=incident_id)
    call("DELETE", f"{base}/channels/{{channel_id}}", channel_id=hook_id)
    # Then every call was granted to the function that made it
    _check(
        aws,
        recorder,
        {
            ("DeliveryFunction", "ses:SendEmail"),
            ("DeliveryFunction", "sns:Publish"),
            ("NotifierFunction", "dynamodb:Query"),
            ("NotificationsFunction", "ssm:PutParameter"),
            ("NotifierFunction", "secretsmanager:GetSecretValue"),
        },
    )


def _daily_quota(aws: AwsStack, tenant_id: str) -> None:
    """A client with a daily mention quota: every door counts its mentions on the tenants table."""
    from sigap.kernel.models import Quotas
    from sigap.tenants.store import TenantStore

    TenantStore(aws.table("TenantsTable")).update(tenant_id, quotas=Quotas(mentions_per_day=1_000))


def _check(aws: AwsStack, recorder: Recorder, expected: set[tuple[str, str]]) -> None:
    missing, seen = set(), set()
    for function, service, operation, params in recorder.calls:
        if not function:
            continue
        for action, logical_id in _needed(aws, service, operation, params):
            seen.add((function, action))
            if not _granted(_grants(aws.template, function), action, logical_id, service):
                missing.add((function, action, logical_id))
    assert not missing, sorted(missing)
    assert expected <= seen, sorted(expected - seen)


def test_every_aws_call_of_the_ingest_scoring_and_detection_functions_is_granted(
    aws: AwsStack, recorder: Recorder, lambda_context: Any
) -> None:
    from tests.conftest import mention_payload

    _, key = aws.new_tenant("brand-a")
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    recorder.function = "IngestFunction"
    aws.use_function_environment("IngestFunction")
    mentions = [
        mention_payload(
            f"m{index}",
            text=f"Teh Segar beracun, anak saya keracunan setelah minum #{index}",
            created_at=(minute - timedelta(minutes=2)).isoformat(),
            author={"handle": f"@p{index}", "followers": 500},
        )
        for index in range(15)
    ]
    _http(
        aws,
        load_handler("ingest"),
        lambda_context,
        "POST",
        "/v1/tenants/{tenant}/mentions",
        key,
        mentions,
        tenant="brand-a",
    )
    queued = _drain(aws, recorder, "ScoringQueue")
    recorder.function = "ScoringFunction"
    aws.use_function_environment("ScoringFunction")
    assert load_handler("scoring").lambda_handler(sqs_event(queued), lambda_context) == {"batchItemFailures": []}
    recorder.function = "DetectorFunction"
    aws.use_function_environment("DetectorFunction")
    load_handler("detector").lambda_handler({"time": minute.isoformat()}, lambda_context)
    requests = _drain(aws, recorder, "EvaluationQueue")
    recorder.function = "EvaluatorFunction"
    aws.use_function_environment("EvaluatorFunction")
    assert load_handler("evaluator").lambda_handler(sqs_event(requests), lambda_context) == {"batchItemFailures": []}
    recorder.function = "QueryFunction"
    aws.use_function_environment("QueryFunction")
    query = load_handler("query")
    _http(aws, query, lambda_context, "GET", "/v1/tenants/{tenant}/mentions", key, tenant="brand-a")
    _http(aws, query, lambda_context, "GET", "/v1/tenants/{tenant}/summary", key, tenant="brand-a")
    _http(
        aws,
        query,
        lambda_context,
        "GET",
        "/v1/tenants/{tenant}/mentions/{mention_id}",
        key,
        tenant="brand-a",
        mention_id="m0",
    )
    recorder.function = "ScoreFunction"
    aws.use_function_environment("ScoreFunction")
    texts = {"texts": [{"text": mention["text"]} for mention in mentions[:3]], "store": True}
    _http(
        aws, load_handler("score"), lambda_context, "POST", "/v1/tenants/{tenant}/score", key, texts, tenant="brand-a"
    )
    recorder.function = "AlertsFunction"
    aws.use_function_environment("AlertsFunction")
    alerts = load_handler("alerts")
    page = _http(aws, alerts, lambda_context, "GET", "/v1/tenants/{tenant}/alerts", key, tenant="brand-a")
    if page["items"]:
        alert_id = page["items"][0]["alert_id"]
        route = "/v1/tenants/{tenant}/alerts/{alert_id}"
        _http(aws, alerts, lambda_context, "GET", route, key, tenant="brand-a", alert_id=alert_id)
    settings = _http(
        aws, alerts, lambda_context, "GET", "/v1/tenants/{tenant}/detection-settings", key, tenant="brand-a"
    )
    _http(
        aws, alerts, lambda_context, "PUT", "/v1/tenants/{tenant}/detection-settings", key, settings, tenant="brand-a"
    )
    _check(
        aws,
        recorder,
        {
            ("IngestFunction", "sqs:SendMessageBatch"),
            ("ScoringFunction", "dynamodb:PutItem"),
            ("DetectorFunction", "sqs:SendMessageBatch"),
            ("EvaluatorFunction", "dynamodb:Query"),
            ("QueryFunction", "dynamodb:Query"),
            ("ScoreFunction", "sqs:SendMessageBatch"),
            ("AlertsFunction", "dynamodb:PutItem"),
        },
    )


def test_every_aws_call_of_the_publishing_functions_is_granted(
    aws: AwsStack, recorder: Recorder, lambda_context: Any
) -> None:
    from tests.integration.test_statements_flow import INCIDENT, TENANT, Http, _raw_emails, world
    from tests.unit.publishing_fakes import VARIABLES

    setup = world.__wrapped__(aws, lambda_context)  # type: ignore[attr-defined]
    key, channel_id = setup["key"], setup["channel_id"]
    base = "/v1/tenants/{tenant}"
    recorder.function = "StatementsFunction"
    api = Http(aws, lambda_context, "StatementsFunction", "statements")
    settings = {
        "staff_emails": ["staff@x.example"],
        "channel_ids": [channel_id],
        "escalation_channel_ids": [channel_id],
    }
    assert api.call("PUT", f"{base}/publishing", key, body=settings, tenant=TENANT)[0] == 200
    assert api.call("POST", "/v1/status/{tenant}/subscribe", body={"email": "r@x.example"}, tenant=TENANT)[0] == 202
    # The publisher writes the subscriber and sends the confirmation, as its own policy must allow
    aws.use_function_environment("PublisherFunction")
    recorder.function = "PublisherFunction"
    publisher = load_handler("publisher")
    subscription = _drain(aws, recorder, "PublicationQueue")
    assert publisher.lambda_handler(sqs_event(subscription), lambda_context) == {"batchItemFailures": []}
    aws.use_function_environment("StatementsFunction")
    recorder.function = "StatementsFunction"
    link = re.search(r"/confirm/(\S+)", _raw_emails()[-1].get_payload()[0].get_payload(decode=True).decode())
    assert link
    api.call("POST", "/v1/status/{tenant}/confirm/{token}", raw="", tenant=TENANT, token=link.group(1))
    body = {"incident_id": INCIDENT, "template": "crisis", "variables": VARIABLES}
    statement_id = api.call("POST", f"{base}/statements", key, body=body, tenant=TENANT)[1]["statement"]["statement_id"]
    for step, who in (("submit", setup["rina"]), ("reviews", setup["budi"]), ("publish", setup["budi"])):
        status, answer, _ = api.call(
            "POST",
            f"{base}/statements/{{statement_id}}/{step}",
            who,
            body={},
            tenant=TENANT,
            statement_id=statement_id,
        )
        assert status < 400, answer
    aws.use_function_environment("PublisherFunction")
    recorder.function = "PublisherFunction"
    publisher = load_handler("publisher")
    for _ in range(6):
        tasks = _drain(aws, recorder, "PublicationQueue")
        if not tasks:
            break
        assert publisher.lambda_handler(sqs_event(tasks), lambda_context) == {"batchItemFailures": []}
    aws.use_function_environment("RemindersFunction")
    recorder.function = "RemindersFunction"
    reminders = load_handler("reminders")
    from sigap_tools.local.event_sources import scheduled_event

    reminders.lambda_handler(scheduled_event(datetime.now(UTC) + timedelta(hours=2)), lambda_context)
    aws.use_function_environment("FeedbackFunction")
    recorder.function = "FeedbackFunction"
    feedback = load_handler("feedback")
    bounce = {
        "eventType": "Complaint",
        "mail": {"tags": {"tenant": [TENANT]}, "timestamp": datetime.now(UTC).isoformat()},
        "complaint": {"complainedRecipients": [{"emailAddress": "r@x.example"}]},
    }
    notice = json.dumps({"Type": "Notification", "Message": json.dumps(bounce)})
    assert feedback.lambda_handler(sqs_event([notice]), lambda_context) == {"batchItemFailures": []}
    aws.use_function_environment("StatementsFunction")
    recorder.function = "StatementsFunction"
    api = Http(aws, lambda_context, "StatementsFunction", "statements")
    for query in ({"format": "pdf"}, {"format": "json"}):
        status, _, _ = api.call(
            "GET", f"{base}/incidents/{{incident_id}}/report", key, query=query, tenant=TENANT, incident_id=INCIDENT
        )
        assert status == 200
    assert api.call("GET", "/v1/status/{tenant}", tenant=TENANT)[0] == 200
    assert api.call("GET", f"{base}/subscribers", key, tenant=TENANT)[0] == 200
    _check(
        aws,
        recorder,
        {
            ("PublisherFunction", "ses:SendRawEmail"),
            ("PublisherFunction", "s3:PutObject"),
            ("PublisherFunction", "sns:Publish"),
            ("PublisherFunction", "dynamodb:BatchGetItem"),
            ("RemindersFunction", "dynamodb:Query"),
            ("FeedbackFunction", "dynamodb:UpdateItem"),
        },
    )


def test_every_aws_call_of_the_sources_and_webhook_functions_is_granted(
    aws: AwsStack, recorder: Recorder, lambda_context: Any
) -> None:
    from standardwebhooks import Webhook

    from tests.conftest import mention_payload

    _, key = aws.new_tenant("brand-a")
    _daily_quota(aws, "brand-a")
    recorder.function = "SourcesFunction"
    aws.use_function_environment("SourcesFunction")
    sources = load_handler("sources")
    base = "/v1/tenants/{tenant}/sources"
    created = _http(aws, sources, lambda_context, "POST", base, key, {"name": "tool"}, tenant="brand-a")
    _http(aws, sources, lambda_context, "POST", base, key, {"name": "spare"}, tenant="brand-a")
    _http(aws, sources, lambda_context, "GET", base, key, tenant="brand-a")
    _http(aws, sources, lambda_context, "GET", base + "/{source}", key, tenant="brand-a", source="tool")
    _http(aws, sources, lambda_context, "DELETE", base + "/{source}", key, tenant="brand-a", source="spare")
    _http(aws, sources, lambda_context, "POST", base + "/{source}/rotate", key, {}, tenant="brand-a", source="tool")
    recorder.function = "HooksFunction"
    aws.use_function_environment("HooksFunction")
    body = json.dumps(mention_payload("h-1"))
    now = datetime.now(UTC)
    headers = {
        "webhook-id": "msg-1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(created["secret"]).sign("msg-1", now, body),
    }
    hook = "/v1/hooks/{tenant}/{source}"
    for _ in range(2):  # the second is a replay: the receipts are read
        event = http_event("POST", "/v1/hooks/brand-a/tool", route_path=hook, raw_body=body, headers=headers)
        assert load_handler("hooks").lambda_handler(event, lambda_context)["statusCode"] == 202
    recorder.function = "SourcesFunction"
    aws.use_function_environment("SourcesFunction")
    started = _http(aws, sources, lambda_context, "POST", "/v1/tenants/{tenant}/imports", key, {"source": "tool"},
                    tenant="brand-a")  # fmt: skip
    _drain(aws, recorder, "ImportQueue")  # S3's test event
    lines = json.dumps(mention_payload("i-1")) + "\n" + json.dumps({"text": "no time"}) + "\n"
    recorder.function = ""  # the tenant's upload is not a function's call
    boto3.client("s3").put_object(Bucket=aws.provisioned.buckets["ImportsBucket"],
                                  Key=f"uploads/brand-a/{started['import_id']}", Body=lines.encode())  # fmt: skip
    recorder.function = "ImportFunction"
    aws.use_function_environment("ImportFunction")
    for body in _drain(aws, recorder, "ImportQueue"):
        assert load_handler("imports").lambda_handler(sqs_event([body]), lambda_context) == {"batchItemFailures": []}
    recorder.function = "SourcesFunction"
    aws.use_function_environment("SourcesFunction")
    done = _http(aws, sources, lambda_context, "GET", "/v1/tenants/{tenant}/imports/{import_id}", key,
                 tenant="brand-a", import_id=started["import_id"])  # fmt: skip
    assert done["state"] == "done", done
    assert done["report_urls"]
    _http(aws, sources, lambda_context, "GET", "/v1/tenants/{tenant}/imports", key, tenant="brand-a")
    _drain(aws, recorder, "EmailQueue")  # S3's test event
    recorder.function = ""  # SES's write is not a function's call
    mail = b"To: brand-a@inbound.example\r\nMessage-ID: <e1@x>\r\n\r\nTeh Segar beracun?"
    boto3.client("s3").put_object(Bucket=aws.provisioned.buckets["ImportsBucket"], Key="inbound-email/one", Body=mail)
    recorder.function = "EmailFunction"
    aws.use_function_environment("EmailFunction")
    for body in _drain(aws, recorder, "EmailQueue"):
        assert load_handler("email").lambda_handler(sqs_event([body]), lambda_context) == {"batchItemFailures": []}
    _check(
        aws,
        recorder,
        {
            ("EmailFunction", "s3:GetObject"),
            ("EmailFunction", "dynamodb:UpdateItem"),  # the client's daily count
            ("EmailFunction", "sqs:SendMessageBatch"),
            ("ImportFunction", "dynamodb:UpdateItem"),
            ("ImportFunction", "s3:GetObject"),
            ("ImportFunction", "s3:PutObject"),
            ("ImportFunction", "dynamodb:PutItem"),
            ("SourcesFunction", "dynamodb:PutItem"),
            ("SourcesFunction", "dynamodb:DeleteItem"),
            ("SourcesFunction", "dynamodb:Query"),
            ("HooksFunction", "dynamodb:UpdateItem"),
            ("HooksFunction", "sqs:SendMessageBatch"),
            ("HooksFunction", "dynamodb:GetItem"),
        },
    )


def test_every_aws_call_of_the_feed_functions_is_granted(
    aws: AwsStack, recorder: Recorder, lambda_context: Any
) -> None:
    from sigap_tools.local.feed_site import FeedSite
    from tests.integration.test_feed_sources import LongContext, rss

    _, key = aws.new_tenant("brand-a")
    _daily_quota(aws, "brand-a")
    with FeedSite() as site:
        site.publish("/feed.xml", rss(("Teh Segar", "https://blog.example/1", datetime.now(UTC))))
        recorder.function = "SourcesFunction"
        aws.use_function_environment("SourcesFunction")
        aws.monkeypatch.setenv("SIGAP_LOCAL_ALLOW_LOOPBACK", "true")
        sources = load_handler("sources")
        base = "/v1/tenants/{tenant}/sources"
        feed = {"name": "blog", "kind": "feed", "feed": {"url": site.url("/feed.xml")}}
        _http(aws, sources, lambda_context, "POST", base, key, feed, tenant="brand-a")
        _http(aws, sources, lambda_context, "POST", base, key, feed | {"name": "other"}, tenant="brand-a")
        # One read now (its scheduled read taken), the other by the scheduler
        _http(aws, sources, lambda_context, "POST", base + "/{source}/read", key, tenant="brand-a", source="blog")
        recorder.function = "FeedSchedulerFunction"
        aws.use_function_environment("FeedSchedulerFunction")
        assert load_handler("feed_scheduler").lambda_handler({"time": "now"}, LongContext())["queued"] == 1
        recorder.function = "FeedFunction"
        aws.use_function_environment("FeedFunction")
        aws.monkeypatch.setenv("SIGAP_LOCAL_ALLOW_LOOPBACK", "true")
        reads = _drain(aws, recorder, "FeedQueue")
        assert load_handler("feeds").lambda_handler(sqs_event(reads), lambda_context) == {"batchItemFailures": []}
    _check(
        aws,
        recorder,
        {
            ("SourcesFunction", "sqs:SendMessageBatch"),
            ("SourcesFunction", "dynamodb:UpdateItem"),
            ("FeedSchedulerFunction", "dynamodb:Query"),
            ("FeedSchedulerFunction", "dynamodb:UpdateItem"),
            ("FeedSchedulerFunction", "sqs:SendMessageBatch"),
            ("FeedFunction", "dynamodb:GetItem"),
            ("FeedFunction", "dynamodb:UpdateItem"),
            ("FeedFunction", "sqs:SendMessageBatch"),
        },
    )


def test_every_aws_call_of_the_console_is_granted(
    aws: AwsStack, recorder: Recorder, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.console.harness import Browser, hidden_fields, serve_api_in_process

    api = serve_api_in_process(aws, lambda_context, monkeypatch)
    api.on_function = lambda logical_id: setattr(recorder, "function", logical_id)

    # Given a person of a brand with an alert
    aws.new_tenant("brand-a")
    aws.new_person("brand-a", "rina@brand-a.example")
    alert = make_alert(tenant="brand-a")
    AlertsTable(aws.table("AlertsTable")).save(alert, 0, None)
    browser = Browser(aws, lambda_context)
    recorder.function = "ConsoleFunction"
    # When they sign in, open the alert and their home page, and sign out
    assert browser.sign_in("rina@brand-a.example", PASSWORD)[0] == 303
    assert browser.get(f"/console/tenants/brand-a/alerts/{alert.alert_id}")[0] == 200
    assert browser.get("/console/tenants/brand-a")[0] == 200
    status, _, home = browser.get("/console")
    assert status == 200
    assert browser.post("/console/sign-out", hidden_fields(home))[0] == 303
    _check(
        aws,
        recorder,
        {
            ("ConsoleFunction", "dynamodb:PutItem"),
            ("ConsoleFunction", "dynamodb:GetItem"),
            ("ConsoleFunction", "dynamodb:Query"),
            ("ConsoleFunction", "dynamodb:DeleteItem"),
            ("ConsoleFunction", "dynamodb:UpdateItem"),
        },
    )
