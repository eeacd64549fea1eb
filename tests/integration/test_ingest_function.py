"""The ingestion function under moto: authentication, validation and queueing, as a client sees them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sigap.kernel.models import Mention
from tests.conftest import http_event, load_handler, mention_payload
from tests.integration.conftest import AwsStack

ROUTE = "/v1/tenants/{tenant}/mentions"


@pytest.fixture
def ingest(aws: AwsStack) -> Any:
    aws.use_function_environment("IngestFunction")
    return load_handler("ingest")


def post(
    handler: Any, context: Any, tenant: str, key: str | None, body: Any = None, raw: str | None = None, **headers: str
) -> tuple[int, Any]:
    all_headers = dict(headers)
    if key is not None:
        all_headers["authorization"] = f"Bearer {key}"
    event = http_event(
        "POST", f"/v1/tenants/{tenant}/mentions", route_path=ROUTE, body=body, raw_body=raw, headers=all_headers
    )
    result = handler.lambda_handler(event, context)
    return result["statusCode"], json.loads(result["body"])


def test_a_valid_batch_is_accepted_and_queued_for_scoring(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    # Given a tenant and two valid mentions
    tenant, key = aws.new_tenant()
    mentions = [mention_payload("m1"), mention_payload("m2", text="Produk ini jelek banget", channel="review")]
    # When they are posted as a batch
    status, body = post(ingest, lambda_context, tenant.tenant_id, key, {"mentions": mentions})
    # Then both are accepted, and both wait on the scoring queue with the tenant attached
    assert status == 202
    assert body["accepted"] == ["m1", "m2"]
    assert body["duplicates"] == []
    queued = [Mention.model_validate_json(b) for b in aws.queued_bodies()]
    assert sorted(m.id for m in queued) == ["m1", "m2"]
    assert {m.tenant_id for m in queued} == {tenant.tenant_id}


def test_a_single_mention_object_is_accepted(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    status, body = post(ingest, lambda_context, tenant.tenant_id, key, mention_payload("solo"))
    assert status == 202
    assert body["accepted"] == ["solo"]


def test_a_wrong_key_gets_401_and_nothing_is_queued(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    status, body = post(ingest, lambda_context, tenant.tenant_id, key[:-4] + "XXXX", mention_payload())
    assert status == 401
    assert body["error"]["code"] == "unauthenticated"
    assert aws.queued_bodies() == []


def test_a_missing_key_gets_401_before_the_body_is_validated(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    tenant, _ = aws.new_tenant()
    status, body = post(ingest, lambda_context, tenant.tenant_id, None, {"nonsense": True})
    assert status == 401
    assert "Authorization: Bearer" in body["error"]["message"]


def test_another_tenants_path_gets_403(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    _, key_a = aws.new_tenant("brand-a")
    aws.new_tenant("brand-b")
    status, body = post(ingest, lambda_context, "brand-b", key_a, mention_payload())
    assert status == 403
    assert body["error"]["code"] == "forbidden"


def test_a_malformed_mention_gets_422_naming_the_field(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    broken = mention_payload("m2")
    del broken["text"]
    status, body = post(ingest, lambda_context, tenant.tenant_id, key, {"mentions": [mention_payload("m1"), broken]})
    assert status == 422
    assert {"field": "mentions[1].text", "problem": "Field required"} in body["error"]["fields"]
    assert "mentions[1].text" in body["error"]["message"]
    assert aws.queued_bodies() == []  # a batch is accepted whole or not at all


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"created_at": "2026-11-22T10:00:00"}, "created_at"),  # no offset: ambiguous, refused
        ({"url": "not a url"}, "url"),
        ({"text": "   "}, "text"),
        ({"id": "has spaces in it"}, "id"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_each_invalid_field_is_named(
    aws: AwsStack, ingest: Any, lambda_context: Any, change: dict[str, Any], field: str
) -> None:
    tenant, key = aws.new_tenant()
    status, body = post(ingest, lambda_context, tenant.tenant_id, key, mention_payload() | change)
    assert status == 422
    assert field in [problem["field"] for problem in body["error"]["fields"]]


def test_values_spelt_as_listening_tools_and_exports_spell_them_are_read_as_every_door_reads_them(
    aws: AwsStack, ingest: Any, lambda_context: Any
) -> None:
    # Given a row as a dataset export writes it, in Sigap's field names
    tenant, key = aws.new_tenant()
    row = mention_payload("x-1") | {
        "channel": "twitter",
        "author": {"screen_name": "cairdin", "followers_count": "1,530"},
        "created_at": "2015-02-24 11:35:52 -0800",
        "language": "en-US",
        "location": "Jakarta",
        "engagement": {"retweet_count": 4, "favorite_count": 2},
    }
    # When it is posted
    status, body = post(ingest, lambda_context, tenant.tenant_id, key, [row])
    # Then it is accepted, read as the mapping and the backtest read it
    assert status == 202, body
    (queued,) = [json.loads(text) for text in aws.queued_bodies()]
    assert queued["channel"] == "social"
    assert queued["author"] == {"handle": "cairdin", "followers": 1530, "verified": False}
    assert queued["created_at"] == "2015-02-24T19:35:52Z"
    assert (queued["language"], queued["location"]["region"]) == ("en", "Jakarta")
    assert (queued["engagement"]["shares"], queued["engagement"]["likes"]) == (4, 2)


def test_malformed_json_gets_400(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    status, body = post(ingest, lambda_context, tenant.tenant_id, key, raw='{"mentions": [')
    assert status == 400
    assert body["error"]["code"] == "malformed_json"


def test_more_than_500_mentions_get_422(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    mentions = [mention_payload(f"m{i}", text="ok") for i in range(501)]
    status, body = post(ingest, lambda_context, tenant.tenant_id, key, {"mentions": mentions})
    assert status == 422
    assert body["error"]["fields"][0]["field"] == "mentions"


def test_an_oversized_body_gets_413(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    status, body = post(ingest, lambda_context, tenant.tenant_id, key, mention_payload(text="x" * 1_100_000))
    assert status == 413
    assert body["error"]["code"] == "body_too_large"


def test_a_repeated_id_is_accepted_once(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    status, body = post(
        ingest, lambda_context, tenant.tenant_id, key, {"mentions": [mention_payload("m1"), mention_payload("m1")]}
    )
    assert status == 202
    assert body["accepted"] == ["m1"]
    assert body["duplicates"] == ["m1"]
    assert len(aws.queued_bodies()) == 1


def test_an_idempotency_key_replays_the_first_answer(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    body = {"mentions": [mention_payload("m1")]}
    first = post(ingest, lambda_context, tenant.tenant_id, key, body, **{"idempotency-key": "req-1"})
    again = post(ingest, lambda_context, tenant.tenant_id, key, body, **{"idempotency-key": "req-1"})
    assert first == again
    assert first[0] == 202
    assert len(aws.queued_bodies()) == 1


def test_an_idempotency_key_reused_with_another_body_gets_422(aws: AwsStack, ingest: Any, lambda_context: Any) -> None:
    tenant, key = aws.new_tenant()
    post(ingest, lambda_context, tenant.tenant_id, key, mention_payload("m1"), **{"idempotency-key": "req-1"})
    status, body = post(
        ingest, lambda_context, tenant.tenant_id, key, mention_payload("m2"), **{"idempotency-key": "req-1"}
    )
    assert status == 422
    assert body["error"]["code"] == "idempotency_key_reused"
    assert len(aws.queued_bodies()) == 1
