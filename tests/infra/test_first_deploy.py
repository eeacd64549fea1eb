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


def _statements(properties: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in properties.get("Policies") or []:
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(policy["Statement"])
    return found


def test_no_function_may_publish_to_a_topic_outside_the_tenants_namespace(template: Template) -> None:
    # A channel's topic ARN comes from a tenant: with sns:Publish on every topic of the account, any tenant could
    # make the stack publish to its own alarm or feedback topics, or to another tenant's (a confused deputy).
    granted = []
    for logical_id, properties in template.resources("AWS::Serverless::Function").items():
        for statement in _statements(properties):
            actions = statement.get("Action")
            if "sns:Publish" in (actions if isinstance(actions, list) else [actions]):
                resource = json.dumps(statement["Resource"])
                assert resource.endswith(':sigap_*"}'), (logical_id, resource)
                granted.append(logical_id)
    assert granted  # the delivery, reminder and publishing functions do publish to tenants' topics


def test_every_queue_consumer_is_capped_so_a_busy_queue_cannot_take_the_apis_concurrency(template: Template) -> None:
    # A new account's Lambda quota may be 10 for all 24 functions: an uncapped scoring queue at a crisis's peak
    # would take every one, and the API (ingestion included) would be throttled just when it matters.
    capped = 0
    for spec in template.functions():
        for name, event in spec.events.items():
            if event["Type"] != "SQS":
                continue
            cap = event["Properties"].get("ScalingConfig", {}).get("MaximumConcurrency")
            assert cap is not None, (spec.logical_id, name)
            if isinstance(cap, int):
                assert 2 <= cap <= 5, (spec.logical_id, name)  # the quiet queues
            capped += 1
    assert capped == 10
    for parameter in ("ScoringConcurrency", "EvaluatorConcurrency"):
        assert template.document["Parameters"][parameter]["MinValue"] == 2


def test_the_layer_pins_what_botocore_and_matplotlib_share_and_matplotlib_writes_where_it_can(
    template: Template,
) -> None:
    from pathlib import Path

    # Left unpinned, `sam build` fetched python-dateutil 4.0.0 for matplotlib; in the layer (first on the path) it
    # shadowed the runtime's 2.9 under botocore, which requires < 3.
    pins = dict(
        line.split(";")[0].strip().split("==")
        for line in (Path(template.path).parent / "shared" / "requirements.txt").read_text().splitlines()
        if "==" in line
    )
    assert pins["python-dateutil"].startswith("2.")
    assert "botocore" not in pins
    # A read-only home: matplotlib's font cache must go under /tmp, or it is rebuilt on every cold start.
    (statements,) = [spec for spec in template.functions() if spec.logical_id == "StatementsFunction"]
    assert statements.environment["MPLCONFIGDIR"].startswith("/tmp/")


def test_every_check_checkov_skips_is_named_with_its_reason(template: Template) -> None:
    # Skipped for the whole template: in .checkov.yaml, each on a line of its own with why.
    from pathlib import Path

    config = (Path(template.path).parent / ".checkov.yaml").read_text(encoding="utf-8")
    skipped = [line for line in config.splitlines() if line.strip().startswith("- CKV_")]
    assert skipped
    for line in skipped:
        check, _, reason = line.strip().removeprefix("- ").partition("#")
        assert len(reason.strip()) >= 40, f"{check.strip()} is skipped without a reason"
    # Skipped for one resource: in its Metadata, each with a comment.
    for logical_id, resource in _resources(template).items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert skip["id"].startswith("CKV_"), logical_id
            assert len(skip.get("comment", "")) >= 40, (logical_id, skip["id"])
