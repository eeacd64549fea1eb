"""The local stack's parts in isolation: template intrinsics, events it builds, answers it translates."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from sigap_tools.local.event_sources import rate_seconds, sqs_record
from sigap_tools.local.http_gateway import Route, build_event, proxy_response
from sigap_tools.local.template import Resolver, Template, TemplateError


def test_intrinsics_resolve_against_provisioned_names() -> None:
    def attribute(logical_id: str, name: str | None) -> str:
        return f"{logical_id}:{name}"

    resolver = Resolver({"Stage": "prod"}, attribute)
    assert resolver.resolve({"Ref": "Stage"}) == "prod"
    assert resolver.resolve({"Ref": "Table"}) == "Table:None"
    assert resolver.resolve({"Fn::GetAtt": ["Queue", "Arn"]}) == "Queue:Arn"
    assert (
        resolver.resolve({"Fn::Sub": "/aws/lambda/${Fn}-${Stage}-${AWS::Region}"})
        == "/aws/lambda/Fn:None-prod-us-east-1"
    )
    with pytest.raises(TemplateError, match="Fn::Select"):
        resolver.resolve({"Fn::Select": [0, [1, 2]]})


def test_conditions_decide_fn_if_as_cloudformation_does() -> None:
    conditions = {
        "NoTopic": {"Fn::Equals": [{"Ref": "Topic"}, ""]},
        "HasTopic": {"Fn::Not": [{"Condition": "NoTopic"}]},
    }
    for topic, expected in (
        ("", "created"),
        ("arn:aws:sns:us-east-1:123456789012:ops", "arn:aws:sns:us-east-1:123456789012:ops"),
    ):
        resolver = Resolver({"Topic": topic}, lambda logical_id, _: "created", conditions)
        assert resolver.resolve({"Fn::If": ["NoTopic", {"Ref": "AlarmTopic"}, {"Ref": "Topic"}]}) == expected
        assert resolver.condition("HasTopic") is bool(topic)
    with pytest.raises(TemplateError, match="no condition 'Missing'"):
        Resolver({}, lambda *_: "", conditions).resolve({"Fn::If": ["Missing", 1, 2]})


def test_globals_merge_into_each_function(template: Template) -> None:
    scoring = next(spec for spec in template.functions() if spec.logical_id == "ScoringFunction")
    assert scoring.timeout == 30  # its own value wins
    assert scoring.environment["POWERTOOLS_SERVICE_NAME"] == "scoring"
    assert scoring.environment["POWERTOOLS_METRICS_NAMESPACE"] == "Sigap"  # from Globals
    assert scoring.code_uri == (Path(template.path).parent / "functions" / "scoring").resolve()


def test_an_unknown_parameter_override_is_refused(template: Template) -> None:
    with pytest.raises(TemplateError, match="no parameter 'Nope'"):
        Template.load(template.path, {"Nope": "1"})


def test_http_events_carry_path_parameters_query_and_body() -> None:
    route = Route(method="POST", path="/v1/tenants/{tenant}/mentions", pool=None)  # type: ignore[arg-type]
    event = build_event(
        route, "POST", "/v1/tenants/abc/mentions?x=1&x=2", {"content-type": "application/json"}, b"{}", "127.0.0.1"
    )
    assert event["pathParameters"] == {"tenant": "abc"}
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["routeKey"] == "POST /v1/tenants/{tenant}/mentions"
    assert (event["body"], event["isBase64Encoded"]) == ("{}", False)
    binary = build_event(route, "POST", "/v1/tenants/abc/mentions", {"content-type": "image/png"}, b"\x89P", "::1")
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x89P"


def test_proxy_results_become_http_answers() -> None:
    assert proxy_response({"statusCode": 202, "headers": {"X-A": "1"}, "body": "ok"}) == (202, {"x-a": "1"}, b"ok")
    assert proxy_response({"hello": "world"}) == (200, {"content-type": "application/json"}, b'{"hello": "world"}')


@pytest.mark.parametrize(
    ("expression", "seconds"), [("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(2 hours)", 7200)]
)
def test_rate_schedules_are_understood(expression: str, seconds: int) -> None:
    assert rate_seconds(expression) == seconds


def test_cron_schedules_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="rate\\(\\) schedules only"):
        rate_seconds("cron(0 12 * * ? *)")


def test_sqs_records_have_lambdas_shape() -> None:
    record = sqs_record(
        {
            "MessageId": "1",
            "ReceiptHandle": "r",
            "Body": "{}",
            "MD5OfBody": "m",
            "Attributes": {"ApproximateReceiveCount": "2"},
            "MessageAttributes": {"tenant_id": {"DataType": "String", "StringValue": "abc"}},
        },
        "arn:aws:sqs:us-east-1:1:q",
    )
    assert record["messageAttributes"]["tenant_id"]["stringValue"] == "abc"
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert record["eventSource"] == "aws:sqs"
