"""The e-mail door under moto: a message written under inbound-email/ (as SES writes it) is announced on the e-mail
queue, read by the e-mail function and ingested as its tenant's mentions; forwards of one hoax are one story."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from sigap.kernel.models import Mention
from tests.conftest import load_handler, sqs_event
from tests.integration.conftest import AwsStack

MAIL = Path(__file__).resolve().parents[1] / "data" / "email"


def _deliver(aws: AwsStack, context: Any, name: str, to: str, raw: bytes | None = None) -> list[dict[str, Any]]:
    """The message as SES stores it (its Received line names the recipient), then the e-mail function run."""
    message = raw if raw is not None else (MAIL / name).read_bytes()
    stored = f"Received: from mx.example by inbound-smtp.us-east-1.amazonaws.com for {to}; Sun, 22 Nov 2026\r\n"
    bucket = aws.provisioned.buckets["ImportsBucket"]
    boto3.client("s3").put_object(Bucket=bucket, Key=f"inbound-email/{name}", Body=stored.encode() + message)
    aws.use_function_environment("EmailFunction")
    for body in aws.queued_bodies("EmailQueue"):
        assert load_handler("email").lambda_handler(sqs_event([body]), context) == {"batchItemFailures": []}
    return [json.loads(body) for body in aws.queued_bodies()]


@pytest.fixture
def brand(aws: AwsStack) -> str:
    aws.queued_bodies("EmailQueue")  # S3's test event, sent when the bucket's notifications were set
    return aws.new_tenant("teh-segar")[0].tenant_id


def test_a_forward_chain_is_the_original_hoax_sent_by_the_forwarder_with_its_depth_and_list(
    aws: AwsStack, brand: str, lambda_context: Any
) -> None:
    (queued,) = _deliver(aws, lambda_context, "gmail_forward_chain.eml", "teh-segar+milis@inbound.example")
    assert queued["tenant_id"] == brand
    assert (queued["id"], queued["source"], queued["channel"]) == ("email:CAB123@mail.example.com", "milis", "email")
    assert queued["text"].startswith("PENTING!!! Jangan minum Teh Segar\n\nJangan minum Teh Segar botol")
    assert "Bener gak nih" not in queued["text"]  # the forwarder's note is kept aside, not scored as the hoax
    assert queued["author"]["handle"] == "budi@example.com"
    assert queued["raw"]["forward_depth"] == 2
    assert queued["raw"]["original_author"] == "rina.w@example.net"
    assert queued["raw"]["list_id"] == "grup-keluarga.example.com"
    assert queued["created_at"] == "2026-11-22T03:15:00Z"


def test_a_digest_is_one_mention_per_message_and_its_broken_part_is_skipped(
    aws: AwsStack, brand: str, lambda_context: Any
) -> None:
    queued = _deliver(aws, lambda_context, "multipart_digest.eml", "teh-segar@inbound.example")
    assert sorted(m["id"] for m in queued) == ["email:m1@example.org", "email:m2@example.org"]
    assert all(m["raw"]["list_id"] == "milis.lists.example" for m in queued)
    assert all(m["source"] == "email" for m in queued)


def test_the_same_message_delivered_twice_is_one_mention_and_mail_for_nobody_is_dropped_with_its_reason(
    aws: AwsStack, brand: str, lambda_context: Any
) -> None:
    first = _deliver(aws, lambda_context, "outlook_forward.eml", "teh-segar@inbound.example")
    assert len(first) == 1
    aws.use_function_environment("ScoringFunction")
    stored = [Mention.model_validate(first[0]).model_dump_json()]
    assert load_handler("scoring").lambda_handler(sqs_event(stored), lambda_context) == {"batchItemFailures": []}
    assert _deliver(aws, lambda_context, "outlook_forward.eml", "teh-segar@inbound.example") == []
    assert _deliver(aws, lambda_context, "html_only.eml", "nobody-here@inbound.example") == []
    assert _deliver(aws, lambda_context, "garbage.eml", "teh-segar@inbound.example") == []


def test_forwards_of_one_hoax_through_every_route_are_one_story_when_scored(
    aws: AwsStack, brand: str, lambda_context: Any
) -> None:
    # Given the hoax forwarded by Gmail, Outlook, as an attachment and as a quoted forward
    queued: list[dict[str, Any]] = []
    for name in ("gmail_forward_chain.eml", "outlook_forward.eml", "attached_forward.eml", "quoted_forward.eml"):
        queued += _deliver(aws, lambda_context, name, "teh-segar@inbound.example")
    assert len(queued) == 4
    # When the scoring function scores them
    aws.use_function_environment("ScoringFunction")
    bodies = [Mention.model_validate(m).model_dump_json() for m in queued]
    assert load_handler("scoring").lambda_handler(sqs_event(bodies), lambda_context) == {"batchItemFailures": []}
    # Then they are one story, and each forwarder is one of its authors
    from sigap.mentions.store import MentionStore

    store = MentionStore(aws.table("MentionsTable"))
    stories = {store.get(brand, m["id"]).score.story_id for m in queued}  # type: ignore[union-attr]
    assert len(stories) == 1
    assert {m["author"]["handle"] for m in queued} == {
        "budi@example.com",
        "dewi@corp.example",
        "hendra@example.com",
        "maya@example.com",
    }


def _register(aws: AwsStack, context: Any, tenant: str, key: str, body: dict[str, Any]) -> tuple[int, Any]:
    from tests.conftest import http_event

    aws.use_function_environment("SourcesFunction")
    route = "/v1/tenants/{tenant}/sources"
    event = http_event("POST", route.format(tenant=tenant), route_path=route, body=body,
                       headers={"authorization": f"Bearer {key}"})  # fmt: skip
    answer = load_handler("sources").lambda_handler(event, context)
    return answer["statusCode"], json.loads(answer["body"])


def test_mail_to_a_registered_email_source_keeps_what_matches_its_query_and_counts_it_in_its_health(
    aws: AwsStack, lambda_context: Any
) -> None:
    aws.queued_bodies("EmailQueue")
    tenant, key = aws.new_tenant("teh-segar")
    # Given an e-mail source for the family mailing list, which keeps only mail about poison
    milis = {"name": "milis", "kind": "email", "query": "racun OR beracun OR keracunan"}
    status, created = _register(aws, lambda_context, tenant.tenant_id, key, milis)
    assert status == 201, created
    assert (created["secret"], created["url"], created["channel"]) == (None, None, "email")
    # When the list's hoax forward and a digest of one poison rumour and one coffee promotion arrive
    kept = _deliver(aws, lambda_context, "gmail_forward_chain.eml", "teh-segar+milis@inbound.example")
    digest = _deliver(aws, lambda_context, "plain_digest.eml", "teh-segar+milis@inbound.example")
    # Then the hoax and the rumour are kept, the promotion filtered, and the source's health says so
    assert [m["id"] for m in kept] == ["email:CAB123@mail.example.com"]
    assert [m["id"] for m in digest] == ["email:d1@lists.example"]
    aws.use_function_environment("SourcesFunction")
    from sigap.sources.store import SourcesTable

    health = SourcesTable(aws.table("TenantsTable")).require("teh-segar", "milis").health
    assert (health.accepted, health.filtered, health.rejected) == (2, 1, 0)
    assert health.last_success_at is not None


def test_an_import_source_has_no_secret_nor_url_and_its_rows_are_read_with_its_preset(
    aws: AwsStack, lambda_context: Any
) -> None:
    tenant, key = aws.new_tenant("teh-segar")
    status, created = _register(aws, lambda_context, tenant.tenant_id, key,
                                {"name": "archive", "kind": "import", "preset": "x-export"})  # fmt: skip
    assert status == 201, created
    assert (created["secret"], created["url"], created["preset"], created["secrets"]) == (None, None, "x-export", [])
    from tests.conftest import http_event

    aws.use_function_environment("HooksFunction")
    hook = "/v1/hooks/{tenant}/{source}"
    event = http_event("POST", "/v1/hooks/teh-segar/archive", route_path=hook, body={"id": "1"})
    assert load_handler("hooks").lambda_handler(event, lambda_context)["statusCode"] == 404  # nothing posts to it
    for body, problem in (
        ({"name": "x", "kind": "import", "verification": "url_secret"}, "takes no verification"),
        ({"name": "x", "kind": "email", "preset": "flat"}, "takes no preset"),
    ):
        status, answer = _register(aws, lambda_context, tenant.tenant_id, key, body)
        assert status == 422
        assert problem in json.dumps(answer)
