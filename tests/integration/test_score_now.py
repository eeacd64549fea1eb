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
