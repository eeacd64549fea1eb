"""What a stranger or an external tool will try on both HTTP APIs, under moto: arrays as bodies, times with
offsets, extreme and malformed values, re-sends with other text, cursors that are not ours. Each case is a
defect once found on main: a silent drop, an empty answer or a 5xx."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sigap.kernel.models import Mention
from tests.conftest import http_event, load_handler, mention_payload, sqs_event
from tests.integration.conftest import AwsStack

MENTIONS = "/v1/tenants/{tenant}/mentions"
SUMMARY = "/v1/tenants/{tenant}/summary"
JAKARTA = timedelta(hours=7)


@pytest.fixture
def handlers(aws: AwsStack) -> dict[str, Any]:
    loaded = {}
    for name, logical_id in (("ingest", "IngestFunction"), ("query", "QueryFunction"), ("scoring", "ScoringFunction")):
        aws.use_function_environment(logical_id)
        loaded[name] = load_handler(name)
    # Every function's variables are set now; the union is what each handler reads from its own settings.
    return loaded


def call(
    handler: Any,
    context: Any,
    method: str,
    path: str,
    route: str,
    key: str | None,
    *,
    body: Any = None,
    raw: str | bytes | None = None,
    query: dict[str, str] | None = None,
    content_type: str | None = "application/json",
) -> tuple[int, Any]:
    headers: dict[str, str | None] = {"content-type": content_type}
    if key:
        headers["authorization"] = f"Bearer {key}"
    event = http_event(method, path, route_path=route, body=body, raw_body=raw, headers=headers, query=query)
    result = handler.lambda_handler(event, context)
    return result["statusCode"], json.loads(result["body"])


def post(handlers: dict[str, Any], context: Any, tenant: str, key: str, **kwargs: Any) -> tuple[int, Any]:
    return call(handlers["ingest"], context, "POST", f"/v1/tenants/{tenant}/mentions", MENTIONS, key, **kwargs)


def get(handlers: dict[str, Any], context: Any, tenant: str, key: str, what: str, **query: str) -> tuple[int, Any]:
    route = MENTIONS if what == "mentions" else SUMMARY
    path = f"/v1/tenants/{tenant}/{what}"
    return call(handlers["query"], context, "GET", path, route, key, query=query, content_type=None)


def score_everything_queued(aws: AwsStack, handlers: dict[str, Any], context: Any) -> None:
    bodies = aws.queued_bodies()
    assert bodies, "nothing was queued"
    result = handlers["scoring"].lambda_handler(sqs_event(bodies), context)
    assert result == {"batchItemFailures": []}


def assert_error_shape(status: int, body: Any, expected_status: int) -> None:
    assert status == expected_status, body
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str)
    assert body["error"]["message"]


def test_a_top_level_array_is_a_batch_and_no_mention_is_dropped(
    aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    # Given a tenant and a body that is a bare JSON array of three mentions
    tenant, key = aws.new_tenant()
    array = [mention_payload(f"a{i}") for i in range(3)]
    # When it is posted
    status, body = post(handlers, lambda_context, tenant.tenant_id, key, body=array)
    # Then all three are accepted and queued
    assert status == 202
    assert body["accepted"] == ["a0", "a1", "a2"]
    assert sorted(Mention.model_validate_json(b).id for b in aws.queued_bodies()) == ["a0", "a1", "a2"]


def test_an_invalid_mention_in_an_array_is_named_by_its_index(
    aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    tenant, key = aws.new_tenant()
    array = [mention_payload("a0"), mention_payload("a1", created_at="yesterday")]
    status, body = post(handlers, lambda_context, tenant.tenant_id, key, body=array)
    assert_error_shape(status, body, 422)
    assert [f["field"] for f in body["error"]["fields"]] == ["mentions[1].created_at"]
    assert aws.queued_bodies() == []


def test_the_same_instants_written_with_plus_seven_answer_what_z_answers(
    aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    # Given mentions published over the last hours, scored and stored
    tenant, key = aws.new_tenant()
    now = datetime.now(UTC)
    mentions = [mention_payload(f"t{i}", created_at=(now - timedelta(hours=i)).isoformat()) for i in range(6)]
    assert post(handlers, lambda_context, tenant.tenant_id, key, body={"mentions": mentions})[0] == 202
    score_everything_queued(aws, handlers, lambda_context)
    since, until = now - timedelta(hours=10), now + timedelta(minutes=1)
    in_z = {"since": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "until": until.strftime("%Y-%m-%dT%H:%M:%SZ")}
    in_jakarta = {
        "since": since.astimezone(UTC).astimezone(_tz(JAKARTA)).isoformat(timespec="seconds"),
        "until": until.astimezone(_tz(JAKARTA)).isoformat(timespec="seconds"),
    }
    assert "+07:00" in in_jakarta["since"]
    for what in ("mentions", "summary"):
        # When the same window is asked for in Z and in +07:00
        status_z, body_z = get(handlers, lambda_context, tenant.tenant_id, key, what, **in_z)
        status_j, body_j = get(handlers, lambda_context, tenant.tenant_id, key, what, **in_jakarta)
        # Then both answer the same, and it is everything stored
        assert status_z == status_j == 200
        if what == "mentions":
            assert [i["mention"]["id"] for i in body_j["items"]] == [i["mention"]["id"] for i in body_z["items"]]
            assert len(body_j["items"]) == 6
        else:
            assert body_j["total"] == body_z["total"] == 6
            assert body_j["since"] == body_z["since"]


def _tz(offset: timedelta) -> Any:
    from datetime import timezone

    return timezone(offset)


def test_a_resend_with_other_text_before_scoring_is_a_duplicate_and_the_first_text_is_stored(
    aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    # Given a mention accepted and not scored yet
    tenant, key = aws.new_tenant()
    first = mention_payload("r1", text="Teh Segar enak sekali, suka!")
    assert post(handlers, lambda_context, tenant.tenant_id, key, body=first)[1]["accepted"] == ["r1"]
    # When the same id is re-sent with another text before scoring
    status, body = post(handlers, lambda_context, tenant.tenant_id, key, body=first | {"text": "Teh Segar basi!"})
    # Then the re-send is a duplicate, and whatever is queued, only the first text is stored
    assert (status, body["accepted"], body["duplicates"]) == (202, [], ["r1"])
    score_everything_queued(aws, handlers, lambda_context)
    status, listing = get(handlers, lambda_context, tenant.tenant_id, key, "mentions")
    assert [item["mention"]["text"] for item in listing["items"]] == ["Teh Segar enak sekali, suka!"]
    assert get(handlers, lambda_context, tenant.tenant_id, key, "summary")[1]["total"] == 1


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


BAD_MENTIONS = {
    "created_at past year 1 once in UTC": ({"created_at": "0001-01-01T00:00:00+14:00"}, 422),
    "created_at past year 9999 once in UTC": ({"created_at": "9999-12-31T23:59:59-14:00"}, 422),
    "created_at as a number (1970)": ({"created_at": 0}, 422),
    "created_at before 2000": ({"created_at": "1999-12-31T23:59:59Z"}, 422),
    "created_at without an offset": ({"created_at": "2026-11-22T10:00:00"}, 422),
    "followers as a boolean": ({"author": {"handle": "@x", "followers": True}}, 422),
    "followers of 10^30": ({"author": {"handle": "@x", "followers": 10**30}}, 422),
    "followers as a fraction": ({"author": {"handle": "@x", "followers": 1.5}}, 422),
    "likes below zero": ({"engagement": {"likes": -1}}, 422),
    "an id with white space around it": ({"id": " m1 "}, 422),
}


@pytest.mark.parametrize("case", list(BAD_MENTIONS), ids=list(BAD_MENTIONS))
def test_an_implausible_field_is_a_422_naming_it(
    case: str, aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    tenant, key = aws.new_tenant()
    overrides, expected = BAD_MENTIONS[case]
    status, body = post(handlers, lambda_context, tenant.tenant_id, key, body=mention_payload("x") | overrides)
    assert_error_shape(status, body, expected)
    assert body["error"]["fields"][0]["field"].split(".")[0] in overrides
    assert aws.queued_bodies() == []


def _raw_with(fragment: str) -> str:
    return json.dumps(mention_payload("x")).replace('"source"', f'"raw": {fragment}, "source"', 1)


BAD_BODIES = {
    "raw nested 1,000 deep": (_raw_with("[" * 1000 + "]" * 1000), 400, "too_deep"),
    "a top-level array nested 100,000 deep": ("[" * 100_000 + "]" * 100_000, 400, "too_deep"),
    "a 5,000-digit integer in raw": (_raw_with("9" * 5000), 400, "malformed_json"),
    "a 5,000-digit integer in followers": (
        json.dumps(mention_payload("x")).replace('"followers": 1200', '"followers": ' + "9" * 5000),
        400,
        "malformed_json",
    ),
    "an unpaired surrogate escape": (
        json.dumps(mention_payload("x", text="\\ud800")).replace("\\\\", "\\"),
        400,
        "malformed_json",
    ),
    "not JSON": ("{not json", 400, "malformed_json"),
    "JSON null": ("null", 422, "invalid_request"),
}


@pytest.mark.parametrize("case", list(BAD_BODIES), ids=list(BAD_BODIES))
def test_a_malformed_body_is_a_4xx_naming_the_problem(
    case: str, aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    tenant, key = aws.new_tenant()
    raw, expected, code = BAD_BODIES[case]
    status, body = post(handlers, lambda_context, tenant.tenant_id, key, raw=raw)
    assert_error_shape(status, body, expected)
    assert body["error"]["code"] == code


def test_a_binary_body_with_no_content_type_is_a_400(
    aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    tenant, key = aws.new_tenant()
    status, body = post(handlers, lambda_context, tenant.tenant_id, key, raw=b"\xff\xfe\x00binary", content_type=None)
    assert_error_shape(status, body, 400)
    assert "UTF-8" in body["error"]["message"]


@pytest.mark.parametrize(
    "content_type",
    ["application/JSON", "application/json; charset=UTF-8", "text/plain", None, "application/x-www-form-urlencoded"],
    ids=["upper case", "charset", "text/plain", "no type", "curl -d's default"],
)
def test_json_is_accepted_whatever_the_case_or_parameters_of_its_content_type(
    content_type: str | None, aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    tenant, key = aws.new_tenant()
    status, body = post(
        handlers, lambda_context, tenant.tenant_id, key, body=mention_payload("ct"), content_type=content_type
    )
    assert (status, body["accepted"]) == (202, ["ct"])


def test_a_body_that_is_not_json_by_its_content_type_is_a_415(
    aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    tenant, key = aws.new_tenant()
    status, body = post(
        handlers, lambda_context, tenant.tenant_id, key, raw="a=1", content_type="application/x-www-form-urlencoded"
    )
    assert_error_shape(status, body, 415)


def test_an_author_given_as_a_plain_string_is_its_handle(
    aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    tenant, key = aws.new_tenant()
    status, _ = post(handlers, lambda_context, tenant.tenant_id, key, body=mention_payload("s1", author="@rina"))
    assert status == 202
    [queued] = [Mention.model_validate_json(b) for b in aws.queued_bodies()]
    assert queued.author.handle == "@rina"


@pytest.mark.parametrize("what", ["mentions", "summary"])
@pytest.mark.parametrize(
    "query",
    [
        {"until": "0001-01-01T00:00:00Z"},
        {"since": "0001-01-01T00:00:00+14:00"},
        {"since": "9999-12-31T23:59:59-14:00"},
        {"since": "2026-11-22T00:00:00Z", "until": "2026-11-21T00:00:00Z"},
        {"since": "2020-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"since": "yesterday"},
    ],
)
def test_an_impossible_window_is_a_422(
    what: str, query: dict[str, str], aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    tenant, key = aws.new_tenant()
    status, body = get(handlers, lambda_context, tenant.tenant_id, key, what, **query)
    assert_error_shape(status, body, 422)


def test_an_unencoded_plus_in_a_time_still_means_the_offset(
    aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    tenant, key = aws.new_tenant()
    event = http_event(
        "GET",
        f"/v1/tenants/{tenant.tenant_id}/summary",
        route_path=SUMMARY,
        headers={"authorization": f"Bearer {key}"},
    )
    event["queryStringParameters"] = {"since": "2026-11-22T10:00:00 07:00"}  # what '+07:00' unencoded arrives as
    result = handlers["query"].lambda_handler(event, lambda_context)
    assert result["statusCode"] == 200
    assert json.loads(result["body"])["since"].startswith("2026-11-22T03:00:00")


def _stored_pages(aws: AwsStack, handlers: dict[str, Any], context: Any, tenant: str, key: str) -> str:
    mentions = [mention_payload(f"p{i}") for i in range(3)]
    assert post(handlers, context, tenant, key, body=mentions)[0] == 202
    score_everything_queued(aws, handlers, context)
    status, page = get(handlers, context, tenant, key, "mentions", limit="1")
    assert status == 200
    assert page["next_cursor"]
    cursor: str = page["next_cursor"]
    return cursor


def test_a_cursor_pages_through_everything_once(aws: AwsStack, handlers: dict[str, Any], lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    cursor: str | None = _stored_pages(aws, handlers, lambda_context, tenant.tenant_id, key)
    seen = []
    while cursor:
        status, page = get(handlers, lambda_context, tenant.tenant_id, key, "mentions", limit="1", cursor=cursor)
        assert status == 200
        seen.extend(item["mention"]["id"] for item in page["items"])
        cursor = page["next_cursor"]
    assert len(seen) == 2


def test_another_tenants_cursor_is_a_400_not_a_retry(
    aws: AwsStack, handlers: dict[str, Any], lambda_context: Any
) -> None:
    # Given a valid cursor issued to brand-a
    tenant_a, key_a = aws.new_tenant("brand-a")
    tenant_b, key_b = aws.new_tenant("brand-b")
    cursor = _stored_pages(aws, handlers, lambda_context, tenant_a.tenant_id, key_a)
    # When brand-b presents it
    status, body = get(handlers, lambda_context, tenant_b.tenant_id, key_b, "mentions", cursor=cursor)
    # Then it is refused as a cursor this API did not issue to brand-b
    assert_error_shape(status, body, 400)
    assert body["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    "cursor",
    [
        base64.urlsafe_b64encode(("[" * 700 + "]" * 700).encode()).decode(),
        base64.urlsafe_b64encode(b'{"day": "2026-11-22", "key": {"pk": {"S": "brand-b#M#x"}}}').decode(),
        "not-a-cursor",
        "a.b.c",
        "",
    ],
    ids=["deeply nested JSON", "a foreign key", "not base64", "three parts", "empty"],
)
def test_a_made_up_cursor_is_a_400(cursor: str, aws: AwsStack, handlers: dict[str, Any], lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    status, body = get(handlers, lambda_context, tenant.tenant_id, key, "mentions", cursor=cursor)
    if cursor == "":
        assert status == 200  # an empty cursor is no cursor: the first page
        return
    assert_error_shape(status, body, 400)


def test_a_tampered_cursor_is_a_400(aws: AwsStack, handlers: dict[str, Any], lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    cursor = _stored_pages(aws, handlers, lambda_context, tenant.tenant_id, key)
    _, _, signature = cursor.partition(".")
    forged = base64.urlsafe_b64encode(b'["2026-11-22","x","y"]').decode().rstrip("=") + "." + signature
    status, body = get(handlers, lambda_context, tenant.tenant_id, key, "mentions", cursor=forged)
    assert_error_shape(status, body, 400)
