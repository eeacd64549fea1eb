"""The reminders run on wakes, under moto and metered: it reads only tenants whose promises need a look, so an
agency's idle tenants cost it nothing; a published statement, a reminder setting changed through the API and an
incident reopened through the API each wake their tenant; a run never overwrites a wake it did not see; and a
stack whose promises predate wakes has every tenant looked at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import boto3
import pytest

from sigap.incidents.domain.model import EventKind, IncidentState
from sigap.incidents.promise_wakes import SeenWake
from sigap.incidents.store import IncidentsTable
from sigap.kernel.models import utc_now
from sigap.platform.aws import dynamodb_client
from sigap.statements import reminders_tick
from sigap.statements.domain.models import PublishRequest, Review, StatementCreate, Submission
from sigap.statements.domain.workflow import create_statement, publish, review, submit
from sigap.statements.queue import PublicationQueue
from sigap.statements.store import PublishingTable
from sigap_tools.capacity.cost import REMINDER_RUN_READ_UNITS
from sigap_tools.capacity.meter import CapacityMeter, table_shapes
from tests.conftest import http_event, load_handler
from tests.integration.conftest import AwsStack
from tests.unit.publishing_fakes import INCIDENT_ID, TENANT, VARIABLES, incident

IDLE_TENANTS = 120


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = utc_now()
        monkeypatch.setattr(reminders_tick, "utc_now", lambda: self.now)


def _run(aws: AwsStack, context: Any) -> dict[str, int]:
    aws.use_function_environment("RemindersFunction")
    result: dict[str, int] = load_handler("reminders").lambda_handler({}, context)
    return result


def _metered(aws: AwsStack, context: Any) -> tuple[dict[str, int], CapacityMeter]:
    aws.use_function_environment("RemindersFunction")
    client = dynamodb_client()
    meter = CapacityMeter(table_shapes(client, [aws.table(name) for name in ("NotificationsTable", "PublishingTable")]))
    meter.attach(client)
    return load_handler("reminders").lambda_handler({}, context), meter


def _timeline_kinds(aws: AwsStack) -> list[EventKind]:
    return [e.kind for e in IncidentsTable(aws.table("NotificationsTable")).timeline(TENANT, INCIDENT_ID)]


@pytest.fixture
def promised(aws: AwsStack, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A brand with an open critical incident and a published statement promising its next update, beside
    IDLE_TENANTS clients with nothing promised. Returns the API key and the promise's time."""
    _, key = aws.new_tenant(TENANT)
    for number in range(IDLE_TENANTS):
        aws.new_tenant(f"idle-{number:04d}")
    now = utc_now()
    incidents = IncidentsTable(aws.table("NotificationsTable"))
    incidents.save_incident(incident(opened_at=now, first_mention_at=now, detected_at=now), 0, [])
    store = PublishingTable(aws.table("PublishingTable"))
    store.put_settings(TENANT, store.settings(TENANT).model_copy(update={"staff_emails": ["staff@x.example"]}))
    request = StatementCreate(incident_id=INCIDENT_ID, by="rina", template="crisis", variables=VARIABLES)
    statement_id = create_statement(store, incidents, TENANT, request, now).statement.statement_id
    submit(store, TENANT, statement_id, Submission(by="rina"), now)
    review(store, TENANT, statement_id, Review(by="budi"), now)
    queue = PublicationQueue(aws.queue_url("PublicationQueue"))
    publish(store, incidents, queue, TENANT, statement_id, PublishRequest(by="budi"), now)
    statement = store.statement(TENANT, statement_id)
    assert statement is not None
    due = statement.current.content.next_update_at
    assert due is not None
    return {"key": key, "due": due}


def test_idle_tenants_cost_the_run_nothing_and_a_promise_is_kept_once_each_way(
    aws: AwsStack, lambda_context: Any, promised: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    due: datetime = promised["due"]
    # Given the first run since wakes exist: it looks at every tenant once, and settles each
    assert _run(aws, lambda_context) == {"tenants": 0, "actions": 0}
    # When the next runs come, long before the reminder is due
    clock.now += timedelta(minutes=2)
    answer, meter = _metered(aws, lambda_context)
    # Then they read no tenant at all: the wakes' index, one query per shard, and the stack's started mark
    assert answer == {"tenants": 0, "actions": 0}
    assert meter.read_units <= REMINDER_RUN_READ_UNITS, meter.table_calls  # what the cost model charges
    assert meter.write_units == 0
    assert {call for call, _ in meter.table_calls} <= {"Query", "GetItem"}
    # When the reminder comes due (15 minutes before the promise), then the owner is reminded, once
    clock.now = due - timedelta(minutes=14)
    assert _run(aws, lambda_context) == {"tenants": 1, "actions": 1}
    clock.now += timedelta(minutes=1)
    assert _run(aws, lambda_context) == {"tenants": 0, "actions": 0}
    # And once the promise has passed, the late update is escalated, once, and the tenant leaves the index
    clock.now = due + timedelta(minutes=1)
    assert _run(aws, lambda_context) == {"tenants": 1, "actions": 1}
    clock.now += timedelta(minutes=5)
    assert _run(aws, lambda_context) == {"tenants": 0, "actions": 0}
    assert list(IncidentsTable(aws.table("NotificationsTable")).due_wakes(clock.now + timedelta(days=30))) == []
    kinds = _timeline_kinds(aws)
    assert kinds.count(EventKind.UPDATE_REMINDER) == 1
    assert kinds.count(EventKind.UPDATE_OVERDUE) == 1


def test_the_reads_of_a_run_do_not_grow_with_the_idle_tenants(
    aws: AwsStack, lambda_context: Any, promised: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    _run(aws, lambda_context)
    clock.now += timedelta(minutes=1)
    _, few = _metered(aws, lambda_context)
    # Given as many idle tenants again
    for number in range(IDLE_TENANTS):
        aws.new_tenant(f"more-{number:04d}")
    clock.now += timedelta(minutes=1)
    _, more = _metered(aws, lambda_context)
    assert more.read_units == few.read_units


def test_a_reopened_incident_and_a_reminder_setting_changed_through_the_api_wake_their_tenant(
    aws: AwsStack, lambda_context: Any, promised: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    key = promised["key"]
    wakes = IncidentsTable(aws.table("NotificationsTable"))
    _run(aws, lambda_context)
    assert [seen.tenant_id for seen in wakes.due_wakes(clock.now)] == []

    def api(function: str, folder: str, method: str, route: str, body: Any, **params: str) -> int:
        aws.use_function_environment(function)
        path = route.format(tenant=TENANT, **params)
        event = http_event(
            method,
            path,
            route_path=route,
            body=body,
            headers={"content-type": "application/json", "authorization": f"Bearer {key}"},
        )
        status: int = load_handler(folder).lambda_handler(event, lambda_context)["statusCode"]
        return status

    def set_state(state: str) -> int:
        route = "/v1/tenants/{tenant}/incidents/{incident_id}"
        return api("NotificationsFunction", "notifications", "PATCH", route, {"state": state}, incident_id=INCIDENT_ID)

    def due() -> list[str]:
        return [seen.tenant_id for seen in wakes.due_wakes(utc_now())]

    # When the incident is resolved, nothing wakes; when it is reopened, its tenant is due at once
    assert set_state("resolved") == 200
    assert due() == []
    assert set_state("investigating") == 200
    assert due() == [TENANT]
    stored = wakes.incident(TENANT, INCIDENT_ID)
    assert stored is not None
    assert stored.state is IncidentState.INVESTIGATING
    clock.now = utc_now()
    _run(aws, lambda_context)
    assert due() == []
    # (a client retrying that request, as after a failure once the incident was saved, wakes it again)
    assert set_state("investigating") == 200
    assert due() == [TENANT]
    clock.now = utc_now()
    _run(aws, lambda_context)
    # When the reminder settings change, the tenant is due again (the other settings wake nothing)
    publishing = "/v1/tenants/{tenant}/publishing"
    assert api("StatementsFunction", "statements", "PUT", publishing, {"contact": "0800-1-234567"}) == 200
    assert due() == []
    assert api("StatementsFunction", "statements", "PUT", publishing, {"reminders": {"remind_before": 120}}) == 200
    assert due() == [TENANT]


def test_a_run_never_overwrites_a_wake_it_did_not_see(aws: AwsStack, promised: dict[str, Any]) -> None:
    # Given the run read the tenant's wake, then a statement was published (its tenant woken again)
    wakes = IncidentsTable(aws.table("NotificationsTable"))
    (seen,) = [seen for seen in wakes.due_wakes(utc_now()) if seen.tenant_id == TENANT]
    wakes.wake_promises(TENANT, utc_now())
    # When the run settles what it read
    assert not wakes.settle_wake(seen, None)
    # Then the tenant stays due; settled with what is there now, it leaves
    (again,) = [seen for seen in wakes.due_wakes(utc_now()) if seen.tenant_id == TENANT]
    assert again.woken == seen.woken + 1
    assert wakes.settle_wake(again, None)
    assert list(wakes.due_wakes(utc_now() + timedelta(days=30))) == []


def test_a_stack_with_promises_from_before_wakes_looks_at_every_tenant_once(
    aws: AwsStack, lambda_context: Any, promised: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the promise's wake lost (as on a stack deployed before wakes existed)
    table = aws.table("NotificationsTable")
    boto3.client("dynamodb").delete_item(TableName=table, Key={"pk": {"S": TENANT}, "sk": {"S": "PROMISEWAKE"}})
    clock = Clock(monkeypatch)
    clock.now = promised["due"] - timedelta(minutes=10)
    # When the first run comes, the tenant is looked at all the same and reminded; a second run starts nothing
    assert _run(aws, lambda_context) == {"tenants": 1, "actions": 1}
    wakes = IncidentsTable(table)
    assert not wakes.start_wakes([TENANT], clock.now)
    assert [SeenWake(TENANT, 1)] == [seen for seen in wakes.due_wakes(promised["due"]) if seen.tenant_id == TENANT]


def test_a_wake_given_with_a_writers_offset_comes_at_the_same_instant_as_in_utc(
    aws: AwsStack, promised: dict[str, Any]
) -> None:
    # Given the tenant's next look set for 14:30 in Jakarta (+07:00), which is 07:30 UTC
    wakes = IncidentsTable(aws.table("NotificationsTable"))
    (seen,) = [seen for seen in wakes.due_wakes(utc_now()) if seen.tenant_id == TENANT]
    jakarta = timezone(timedelta(hours=7))
    assert wakes.settle_wake(seen, datetime(2027, 1, 5, 14, 30, tzinfo=jakarta))
    # Then a run at 07:29:59 UTC does not read it, one at 07:30 UTC does (and one at 14:29 UTC, the same clock
    # reading in the other zone, would have found it long due)
    due_at = [
        [seen.tenant_id for seen in wakes.due_wakes(moment)]
        for moment in (datetime(2027, 1, 5, 7, 29, 59, tzinfo=UTC), datetime(2027, 1, 5, 7, 30, tzinfo=UTC))
    ]
    assert due_at == [[], [TENANT]]
