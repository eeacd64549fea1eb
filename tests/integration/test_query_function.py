"""The query function under moto: listing newest first across days, filtering, paging, summaries, OpenAPI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sigap.kernel.models import Mention
from tests.conftest import http_event, load_handler, mention_payload, sqs_event
from tests.integration.conftest import AwsStack

NOW = datetime.now(UTC)
TEXTS = {
    "positive": "Pelayanannya ramah dan cepat, mantap!",
    "negative": "Kecewa banget, produknya rusak dan CS lambat",
    "neutral": "Besok saya ke kantor cabang di Bandung",
}


@pytest.fixture
def stored(aws: AwsStack, lambda_context: Any) -> tuple[str, str]:
    """Nine mentions over three days (three per sentiment), stored by the real scoring function."""
    tenant, key = aws.new_tenant()
    aws.use_function_environment("ScoringFunction")
    scoring = load_handler("scoring")
    bodies = []
    for index in range(9):
        sentiment = list(TEXTS)[index % 3]
        created = NOW - timedelta(hours=index * 7)
        payload = mention_payload(f"m{index}", text=TEXTS[sentiment], created_at=created.isoformat())
        bodies.append(Mention.model_validate(payload | {"tenant_id": tenant.tenant_id, "received_at": NOW}))
    result = scoring.lambda_handler(sqs_event([m.model_dump_json() for m in bodies]), lambda_context)
    assert result == {"batchItemFailures": []}
    aws.use_function_environment("QueryFunction")
    return tenant.tenant_id, key


def get(aws: AwsStack, context: Any, path: str, route: str, key: str | None, **query: str) -> tuple[int, Any]:
    handler = load_handler("query")
    headers = {"authorization": f"Bearer {key}"} if key else {}
    result = handler.lambda_handler(http_event("GET", path, route_path=route, headers=headers, query=query), context)
    return result["statusCode"], json.loads(result["body"])


def list_mentions(aws: AwsStack, context: Any, tenant: str, key: str, **query: str) -> tuple[int, Any]:
    return get(aws, context, f"/v1/tenants/{tenant}/mentions", "/v1/tenants/{tenant}/mentions", key, **query)


def test_mentions_are_listed_newest_first_across_days(
    aws: AwsStack, stored: tuple[str, str], lambda_context: Any
) -> None:
    tenant, key = stored
    status, body = list_mentions(aws, lambda_context, tenant, key)
    assert status == 200
    assert [item["mention"]["id"] for item in body["items"]] == [f"m{i}" for i in range(9)]
    assert body["next_cursor"] is None


def test_pages_follow_each_other_without_gaps_or_repeats(
    aws: AwsStack, stored: tuple[str, str], lambda_context: Any
) -> None:
    tenant, key = stored
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = {"limit": "4"} | ({"cursor": cursor} if cursor else {})
        status, body = list_mentions(aws, lambda_context, tenant, key, **query)
        assert status == 200
        seen.extend(item["mention"]["id"] for item in body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"m{i}" for i in range(9)]
    assert pages == 3


def test_mentions_can_be_filtered_by_sentiment_and_time(
    aws: AwsStack, stored: tuple[str, str], lambda_context: Any
) -> None:
    tenant, key = stored
    status, body = list_mentions(aws, lambda_context, tenant, key, sentiment="negative")
    assert status == 200
    assert [item["mention"]["id"] for item in body["items"]] == ["m1", "m4", "m7"]
    since = (NOW - timedelta(hours=15)).isoformat().replace("+00:00", "Z")
    status, body = list_mentions(aws, lambda_context, tenant, key, since=since)
    assert [item["mention"]["id"] for item in body["items"]] == ["m0", "m1", "m2"]


@pytest.fixture
def from_many_doors(aws: AwsStack, lambda_context: Any) -> tuple[str, str]:
    """Six mentions from three sources and channels, stored by the real scoring function: a hoax in Indonesian
    (with its forward), a ticket, an English complaint and two calm posts."""
    tenant, key = aws.new_tenant()
    aws.use_function_environment("ScoringFunction")
    hoax = "Teh Segar beracun!! anak tetangga masuk RS setelah minum, sebarkan ke grup keluarga"
    rows = [
        ("e1", "inbound-email", "email", hoax),
        ("e2", "inbound-email", "email", "Fwd: " + hoax),
        ("t1", "zendesk", "ticket", "Botolnya bocor dan bau aneh, saya kecewa"),
        ("s1", "youscan", "social", "Terrible service, my order never arrived and support ignores me"),
        ("s2", "youscan", "social", "Besok saya ke kantor cabang di Bandung"),
        ("s3", "youscan", "forum", "Pelayanannya ramah dan cepat, mantap!"),
    ]
    bodies = [
        Mention.model_validate(
            mention_payload(
                mention_id,
                text=text,
                source=source,
                channel=channel,
                created_at=(NOW - timedelta(minutes=index)).isoformat(),
            )
            | {"tenant_id": tenant.tenant_id, "received_at": NOW}
        ).model_dump_json()
        for index, (mention_id, source, channel, text) in enumerate(rows)
    ]
    assert load_handler("scoring").lambda_handler(sqs_event(bodies), lambda_context) == {"batchItemFailures": []}
    aws.use_function_environment("QueryFunction")
    return tenant.tenant_id, key


def test_a_tool_reads_back_what_it_sent_by_source_channel_story_language_and_signal(
    aws: AwsStack, from_many_doors: tuple[str, str], lambda_context: Any
) -> None:
    tenant, key = from_many_doors

    def ids(**query: str) -> list[str]:
        status, body = list_mentions(aws, lambda_context, tenant, key, **query)
        assert status == 200, body
        return [item["mention"]["id"] for item in body["items"]]

    assert ids(source="youscan") == ["s1", "s2", "s3"]
    assert ids(channel="ticket") == ["t1"]
    assert ids(source="youscan", channel="social") == ["s1", "s2"]
    assert ids(language="en") == ["s1"]
    assert ids(signal="safety_health") == ["e1", "e2"]
    story = list_mentions(aws, lambda_context, tenant, key, source="inbound-email")[1]["items"][0]["score"]["story_id"]
    assert ids(story=story) == ["e1", "e2"]
    assert ids(source="youscan", sentiment="positive") == ["s3"]
    assert ids(source="nobody") == []
    # Paging through a filter: two pages of one, no gaps or repeats
    first = list_mentions(aws, lambda_context, tenant, key, source="youscan", channel="social", limit="1")[1]
    second = list_mentions(
        aws, lambda_context, tenant, key, source="youscan", channel="social", limit="1", cursor=first["next_cursor"]
    )[1]
    assert [item["mention"]["id"] for item in first["items"] + second["items"]] == ["s1", "s2"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [({"story": "not-a-story"}, "story"), ({"language": "English"}, "language"), ({"signal": "DROP TABLE"}, "signal"),
     ({"channel": "fax"}, "channel"), ({"source": ""}, "source")],
)  # fmt: skip
def test_a_filter_that_cannot_match_anything_is_named(
    aws: AwsStack, stored: tuple[str, str], lambda_context: Any, query: dict[str, str], field: str
) -> None:
    tenant, key = stored
    status, body = list_mentions(aws, lambda_context, tenant, key, **query)
    assert status == 422, body
    assert body["error"]["fields"][0]["field"] == field


def test_a_bad_query_is_named(aws: AwsStack, stored: tuple[str, str], lambda_context: Any) -> None:
    tenant, key = stored
    status, body = list_mentions(aws, lambda_context, tenant, key, limit="0")
    assert status == 422
    assert body["error"]["fields"][0]["field"] == "limit"
    status, body = list_mentions(aws, lambda_context, tenant, key, sentiment="angry")
    assert status == 422
    assert body["error"]["fields"][0]["field"] == "sentiment"
    status, body = list_mentions(aws, lambda_context, tenant, key, cursor="not-a-cursor")
    assert status == 400
    assert body["error"]["code"] == "invalid_cursor"


def test_the_summary_counts_by_sentiment(aws: AwsStack, stored: tuple[str, str], lambda_context: Any) -> None:
    tenant, key = stored
    since = (NOW - timedelta(days=3)).isoformat().replace("+00:00", "Z")
    status, body = get(
        aws, lambda_context, f"/v1/tenants/{tenant}/summary", "/v1/tenants/{tenant}/summary", key, since=since
    )
    assert status == 200
    assert (body["total"], body["negative"], body["neutral"], body["positive"]) == (9, 3, 3, 3)
    assert body["distinct_authors"] == 9


def test_the_default_summary_covers_the_last_day(aws: AwsStack, stored: tuple[str, str], lambda_context: Any) -> None:
    tenant, key = stored
    status, body = get(aws, lambda_context, f"/v1/tenants/{tenant}/summary", "/v1/tenants/{tenant}/summary", key)
    assert status == 200
    assert body["total"] == 4  # created 0, 7, 14 and 21 hours ago


def test_reading_needs_the_tenants_key(aws: AwsStack, stored: tuple[str, str], lambda_context: Any) -> None:
    tenant, _ = stored
    status, _ = list_mentions(aws, lambda_context, tenant, "sgp_brand-a_wrong")
    assert status == 401


def test_the_openapi_document_describes_every_route(aws: AwsStack, lambda_context: Any) -> None:
    aws.use_function_environment("QueryFunction")
    status, body = get(aws, lambda_context, "/v1/openapi.json", "/v1/openapi.json", None)
    assert status == 200
    declared = {
        event["Properties"]["Path"]
        for spec in aws.template.functions()
        for event in spec.events.values()
        if event["Type"] == "HttpApi"
    }
    assert set(body["paths"]) == declared - {"/v1/openapi.json"}
    assert set(body["paths"]["/v1/tenants/{tenant}/mentions"]) == {"get", "post"}
    assert set(body["paths"]["/v1/tenants/{tenant}/detection-settings"]) == {"get", "put"}
    assert set(body["paths"]["/v1/tenants/{tenant}/channels/{channel_id}"]) == {"get", "patch", "delete"}
    for schema in ("MentionIn", "Alert", "Evidence", "DetectionSettings", "NotificationPolicy-Input", "IncidentView"):
        assert schema in body["components"]["schemas"]
    assert body["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


ONE_MENTION = "/v1/tenants/{tenant}/mentions/{mention_id}"


def test_a_tool_reads_back_the_mention_it_posted_scored_or_still_waiting(
    aws: AwsStack, stored: tuple[str, str], lambda_context: Any
) -> None:
    # Given a scored mention, and one only accepted so far (claimed by ingestion, its scoring still queued)
    tenant, key = stored
    from sigap.mentions.store import MentionStore

    waiting = Mention.model_validate(
        mention_payload("ticket:42", text="Botolnya bocor") | {"tenant_id": tenant, "received_at": NOW}
    )
    MentionStore(aws.table("MentionsTable")).claim(tenant, [waiting], expires_at=int(NOW.timestamp()) + 3600)
    # When each is read by the id its source sent
    status, scored = get(aws, lambda_context, f"/v1/tenants/{tenant}/mentions/m1", ONE_MENTION, key)
    # Then the scored one comes with its score, as in the listing
    assert status == 200
    assert scored["state"] == "scored"
    assert scored["mention"]["id"] == "m1"
    assert scored["score"]["sentiment"] == "negative"
    # And the waiting one says so, with the mention as it was received
    status, accepted = get(aws, lambda_context, f"/v1/tenants/{tenant}/mentions/ticket%3A42", ONE_MENTION, key)
    assert status == 200
    assert (accepted["state"], accepted["mention"]["text"], accepted["score"]) == ("accepted", "Botolnya bocor", None)


def test_an_unknown_id_is_a_404_and_another_tenants_mention_is_not_readable(
    aws: AwsStack, stored: tuple[str, str], lambda_context: Any
) -> None:
    tenant, key = stored
    _, other_key = aws.new_tenant("brand-b")
    status, body = get(aws, lambda_context, f"/v1/tenants/{tenant}/mentions/nope", ONE_MENTION, key)
    assert (status, body["error"]["code"]) == (404, "not_found")
    # brand-b's key on brand-a's mention is refused at the door; on its own tenant the id is simply not there
    status, _ = get(aws, lambda_context, f"/v1/tenants/{tenant}/mentions/m1", ONE_MENTION, other_key)
    assert status == 403
    status, _ = get(aws, lambda_context, "/v1/tenants/brand-b/mentions/m1", ONE_MENTION, other_key)
    assert status == 404
