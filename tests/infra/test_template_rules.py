"""Rules every version of template.yaml must keep: the architecture's promises, checked on the template."""

from __future__ import annotations

import ast
import json
from typing import Any

import pytest

from sigap_tools.local.template import Template
from sigap_tools.openapi import openapi_json
from tests.conftest import ROOT


def _walk_policy_statements(policies: list[Any]) -> list[dict[str, Any]]:
    statements = []
    for policy in policies:
        if isinstance(policy, dict) and "Statement" in policy:
            statements.extend(policy["Statement"])
    return statements


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _queue_consumers(template: Template) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    consumers: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for spec in template.functions():
        for event in spec.events.values():
            if event["Type"] == "SQS":
                queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
                consumers.setdefault(queue, []).append((spec.logical_id, event["Properties"]))
    return consumers


def _dead_letter_queues(template: Template) -> set[str]:
    return {
        properties["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for properties in template.resources("AWS::SQS::Queue").values()
        if "RedrivePolicy" in properties
    }


def test_every_sqs_event_source_reports_batch_item_failures(template: Template) -> None:
    for spec in template.functions():
        for name, event in spec.events.items():
            if event["Type"] == "SQS":
                assert event["Properties"].get("FunctionResponseTypes") == ["ReportBatchItemFailures"], name


def test_every_work_queue_has_a_dead_letter_queue(template: Template) -> None:
    dead_letter = _dead_letter_queues(template)
    for logical_id, properties in template.resources("AWS::SQS::Queue").items():
        if logical_id in dead_letter:
            continue
        policy = properties.get("RedrivePolicy")
        assert policy, f"{logical_id} has no RedrivePolicy"
        assert 1 <= int(policy["maxReceiveCount"]) <= 10


def test_every_queue_is_encrypted(template: Template) -> None:
    for logical_id, properties in template.resources("AWS::SQS::Queue").items():
        assert properties.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in properties, logical_id


def test_visibility_is_at_least_six_times_each_consumers_timeout(template: Template) -> None:
    timeouts = {spec.logical_id: spec.timeout for spec in template.functions()}
    queues = template.resources("AWS::SQS::Queue")
    consumers = _queue_consumers(template)
    assert consumers, "no SQS consumers found"
    for queue, functions in consumers.items():
        visibility = int(queues[queue].get("VisibilityTimeout", 30))
        for function, _ in functions:
            assert visibility >= 6 * timeouts[function], f"{queue}: {visibility} < 6 x {function}"


def test_no_policy_grants_a_wildcard_action_or_resource(template: Template) -> None:
    for spec_id, properties in template.resources("AWS::Serverless::Function").items():
        for statement in _walk_policy_statements(properties.get("Policies", [])):
            for action in _as_list(statement["Action"]):
                assert "*" not in action, f"{spec_id}: {action}"
            for resource in _as_list(statement["Resource"]):
                assert resource != "*", f"{spec_id} grants on every resource"


def test_every_table_is_encrypted_and_billed_per_request(template: Template) -> None:
    for logical_id, properties in template.resources("AWS::DynamoDB::Table").items():
        assert properties["SSESpecification"]["SSEEnabled"] is True, logical_id
        assert properties["BillingMode"] == "PAY_PER_REQUEST", logical_id


def test_mentions_expire_by_ttl(template: Template) -> None:
    ttl = template.resources("AWS::DynamoDB::Table")["MentionsTable"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}


def test_every_function_has_a_log_group_with_retention(template: Template) -> None:
    groups = template.resources("AWS::Logs::LogGroup")
    names = [group["LogGroupName"]["Fn::Sub"] for group in groups.values()]
    covered = {name.split("${")[1].rstrip("}") for name in names if name.startswith("/aws/lambda/")}
    assert covered == {spec.logical_id for spec in template.functions()}
    assert all("RetentionInDays" in group for group in groups.values())


def test_every_function_folder_holds_a_thin_handler(template: Template) -> None:
    for spec in template.functions():
        module, _, function = spec.handler.rpartition(".")
        source = (spec.code_uri / f"{module}.py").read_text(encoding="utf-8")
        module_body = ast.parse(source).body
        defined = {node.name for node in module_body if isinstance(node, ast.FunctionDef)}
        assigned = {
            target.id
            for node in module_body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        bound = defined | assigned
        assert function in bound, f"{spec.logical_id}: {module}.py defines no {function}"
        assert "boto3" not in source, f"{spec.logical_id}'s handler talks to AWS directly"
        assert len(source.splitlines()) < 40, f"{spec.logical_id}'s handler is not thin"


def test_every_table_queue_and_the_api_url_are_outputs(template: Template) -> None:
    outputs = template.document["Outputs"]
    referenced = {json.dumps(output["Value"]) for output in outputs.values()}
    for logical_id in [*template.resources("AWS::DynamoDB::Table"), *template.resources("AWS::SQS::Queue")]:
        assert json.dumps({"Ref": logical_id}) in referenced, f"{logical_id} is not an output"
    assert "ApiUrl" in outputs


def test_http_routes_in_the_template_match_the_api(template: Template) -> None:
    declared = {
        (event["Properties"]["Method"].lower(), event["Properties"]["Path"])
        for spec in template.functions()
        for event in spec.events.values()
        if event["Type"] == "HttpApi"
    }
    documented = {
        (method, path) for path, operations in json.loads(openapi_json())["paths"].items() for method in operations
    }
    assert documented <= declared
    assert declared - documented == {("get", "/v1/openapi.json")}


@pytest.mark.parametrize("parameter", ["StackMode", "BrandName", "LogLevel", "LogRetentionDays"])
def test_a_per_brand_deploy_needs_only_parameters_with_defaults(template: Template, parameter: str) -> None:
    assert "Default" in template.document["Parameters"][parameter]


def test_the_layer_builds_from_shared_with_its_own_requirements(template: Template) -> None:
    layer = template.resources("AWS::Serverless::LayerVersion")["SharedLayer"]
    assert layer["ContentUri"] == "shared/"
    assert (ROOT / "shared" / "requirements.txt").is_file()
    assert (ROOT / "shared" / "sigap" / "__init__.py").is_file()


def _alarms(template: Template) -> dict[str, dict[str, Any]]:
    return template.resources("AWS::CloudWatch::Alarm")


def test_every_alarm_notifies_the_alarm_topic_when_it_fires_and_when_it_clears(template: Template) -> None:
    alarms = _alarms(template)
    assert alarms
    for logical_id, properties in alarms.items():
        for actions in ("AlarmActions", "OKActions"):
            assert properties.get(actions), f"{logical_id} has no {actions}: it would fire unheard"
            assert "AlarmTopic" in json.dumps(properties[actions]), logical_id


def _watched(template: Template) -> set[tuple[str, str, str]]:
    """(namespace, metric, the resource's logical id) of every alarm."""
    found = set()
    for properties in _alarms(template).values():
        value = properties["Dimensions"][0]["Value"]
        resource = value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]
        found.add((properties["Namespace"], properties["MetricName"], resource))
    return found


def test_every_way_a_function_can_fail_reaches_an_alarm(template: Template) -> None:
    watched = _watched(template)
    dead_letters = {
        logical_id: properties["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for logical_id, properties in template.resources("AWS::SQS::Queue").items()
        if "RedrivePolicy" in properties
    }
    for spec in template.functions():
        for name, event in spec.events.items():
            where = f"{spec.logical_id}.{name}"
            if event["Type"] == "HttpApi":  # errors, timeouts and throttles all answer a 5xx
                assert ("AWS/ApiGateway", "5xx", event["Properties"]["ApiId"]["Ref"]) in watched, where
            elif event["Type"] == "SQS":  # a failed record is retried: it ends late or dead-lettered
                queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
                assert ("AWS/SQS", "ApproximateAgeOfOldestMessage", queue) in watched, where
                dead = ("AWS/SQS", "ApproximateNumberOfMessagesVisible", dead_letters[queue])
                assert dead in watched, where
                assert "ReportBatchItemFailures" in event["Properties"]["FunctionResponseTypes"], where
            elif event["Type"] == "Schedule":  # nothing else notices a run missing
                assert ("AWS/Lambda", "Errors", spec.logical_id) in watched, where
                assert ("AWS/Lambda", "Throttles", spec.logical_id) in watched, where
            else:
                raise AssertionError(f"{where}: no rule says which alarm hears a {event['Type']} event fail")


def test_no_two_alarms_watch_the_same_metric(template: Template) -> None:
    alarms = list(_alarms(template).values())
    assert len(_watched(template)) == len(alarms)


def test_every_consumed_queue_alarms_on_the_age_of_its_oldest_message(template: Template) -> None:
    aged = {
        properties["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for properties in _alarms(template).values()
        if properties["MetricName"] == "ApproximateAgeOfOldestMessage"
    }
    assert set(_queue_consumers(template)) <= aged


def test_no_function_may_scan_a_table(template: Template) -> None:
    for logical_id, properties in template.resources("AWS::Serverless::Function").items():
        for policy in properties.get("Policies", []):
            # SAM's DynamoDBReadPolicy and CrudPolicy templates include Scan; statements say what is needed.
            assert not (isinstance(policy, dict) and {"DynamoDBReadPolicy", "DynamoDBCrudPolicy"} & set(policy))
        for statement in _walk_policy_statements(properties.get("Policies", [])):
            assert "dynamodb:Scan" not in _as_list(statement["Action"]), logical_id


def test_every_variable_a_function_is_given_is_one_it_reads(template: Template) -> None:
    from sigap.accounts.settings import AccountsSettings
    from sigap.console.settings import ConsoleSettings
    from sigap.detection.settings import AlertsApiSettings, DetectorSettings, EvaluatorSettings
    from sigap.ingest.settings import IngestSettings
    from sigap.mentions.settings import QuerySettings
    from sigap.notify.settings import DeliverySettings, NotificationsApiSettings, NotifierSettings
    from sigap.scoring.settings import ScoreApiSettings, ScoringSettings
    from sigap.sources.settings import (
        EmailSettings,
        FeedSchedulerSettings,
        FeedSettings,
        HooksSettings,
        ImportSettings,
        SourcesSettings,
    )
    from sigap.statements.settings import FeedbackSettings, PublisherSettings, RemindersSettings, StatementsApiSettings

    settings = {
        "AccountsFunction": AccountsSettings,
        "ConsoleFunction": ConsoleSettings,
        "IngestFunction": IngestSettings,
        "QueryFunction": QuerySettings,
        "ScoringFunction": ScoringSettings,
        "ScoreFunction": ScoreApiSettings,
        "SourcesFunction": SourcesSettings,
        "HooksFunction": HooksSettings,
        "ImportFunction": ImportSettings,
        "EmailFunction": EmailSettings,
        "FeedSchedulerFunction": FeedSchedulerSettings,
        "FeedFunction": FeedSettings,
        "DetectorFunction": DetectorSettings,
        "EvaluatorFunction": EvaluatorSettings,
        "AlertsFunction": AlertsApiSettings,
        "NotifierFunction": NotifierSettings,
        "DeliveryFunction": DeliverySettings,
        "NotificationsFunction": NotificationsApiSettings,
        "StatementsFunction": StatementsApiSettings,
        "PublisherFunction": PublisherSettings,
        "RemindersFunction": RemindersSettings,
        "FeedbackFunction": FeedbackSettings,
    }
    import sigap_tools.openapi  # noqa: F401 - every router, so every route's declared limits are known
    from sigap.platform.http.gateway import ROUTE_RATE_LIMIT
    from sigap.platform.rate_limits import RateLimitSettings
    from sigap.platform.user_tokens import UserPoolSettings

    for spec in template.functions():
        read = {field.alias for field in settings[spec.logical_id].model_fields.values()}
        paths = [event["Properties"].get("Path", "") for event in spec.events.values() if event["Type"] == "HttpApi"]
        if any(path.startswith(("/v1/tenants/{tenant}", "/console")) for path in paths):  # a sign-in is checked
            read |= {field.alias for field in UserPoolSettings.model_fields.values()}
        if any(route.partition(" ")[2] in paths for route in ROUTE_RATE_LIMIT):  # a route counts its callers
            read |= {field.alias for field in RateLimitSettings.model_fields.values()}
        # read by libraries, not by Sigap's settings: Powertools', and matplotlib's font cache folder
        given = {name for name in spec.environment if not name.startswith("POWERTOOLS_") and name != "MPLCONFIGDIR"}
        assert given <= read, f"{spec.logical_id} is given {sorted(given - read)}, which it never reads"
        required = {field.alias for field in settings[spec.logical_id].model_fields.values() if field.is_required()}
        assert required <= given, f"{spec.logical_id} needs {sorted(required - given)}"


def test_only_the_functions_that_send_once_can_send_anything_out(template: Template) -> None:
    """Alert notifications leave through the delivery function and statements through the publisher, each
    claiming every (message, channel, recipient) before it sends; the reminders function sends its reminders
    once per promise; the statements API sends nothing (a subscription's confirmation is the publisher's, so the
    subscribe route answers as fast for a known address as for a new one)."""
    senders: dict[str, set[str]] = {}
    for logical_id, properties in template.resources("AWS::Serverless::Function").items():
        for statement in _walk_policy_statements(properties.get("Policies", [])):
            for action in _as_list(statement["Action"]):
                if str(action).startswith(("ses:", "sns:")):
                    senders.setdefault(logical_id, set()).add(str(action))
    assert senders == {
        "DeliveryFunction": {"ses:SendEmail", "sns:Publish"},
        "PublisherFunction": {"ses:SendRawEmail", "ses:SendEmail", "sns:Publish"},
        "RemindersFunction": {"ses:SendRawEmail", "ses:SendEmail", "sns:Publish"},
    }


def test_channel_secrets_are_reachable_only_under_the_stacks_own_prefix(template: Template) -> None:
    for logical_id, properties in template.resources("AWS::Serverless::Function").items():
        for statement in _walk_policy_statements(properties.get("Policies", [])):
            if any(str(action).startswith("ssm:") for action in _as_list(statement["Action"])):
                for resource in _as_list(statement["Resource"]):
                    assert "parameter/sigap/${BrandName}/*" in json.dumps(resource), logical_id


def test_a_stopped_scoring_run_is_recovered_by_its_retries_after_it_can_no_longer_be_alive(
    template: Template,
) -> None:
    from datetime import timedelta

    from sigap.mentions.scored_writes import RECOVER_AFTER

    # A mention whose partial aggregate is missing is counted by a retry only once the run that stored it cannot
    # still write it: longer than the scoring function may run, and shorter than SQS waits before the retry.
    (scoring,) = [spec for spec in template.functions() if spec.logical_id == "ScoringFunction"]
    queue = template.document["Resources"]["ScoringQueue"]["Properties"]
    assert timedelta(seconds=scoring.timeout) * 2 <= RECOVER_AFTER
    assert timedelta(seconds=queue["VisibilityTimeout"]) > RECOVER_AFTER
