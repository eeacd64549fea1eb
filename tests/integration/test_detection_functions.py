"""Detection under moto, on resources from template.yaml: the scheduler's fan-out, the evaluator's alerts (one
per condition, even when two evaluations race; escalated in place; resolved when clear), the outbox onto the
alert-events queue, poison requests in the dead-letter queue with their reason, and the alerts API."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from sigap.detection import consumer as detection
from sigap.detection.domain.evaluation import DetectorPorts, evaluate_tenant
from sigap.detection.domain.models import (
    Alert,
    AlertTransition,
    DetectionSettings,
    EvaluationRequest,
    EvaluationRequests,
)
from sigap.detection.settings import evaluator_settings
from sigap.kernel.models import Mention
from sigap.platform.batch import lanes_of
from tests.conftest import FakeContext, http_event, load_handler, mention_payload, sqs_event
from tests.integration.conftest import AwsStack

# A minute inside the last day (mentions must be recent enough to be accepted), on a whole minute.
MINUTE = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
POISON = "Teh Segar beracun, anak saya keracunan dan muntah setelah minum, jangan beli!"


@pytest.fixture
def scoring(aws: AwsStack) -> Any:
    aws.use_function_environment("ScoringFunction")
    return load_handler("scoring")


@pytest.fixture
def evaluator(aws: AwsStack) -> Any:
    aws.use_function_environment("EvaluatorFunction")
    return load_handler("evaluator")


def store_crisis(
    aws: AwsStack, scoring: Any, context: Any, authors: int, minute: datetime, tag: str = "a", tenant: str = "brand-a"
) -> None:
    """`authors` people each posting a poisoning claim in `minute`, scored and stored by the scoring function."""
    aws.use_function_environment("ScoringFunction")
    bodies = []
    for index in range(authors):
        payload = mention_payload(
            f"{tag}-{index}",
            text=f"{POISON} #{index}",
            created_at=(minute + timedelta(seconds=index % 60)).isoformat(),
            author={"handle": f"@{tag}person{index}", "followers": 800},
        )
        mention = Mention.model_validate(payload | {"tenant_id": tenant, "received_at": datetime.now(UTC)})
        bodies.append(mention.model_dump_json())
    for start in range(0, len(bodies), 10):
        result = scoring.lambda_handler(sqs_event(bodies[start : start + 10]), context)
        assert result == {"batchItemFailures": []}


def evaluate(
    aws: AwsStack, evaluator: Any, context: Any, *minutes: datetime, tenant: str = "brand-a"
) -> dict[str, Any]:
    aws.use_function_environment("EvaluatorFunction")
    bodies = [EvaluationRequests(tenant_ids=[tenant], minute=minute).model_dump_json() for minute in minutes]
    result: dict[str, Any] = evaluator.lambda_handler(sqs_event(bodies), context)
    return result


def alert_items(aws: AwsStack, prefix: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=aws.table("AlertsTable"))["Items"]
    return [item for item in items if item["sk"]["S"].startswith(prefix)]


def events(aws: AwsStack) -> list[AlertTransition]:
    return [AlertTransition.model_validate_json(body) for body in aws.queued_bodies("AlertEventsQueue")]


def test_the_schedule_asks_for_one_evaluation_per_tenant_for_the_last_complete_minute(
    aws: AwsStack, lambda_context: Any
) -> None:
    # Given three tenants
    for tenant in ("brand-a", "brand-b", "brand-c"):
        aws.new_tenant(tenant)
    aws.use_function_environment("DetectorFunction")
    # When the schedule ticks at 10:01:00
    result = load_handler("detector").lambda_handler({"time": "2026-11-22T10:01:00Z"}, lambda_context)
    # Then one message asks for each tenant's evaluation of 10:00
    [request] = [EvaluationRequests.model_validate_json(body) for body in aws.queued_bodies("EvaluationQueue")]
    assert result["tenants"] == 3
    assert sorted(request.tenant_ids) == ["brand-a", "brand-b", "brand-c"]
    assert request.minute == datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert not request.urgent


def test_a_spike_raises_one_alert_with_its_evidence_and_one_event(
    aws: AwsStack, scoring: Any, evaluator: Any, lambda_context: Any
) -> None:
    # Given fifteen people claiming poisoning within one minute, on a new tenant
    aws.new_tenant("brand-a")
    store_crisis(aws, scoring, lambda_context, 15, MINUTE)
    # When the minute is evaluated, twice in one batch (SQS may deliver a request twice)
    result = evaluate(aws, evaluator, lambda_context, MINUTE, MINUTE)
    # Then each fired rule made one alert, one open pointer and one event, and the outbox is empty
    assert result == {"batchItemFailures": []}
    alerts = [Alert.model_validate_json(item["doc"]["S"]) for item in alert_items(aws, "ALERT#")]
    rules = sorted(alert.rule.value for alert in alerts)
    assert len(rules) == len(set(rules)) >= 1
    assert len(alert_items(aws, "OPEN#")) == len(alerts)
    assert not alert_items(aws, "OUTBOX#")
    sent = events(aws)
    assert sorted(event.transition_id for event in sent) == sorted(f"{alert.alert_id}-v1" for alert in alerts)
    surge = next(alert for alert in alerts if alert.rule.value == "signal_surge")
    assert surge.subject == "safety_health"
    assert surge.evidence.observed == 15
    assert surge.evidence.expected < surge.evidence.threshold <= 15
    assert surge.evidence.samples
    assert surge.evidence.scope_reason


def test_two_evaluations_racing_on_one_tenant_and_minute_make_one_alert(
    aws: AwsStack, scoring: Any, lambda_context: Any
) -> None:
    # Given a spike, and two evaluations that both read "no open alert" before either writes
    aws.new_tenant("brand-a")
    store_crisis(aws, scoring, lambda_context, 15, MINUTE)
    aws.use_function_environment("EvaluatorFunction")
    ports = detection._ports(evaluator_settings())
    both_read = threading.Barrier(2)
    first_saved = threading.Event()

    class RacingAlerts:
        def __init__(self, first: bool) -> None:
            self._first = first

        def open_alerts(self, tenant_id: str) -> list[Alert]:
            found = ports.alerts.open_alerts(tenant_id)
            both_read.wait(timeout=10)
            return found

        def save(self, alert: Alert, expected_version: int, transition: AlertTransition | None) -> bool:
            if not self._first:
                first_saved.wait(timeout=10)
            return ports.alerts.save(alert, expected_version, transition)

        def outbox(self, tenant_id: str) -> list[AlertTransition]:
            if self._first:
                first_saved.set()
            return ports.alerts.outbox(tenant_id)

        def sent(self, tenant_id: str, transition_ids: Any) -> None:
            ports.alerts.sent(tenant_id, transition_ids)

    results = {}

    def run(first: bool) -> None:
        racing = DetectorPorts(
            aggregates=ports.aggregates,
            history=ports.history,
            state=ports.state,
            alerts=RacingAlerts(first),
            events=ports.events,
            samples=ports.samples,
        )
        results[first] = evaluate_tenant("brand-a", MINUTE, DetectionSettings(), racing)

    threads = [threading.Thread(target=run, args=(first,)) for first in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # When both have finished, then each condition has one alert and the loser emitted no transition
    alerts = alert_items(aws, "ALERT#")
    assert len({item["sk"]["S"] for item in alerts}) == len(alerts) == len(results[True].transitions) >= 1
    assert results[False].transitions == []
    assert len(events(aws)) == len(alerts)


def test_a_growing_crisis_escalates_its_alert_in_place_and_it_resolves_once_clear(
    aws: AwsStack, scoring: Any, evaluator: Any, lambda_context: Any
) -> None:
    # Given a minute where five people claim poisoning: a small surge
    aws.new_tenant("brand-a")
    store_crisis(aws, scoring, lambda_context, 5, MINUTE)
    evaluate(aws, evaluator, lambda_context, MINUTE)
    [first] = [e for e in events(aws) if e.alert.rule.value == "signal_surge"]
    # When twenty more people join a minute later
    store_crisis(aws, scoring, lambda_context, 20, MINUTE + timedelta(minutes=1), tag="b")
    evaluate(aws, evaluator, lambda_context, MINUTE + timedelta(minutes=1))
    # Then the same alert escalated (same id, higher severity, new version), with an escalation event
    escalated = [e for e in events(aws) if e.alert.alert_id == first.alert.alert_id]
    assert [e.kind.value for e in escalated] == ["escalated"]
    assert escalated[0].alert.severity.rank > first.alert.severity.rank
    assert escalated[0].alert.version > first.alert.version
    # And once its hour-long window holds none of it and the resolution time has passed, it resolves (the
    # evaluator catches up every minute in between, in order), and its open pointer is gone
    quiet = MINUTE + timedelta(minutes=1 + 60 + DetectionSettings().resolve_after_minutes + 2)
    evaluate(aws, evaluator, lambda_context, quiet)
    resolved = [e for e in events(aws) if e.alert.alert_id == first.alert.alert_id]
    assert [e.kind.value for e in resolved] == ["resolved"]
    assert resolved[0].alert.resolved_at is not None
    assert not alert_items(aws, "OPEN#")


class _NoTimeLeft(FakeContext):
    """An invocation whose time is all but gone when its batch starts."""

    def get_remaining_time_in_millis(self) -> int:
        return 0


def test_a_catch_up_cut_short_by_the_invocations_time_goes_on_from_there_at_the_next_request(
    aws: AwsStack, scoring: Any, evaluator: Any, lambda_context: Any
) -> None:
    from sigap.detection.store import AlertsTable
    from sigap.kernel.aggregates import minute_key

    # Given two brands with the same small surge, each alerted at the same minute
    for tenant in ("brand-a", "brand-b"):
        aws.new_tenant(tenant)
        store_crisis(aws, scoring, lambda_context, 5, MINUTE, tag=tenant, tenant=tenant)
        evaluate(aws, evaluator, lambda_context, MINUTE, tenant=tenant)
    quiet = MINUTE + timedelta(minutes=60 + DetectionSettings().resolve_after_minutes + 2)
    # When brand-a's evaluation an hour and more later (a catch-up over every minute since) comes in an
    # invocation with no time left
    assert evaluate(aws, evaluator, _NoTimeLeft(), quiet, tenant="brand-a") == {"batchItemFailures": []}
    # Then only the first minute of its catch-up was evaluated, and stored; nothing resolved yet
    state = AlertsTable(aws.table("AlertsTable")).get_state("brand-a")
    assert state is not None
    assert state.evaluated_minute == minute_key(MINUTE + timedelta(minutes=1))
    assert not [e for e in events(aws) if e.kind.value == "resolved"]
    # When its next request comes with time to spare, and brand-b's catch-up is never cut
    evaluate(aws, evaluator, lambda_context, quiet, tenant="brand-a")
    evaluate(aws, evaluator, lambda_context, quiet, tenant="brand-b")
    # Then brand-a's alert resolved once, at the minute brand-b's did
    resolved = [e for e in events(aws) if e.kind.value == "resolved"]
    assert sorted(e.alert.tenant_id for e in resolved) == ["brand-a", "brand-b"]
    assert resolved[0].alert.resolved_at == resolved[1].alert.resolved_at


def test_a_poison_evaluation_request_goes_to_the_dead_letter_queue_with_its_reason(
    aws: AwsStack, evaluator: Any, lambda_context: Any
) -> None:
    # Given a batch with a request that is not JSON next to a good one
    aws.new_tenant("brand-a")
    good = EvaluationRequests(tenant_ids=["brand-a"], minute=MINUTE).model_dump_json()
    aws.use_function_environment("EvaluatorFunction")
    # When it is handled
    result = evaluator.lambda_handler(sqs_event(["{not json", good]), lambda_context)
    # Then neither record is retried, and the poison one waits in the dead-letter queue with its reason
    assert result == {"batchItemFailures": []}
    sqs = boto3.client("sqs")
    answer = sqs.receive_message(
        QueueUrl=aws.queue_url("EvaluationDeadLetterQueue"), MessageAttributeNames=["All"], MaxNumberOfMessages=10
    )
    [message] = answer["Messages"]
    assert message["Body"] == "{not json"
    assert "not an evaluation request" in message["MessageAttributes"]["reason"]["StringValue"]


def test_a_storage_outage_fails_the_record_for_retry(aws: AwsStack, evaluator: Any, lambda_context: Any) -> None:
    # Given an evaluator whose alerts table is missing
    aws.new_tenant("brand-a")
    aws.use_function_environment("EvaluatorFunction")
    boto3.client("dynamodb").delete_table(TableName=aws.table("AlertsTable"))
    body = EvaluationRequests(tenant_ids=["brand-a"], minute=MINUTE).model_dump_json()
    # When a request is handled, then its record fails (SQS retries it; after five tries it is dead-lettered)
    result = evaluator.lambda_handler(sqs_event([body]), lambda_context)
    assert result == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}


def call(aws: AwsStack, context: Any, method: str, path: str, route: str, key: str, body: Any = None) -> Any:
    aws.use_function_environment("AlertsFunction")
    target, _, query = path.partition("?")
    event = http_event(
        method,
        target,
        route_path=route,
        body=body,
        headers={"authorization": f"Bearer {key}"},
        query=dict(part.split("=", 1) for part in query.split("&")) if query else None,
    )
    answer = load_handler("alerts").lambda_handler(event, context)
    return answer["statusCode"], json.loads(answer["body"])


def test_alerts_are_listed_filtered_and_read_with_their_evidence_over_the_api(
    aws: AwsStack, scoring: Any, evaluator: Any, lambda_context: Any
) -> None:
    # Given an evaluated spike
    _, key = aws.new_tenant("brand-a")
    store_crisis(aws, scoring, lambda_context, 15, MINUTE)
    evaluate(aws, evaluator, lambda_context, MINUTE)
    route = "/v1/tenants/{tenant}/alerts"
    # When the tenant lists its firing alerts, a page of one at a time
    status, page = call(aws, lambda_context, "GET", "/v1/tenants/brand-a/alerts?status=firing&limit=1", route, key)
    assert status == 200
    seen = [page["items"][0]["alert_id"]]
    while page["next_cursor"]:
        path = f"/v1/tenants/brand-a/alerts?status=firing&limit=1&cursor={page['next_cursor']}"
        status, page = call(aws, lambda_context, "GET", path, route, key)
        seen.extend(item["alert_id"] for item in page["items"])
    # Then every stored alert is listed once, and one can be read with its evidence
    assert sorted(seen) == sorted(item["sk"]["S"].removeprefix("ALERT#") for item in alert_items(aws, "ALERT#"))
    one_route = "/v1/tenants/{tenant}/alerts/{alert_id}"
    status, alert = call(aws, lambda_context, "GET", f"/v1/tenants/brand-a/alerts/{seen[0]}", one_route, key)
    assert status == 200
    assert alert["evidence"]["window_minutes"] > 0
    status, _ = call(aws, lambda_context, "GET", "/v1/tenants/brand-a/alerts?status=resolved", route, key)
    assert status == 200
    missing = "/v1/tenants/brand-a/alerts/20260101T0000-0123456789abcdef0123"
    status, problem = call(aws, lambda_context, "GET", missing, one_route, key)
    assert (status, problem["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sensitivity": "extreme"}, "sensitivity"),
        ({"home_country": "Indonesia"}, "home_country"),
        ({"resolve_after_minutes": 1}, "resolve_after_minutes"),
        ({"rules": {"story_spread": {"min_authors": 0}}}, "min_authors"),
        ({"rules": {"no_such_rule": {}}}, "rules"),
        ({"colour": "red"}, "colour"),
        # JSON's own types only: a number in a string, or 0 for false, is not read as one
        ({"resolve_after_minutes": "10"}, "resolve_after_minutes"),
        ({"rules": {"story_spread": {"enabled": 0}}}, "enabled"),
        ({"rules": {"story_spread": {"max_p_value": "0.01"}}}, "max_p_value"),
    ],
)
def test_a_bad_detection_setting_is_a_422_naming_it(
    aws: AwsStack, lambda_context: Any, body: dict[str, Any], field: str
) -> None:
    _, key = aws.new_tenant("brand-a")
    route = "/v1/tenants/{tenant}/detection-settings"
    status, problem = call(aws, lambda_context, "PUT", "/v1/tenants/brand-a/detection-settings", route, key, body)
    assert status == 422
    assert any(field in item["field"] for item in problem["error"]["fields"])


def test_detection_settings_are_read_back_as_they_were_put(aws: AwsStack, lambda_context: Any) -> None:
    _, key = aws.new_tenant("brand-a")
    route = "/v1/tenants/{tenant}/detection-settings"
    path = "/v1/tenants/brand-a/detection-settings"
    status, before = call(aws, lambda_context, "GET", path, route, key)
    assert (status, before["sensitivity"]) == (200, "normal")
    wanted = {"sensitivity": "high", "home_country": "ID", "rules": {"sentiment_shift": {"enabled": False}}}
    status, _ = call(aws, lambda_context, "PUT", path, route, key, wanted)
    assert status == 200
    status, after = call(aws, lambda_context, "GET", path, route, key)
    assert after["sensitivity"] == "high"
    assert after["home_country"] == "ID"
    assert after["rules"]["sentiment_shift"]["enabled"] is False


def test_the_detector_state_round_trips_through_its_two_items(aws: AwsStack) -> None:
    from sigap.detection.domain.baseline import expectation_for
    from sigap.detection.domain.evaluation import DetectorState
    from sigap.detection.store import AlertsTable

    # Given a state with a baseline, stored by one adapter instance
    state = DetectorState(
        tenant_id="brand-a",
        evaluated_minute="2026-11-22T10:05",
        rolled_hour="2026-11-22T09",
        expectation=expectation_for("2026-11-22T10", []),
        open_alerts=1,
        version=1,
    )
    assert AlertsTable(aws.table("AlertsTable")).put_state(state, 0)
    # When another instance reads it, then it is the same state; and a stale version is refused
    reader = AlertsTable(aws.table("AlertsTable"))
    assert reader.get_state("brand-a") == state
    assert not reader.put_state(state.model_copy(update={"version": 2}), 0)
    items = {item["sk"]["S"] for item in alert_items(aws, "")}
    assert {"STATE", "BASELINE"} <= items


class _CountingReads:
    """A DynamoDB client that counts GetItem calls by sort key (what a sandbox's adapter reads)."""

    def __init__(self) -> None:
        self._client = boto3.client("dynamodb")
        self.reads: list[str] = []

    def get_item(self, **request: Any) -> Any:
        self.reads.append(request["Key"]["sk"]["S"])
        return self._client.get_item(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_sandbox_reads_a_tenants_baseline_again_only_when_the_state_names_another(
    aws: AwsStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sigap.detection import store
    from sigap.detection.domain.baseline import expectation_for
    from sigap.detection.domain.evaluation import DetectorState
    from sigap.detection.store import AlertsTable

    def state_at(hour: str, version: int) -> DetectorState:
        return DetectorState(
            tenant_id="brand-a",
            evaluated_minute=f"{hour}:05",
            rolled_hour=hour,
            expectation=expectation_for(hour, []),
            version=version,
        )

    # Given a state stored by one sandbox (its adapter), which then evaluates three more minutes
    first_client, second_client = _CountingReads(), _CountingReads()
    first = AlertsTable(aws.table("AlertsTable"), first_client)
    second = AlertsTable(aws.table("AlertsTable"), second_client)
    assert first.put_state(state_at("2026-11-22T09", 1), 0)
    for _ in range(3):
        assert first.get_state("brand-a") == state_at("2026-11-22T09", 1)
    # Then it read only the minute's STATE: the baseline it holds is the one STATE names
    assert first_client.reads == ["STATE"] * 3
    # When another sandbox reads it (reading the baseline it does not hold) and rolls the next hour
    assert second.get_state("brand-a") == state_at("2026-11-22T09", 1)
    assert second.put_state(state_at("2026-11-22T10", 2), 1)
    assert second_client.reads == ["STATE", "BASELINE"]
    # Then the first reads the new baseline, because STATE names another one than it holds
    assert first.get_state("brand-a") == state_at("2026-11-22T10", 2)
    assert first_client.reads[3:] == ["STATE", "BASELINE"]
    # And a sandbox with no room left for baselines reads the baseline every time, and gets the same state
    monkeypatch.setattr(store, "BASELINE_CACHE_BYTES", 0)
    crowded_client = _CountingReads()
    crowded = AlertsTable(aws.table("AlertsTable"), crowded_client)
    for _ in range(2):
        assert crowded.get_state("brand-a") == state_at("2026-11-22T10", 2)
    assert crowded_client.reads == ["STATE", "BASELINE"] * 2


def test_a_national_outlet_carrying_a_severe_claim_asks_for_an_evaluation_at_once(
    aws: AwsStack, scoring: Any, lambda_context: Any
) -> None:
    # Given a national news outlet's article claiming deaths, just published, and an ordinary post
    aws.new_tenant("brand-a")
    aws.use_function_environment("ScoringFunction")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    article = mention_payload(
        "news-1",
        channel="news",
        text="Tiga anak meninggal dan puluhan keracunan setelah minum Teh Segar, polisi selidiki",
        created_at=now.isoformat(),
        author={"handle": "@kompascom", "followers": 9_000_000},
    )
    ordinary = mention_payload("post-1", text="Teh Segar enak banget", created_at=now.isoformat())
    bodies = [
        Mention.model_validate(one | {"tenant_id": "brand-a", "received_at": datetime.now(UTC)}).model_dump_json()
        for one in (article, ordinary)
    ]
    # When it is scored
    assert scoring.lambda_handler(sqs_event(bodies), lambda_context) == {"batchItemFailures": []}
    # Then the tenant's evaluation is asked for now, for the article's minute (once), not at the next tick
    requests = [EvaluationRequests.model_validate_json(body) for body in aws.queued_bodies("EvaluationQueue")]
    assert [(request.tenant_ids, request.minute, request.urgent) for request in requests] == [(["brand-a"], now, True)]


def test_an_urgent_evaluation_fires_at_once_and_leaves_the_schedule_every_minute_before_it(
    aws: AwsStack, scoring: Any, evaluator: Any, lambda_context: Any
) -> None:
    # Given a tenant the schedule evaluated up to two minutes ago, then a spike, and an urgent ask for it
    aws.new_tenant("brand-a")
    evaluate(aws, evaluator, lambda_context, MINUTE - timedelta(minutes=2))
    scheduled = detection._ports(evaluator_settings()).state.get("brand-a")
    assert scheduled is not None
    # (quiet minutes write nothing: the clock is the last minute that wrote, at most the one asked for)
    assert scheduled.evaluated_minute <= f"{MINUTE - timedelta(minutes=2):%Y-%m-%dT%H:%M}"
    store_crisis(aws, scoring, lambda_context, 15, MINUTE)
    aws.use_function_environment("EvaluatorFunction")
    urgent = EvaluationRequests(tenant_ids=["brand-a"], minute=MINUTE, urgent=True).model_dump_json()
    evaluator.lambda_handler(sqs_event([urgent]), lambda_context)
    # Then its alerts fire at once, and the schedule's clock stays where it was
    fired = events(aws)
    assert fired
    assert {event.alert.fired_at for event in fired} == {MINUTE + timedelta(minutes=1)}
    state = detection._ports(evaluator_settings()).state.get("brand-a")
    assert state is not None
    assert state.evaluated_minute == scheduled.evaluated_minute
    # When the schedule asks for that minute, it evaluates the minute before it too, and fires nothing twice
    evaluate(aws, evaluator, lambda_context, MINUTE)
    assert events(aws) == []
    state = detection._ports(evaluator_settings()).state.get("brand-a")
    assert state is not None
    assert state.evaluated_minute == f"{MINUTE:%Y-%m-%dT%H:%M}"


def test_one_tenants_requests_in_a_batch_are_evaluated_one_after_another_and_tenants_side_by_side(
    aws: AwsStack,
) -> None:
    # Two evaluations of one tenant at once would both send the transitions neither had marked sent yet
    aws.use_function_environment("EvaluatorFunction")
    processor = detection.DetectionBatchProcessor(evaluator_settings())
    bodies = [
        EvaluationRequests(tenant_ids=tenants, minute=MINUTE, urgent=urgent).model_dump_json()
        for tenants, urgent in ((["brand-a", "brand-b"], False), (["brand-c"], False), (["brand-b"], True))
    ]
    records = [SQSRecord(record) for record in sqs_event([*bodies, "not a request"])["Records"]]
    lanes = lanes_of(records, processor.lane_keys)
    # the message asking for brand-a and brand-b and the urgent one for brand-b run one after another
    assert [[record.message_id for record in lane] for lane in lanes] == [
        ["message-0", "message-2"],
        ["message-1"],
        ["message-3"],  # a poison message is a lane of its own
    ]


def test_a_message_whose_one_tenant_fails_is_retried_whole_and_sends_nothing_twice(
    aws: AwsStack, scoring: Any, evaluator: Any, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two brands with a spike each, and brand-b's evaluation failing once (a storage error, say)
    for tenant in ("brand-a", "brand-b"):
        aws.new_tenant(tenant)
        store_crisis(aws, scoring, lambda_context, 15, MINUTE, tag=tenant, tenant=tenant)
    real = detection.evaluate_through
    failed: list[str] = []

    def failing_once_for_brand_b(tenant_id: str, *args: Any, **kwargs: Any) -> Any:
        if tenant_id == "brand-b" and not failed:
            failed.append(tenant_id)
            raise RuntimeError("storage unavailable")
        return real(tenant_id, *args, **kwargs)

    monkeypatch.setattr(detection, "evaluate_through", failing_once_for_brand_b)
    aws.use_function_environment("EvaluatorFunction")
    body = EvaluationRequests(tenant_ids=["brand-b", "brand-a"], minute=MINUTE).model_dump_json()
    # When one message asks for both
    first = evaluator.lambda_handler(sqs_event([body]), lambda_context)
    # Then the message is retried, and brand-a (after brand-b in it) was still evaluated: its alerts went out
    assert first == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    sent_first = events(aws)
    assert sent_first
    assert {event.alert.tenant_id for event in sent_first} == {"brand-a"}
    # When SQS delivers it again, brand-b's alerts go out, and none of brand-a's a second time
    assert evaluator.lambda_handler(sqs_event([body]), lambda_context) == {"batchItemFailures": []}
    sent_again = events(aws)
    assert sent_again
    assert {event.alert.tenant_id for event in sent_again} == {"brand-b"}
    assert sorted(event.alert.rule for event in sent_again) == sorted(event.alert.rule for event in sent_first)


def test_a_request_queued_before_requests_were_packed_is_still_evaluated(
    aws: AwsStack, scoring: Any, evaluator: Any, lambda_context: Any
) -> None:
    # Given a spike, and a request of one tenant as the fan-out sent them before (still queued across a deploy)
    aws.new_tenant("brand-a")
    store_crisis(aws, scoring, lambda_context, 15, MINUTE)
    aws.use_function_environment("EvaluatorFunction")
    body = EvaluationRequest(tenant_id="brand-a", minute=MINUTE).model_dump_json()
    # When it is handled, then it is evaluated (not dead-lettered): the spike's alerts go out
    assert evaluator.lambda_handler(sqs_event([body]), lambda_context) == {"batchItemFailures": []}
    assert {event.alert.tenant_id for event in events(aws)} == {"brand-a"}
    assert aws.queued_bodies("EvaluationDeadLetterQueue") == []
