"""What a first real deploy needs that moto never checks: alarms that can reach someone, buckets that refuse
plain HTTP and do not keep every old version for ever, every stateful resource saying what happens to it when
the stack goes, and an access log of every request to the API (the public routes' too)."""

from __future__ import annotations

import json
from typing import Any

from sigap_tools.local.template import Template

_STATEFUL = ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::Cognito::UserPool", "AWS::SecretsManager::Secret")


def _resources(template: Template) -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = template.document["Resources"]
    return resources


def test_cloudwatch_can_publish_to_the_alarm_topic_and_someone_can_be_subscribed(template: Template) -> None:
    resources = _resources(template)
    topic = resources["AlarmTopic"]["Properties"]
    # The AWS-managed SNS key's policy cannot grant CloudWatch: a topic encrypted with it drops every alarm.
    assert not str(topic.get("KmsMasterKeyId", "")).startswith("alias/aws/")
    policy = resources["AlarmTopicPolicy"]["Properties"]
    assert {"Ref": "AlarmTopic"} in policy["Topics"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"
    subscription = resources["AlarmEmailSubscription"]
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert "Default" in template.document["Parameters"]["AlarmEmail"]


def test_every_topic_an_aws_service_publishes_to_has_no_aws_managed_key(template: Template) -> None:
    for logical_id, properties in template.resources("AWS::SNS::Topic").items():
        assert not str(properties.get("KmsMasterKeyId", "")).startswith("alias/aws/"), logical_id


def test_every_bucket_refuses_requests_over_plain_http(template: Template) -> None:
    policies = {
        json.dumps(properties["Bucket"]): properties["PolicyDocument"]["Statement"]
        for properties in template.resources("AWS::S3::BucketPolicy").values()
    }
    for logical_id in template.resources("AWS::S3::Bucket"):
        statements = policies.get(json.dumps({"Ref": logical_id}), [])
        assert any(
            isinstance(s, dict)
            and s.get("Effect") == "Deny"
            and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        ), f"{logical_id} accepts plain HTTP"


def test_a_versioned_bucket_lets_replaced_versions_expire(template: Template) -> None:
    for logical_id, properties in template.resources("AWS::S3::Bucket").items():
        if (properties.get("VersioningConfiguration") or {}).get("Status") != "Enabled":
            continue
        rules = (properties.get("LifecycleConfiguration") or {}).get("Rules", [])
        assert any("NoncurrentVersionExpiration" in rule for rule in rules), logical_id


def test_every_stateful_resource_says_what_happens_to_it_when_the_stack_goes(template: Template) -> None:
    for logical_id, resource in _resources(template).items():
        if resource["Type"] in _STATEFUL:
            assert resource.get("DeletionPolicy") in ("Retain", "Delete", "Snapshot"), logical_id
            assert resource.get("UpdateReplacePolicy") == resource["DeletionPolicy"], logical_id


def test_every_request_to_the_api_leaves_an_access_log_line_without_secrets(template: Template) -> None:
    (api,) = template.resources("AWS::Serverless::HttpApi").values()
    settings = api["AccessLogSettings"]
    assert settings["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    line = settings["Format"]
    for field in ("$context.requestId", "$context.identity.sourceIp", "$context.routeKey", "$context.status"):
        assert field in line
    # The path of a signed link holds its token; headers hold keys: neither is logged.
    for secret in ("$context.path", "$context.http.path", "authorization", "$context.identity.apiKey"):
        assert secret not in line.lower()
    assert "RetentionInDays" in _resources(template)["ApiAccessLogs"]["Properties"]
