"""Score now under moto: each text's score in the answer, a running story joined, nothing stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from sigap.kernel.models import Mention
from tests.conftest import http_event, load_handler, mention_payload, sqs_event
from tests.integration.conftest import AwsStack

SCORE = "/v1/tenants/{tenant}/score"
HOAX = "Teh Segar beracun!! anak tetangga masuk RS setelah minum, sebarkan ke grup keluarga"


def _score(aws: AwsStack, context: Any, tenant: str, key: str, body: Any) -> tuple[int, Any]:
    aws.use_function_environment("ScoreFunction")
    headers = {"authorization": f"Bearer {key}"}
    event = http_event("POST", f"/v1/tenants/{tenant}/score", route_path=SCORE, body=body, headers=headers)
    result = load_handler("score").lambda_handler(event, context)
    return result["statusCode"], json.loads(result["body"])


def _story_items(aws: AwsStack) -> int:
    return int(boto3.client("dynamodb").scan(TableName=aws.table("StoriesTable"), Select="COUNT")["Count"])


@pytest.fixture
def running_story(aws: AwsStack, lambda_context: Any) -> tuple[str, str, str]:
    """brand-a with the hoax already scored and stored: its story is running."""
    tenant, key = aws.new_tenant("brand-a")
    aws.use_function_environment("ScoringFunction")
    stored = Mention.model_validate(
        mention_payload("hoax-1", text=HOAX) | {"tenant_id": "brand-a", "received_at": datetime.now(UTC)}
    )
    assert load_handler("scoring").lambda_handler(sqs_event([stored.model_dump_json()]), lambda_context) == {
        "batchItemFailures": []
    }
    from sigap.mentions.store import MentionStore

    scored = MentionStore(aws.table("MentionsTable")).get("brand-a", "hoax-1")
    assert scored is not None
    assert scored.score.story_id
    return tenant.tenant_id, key, scored.score.story_id


def test_each_text_gets_its_score_in_order_and_a_forward_of_a_running_story_joins_it(
    aws: AwsStack, running_story: tuple[str, str, str], lambda_context: Any
) -> None:
    # Given a running story, and the stories table as it is
    tenant, key, story = running_story
    before = _story_items(aws)
    texts = [
        {"id": "call-1", "text": "Fwd: " + HOAX, "channel": "email"},
        {"text": "Pelayanannya ramah dan cepat, mantap!", "author": {"followers": 120000, "verified": True}},
        {"id": "call-3", "text": "Kecewa banget, produknya rusak dan CS lambat"},
    ]
    # When a tool asks for their scores
    status, body = _score(aws, lambda_context, tenant, key, {"texts": texts})
    # Then each comes back in order with its id, and the forwarded hoax is in the running story
    assert status == 200, body
    results = body["results"]
    assert [result["id"] for result in results] == ["call-1", None, "call-3"]
    assert results[0]["score"]["story_id"] == story
    assert any(signal["category"] == "safety_health" for signal in results[0]["score"]["signals"])
    assert results[1]["score"]["sentiment"] == "positive"
    assert results[2]["score"]["sentiment"] == "negative"
    assert results[1]["score"]["reach"] > results[2]["score"]["reach"]
    # And nothing was stored: no story band written, no mention, so no later mention joins these texts' stories
    assert _story_items(aws) == before
    from sigap.mentions.store import MentionStore

    assert MentionStore(aws.table("MentionsTable")).get(tenant, "call-3") is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"texts": []}, "texts"),
        ({"texts": [{"text": "x"}] * 101}, "texts"),
        ({"texts": [{"text": ""}]}, "texts[0].text"),
        ({"texts": [{"text": "ok", "colour": "red"}]}, "texts[0].colour"),
        ({"texts": [{"text": "ok", "channel": "fax"}]}, "texts[0].channel"),
        ({"text": "a lone text"}, "texts"),
    ],
)
def test_a_request_that_cannot_be_scored_is_a_422_naming_the_field(
    aws: AwsStack, lambda_context: Any, body: Any, field: str
) -> None:
    _, key = aws.new_tenant("brand-a")
    status, answer = _score(aws, lambda_context, "brand-a", key, body)
    assert status == 422
    assert field in {problem["field"] for problem in answer["error"]["fields"]}


def test_another_tenants_key_cannot_score_as_this_tenant(aws: AwsStack, lambda_context: Any) -> None:
    aws.new_tenant("brand-a")
    _, other = aws.new_tenant("brand-b")
    status, answer = _score(aws, lambda_context, "brand-a", other, {"texts": [{"text": "halo"}]})
    assert (status, answer["error"]["code"]) == (403, "forbidden")


def test_store_true_also_ingests_the_texts_once_whatever_the_door(aws: AwsStack, lambda_context: Any) -> None:
    # Given a tenant, and a CRM that wants a ticket's score now and the ticket kept
    tenant, key = aws.new_tenant("brand-a")
    texts = [
        {"id": "ticket:42", "text": "Botolnya bocor dan bau aneh", "channel": "ticket"},
        {"text": "Pengirimannya cepat, terima kasih", "created_at": "2026-11-22T10:00:00+07:00"},
    ]
    # When it asks with store: true
    status, body = _score(aws, lambda_context, tenant.tenant_id, key, {"texts": texts, "store": True, "source": "crm"})
    # Then each text is scored in the answer and queued as a mention of the CRM's
    assert status == 200, body
    assert len(body["results"]) == 2
    assert body["stored"]["accepted"][0] == "ticket:42"
    assert body["stored"]["accepted"][1].startswith("h-")
    queued = {message["id"]: message for message in map(json.loads, aws.queued_bodies())}
    assert queued["ticket:42"]["source"] == "crm"
    assert queued["ticket:42"]["channel"] == "ticket"
    assert queued[body["stored"]["accepted"][1]]["created_at"] == "2026-11-22T03:00:00Z"
    # And asked again, or sent to /mentions, the same ids are duplicates
    again = _score(aws, lambda_context, tenant.tenant_id, key, {"texts": texts, "store": True})[1]
    assert sorted(again["stored"]["duplicates"]) == sorted(body["stored"]["accepted"])
    assert again["stored"]["accepted"] == []
    # (claimed but not yet scored, they are queued again from their claims: scoring stores each once)
    assert {json.loads(message)["id"] for message in aws.queued_bodies()} <= set(body["stored"]["accepted"])


def test_store_true_with_a_text_that_cannot_be_a_mention_is_a_422_naming_it(aws: AwsStack, lambda_context: Any) -> None:
    tenant, key = aws.new_tenant("brand-a")
    texts = [{"id": "fine-1", "text": "ok"}, {"id": "has spaces", "text": "ok"}]
    status, body = _score(aws, lambda_context, tenant.tenant_id, key, {"texts": texts, "store": True})
    assert status == 422, body
    assert body["error"]["fields"][0]["field"] == "texts[1].id"
    assert aws.queued_bodies() == []  # all or nothing
    # Without store the same texts are only scored
    assert _score(aws, lambda_context, tenant.tenant_id, key, {"texts": texts})[0] == 200
