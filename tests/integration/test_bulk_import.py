"""Bulk import under moto: a tenant asks for an import, PUTs its export where it is told, S3's event starts the
import function, which streams the file by the source's mapping into mentions, reports rejected rows with their
line and reason, and resumes from its checkpoint when stopped."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest

from tests.conftest import http_event, load_handler, mention_payload, sqs_event
from tests.integration.conftest import AwsStack

SOURCES, IMPORTS = "/v1/tenants/{tenant}/sources", "/v1/tenants/{tenant}/imports"
IMPORT = "/v1/tenants/{tenant}/imports/{import_id}"
X_EXPORT_CSV = (
    "tweet_id,airline_sentiment,text,tweet_created,name,retweet_count\n"
    '570306133677760513,negative,"@united lost my bag, again",2015-02-24 11:35:52 -0800,cairdin,0\n'
    '570301130888122368,positive,"@united thanks for the upgrade!\nmade my day",2015-02-24 11:15:59 -0800,jnardino,2\n'
    "570301083672813571,neutral,,2015-02-24 11:15:48 -0800,yvonnalynn,0\n"
    "570300817074462722,negative,@united where is my refund,last tuesday,jnardino,0\n"
    "570300767074181121,negative,@united three,extra,fields,here,and,more\n"
    '570306133677760513,negative,"@united lost my bag, again",2015-02-24 11:35:52 -0800,cairdin,0\n'
)


def _api(
    aws: AwsStack, context: Any, key: str, method: str, route: str, body: Any = None, **ids: str
) -> tuple[int, Any]:
    aws.use_function_environment("SourcesFunction")
    path = route
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    event = http_event(method, path, route_path=route, body=body, headers={"authorization": f"Bearer {key}"})
    result = load_handler("sources").lambda_handler(event, context)
    return result["statusCode"], json.loads(result["body"])


def _run_imports(aws: AwsStack, context: Any, remaining: int | None = None, scored: list[str] | None = None) -> int:
    """Drives the import function from its queue, as Lambda does, until the queue is empty; the invocations. With
    `scored`, the scoring queue is emptied into it after each invocation, as the scoring function would (moto's
    queue slows down with every message it holds)."""
    aws.use_function_environment("ImportFunction")
    handler = load_handler("imports")
    invocations = 0
    while bodies := aws.queued_bodies("ImportQueue"):
        for body in bodies:
            if remaining is not None:
                context.get_remaining_time_in_millis = lambda: remaining
            assert handler.lambda_handler(sqs_event([body]), context) == {"batchItemFailures": []}
            invocations += 1
            if scored is not None:
                scored.extend(aws.queued_bodies())
    return invocations


def _upload(aws: AwsStack, tenant: str, import_id: str, body: bytes) -> None:
    bucket = aws.provisioned.buckets["ImportsBucket"]
    boto3.client("s3").put_object(Bucket=bucket, Key=f"uploads/{tenant}/{import_id}", Body=body)


@pytest.fixture
def tenant(aws: AwsStack, lambda_context: Any) -> tuple[str, str]:
    created, key = aws.new_tenant("brand-a")
    # S3 says hello to a queue it was told to notify (s3:TestEvent): the function takes it and does nothing
    assert _run_imports(aws, lambda_context) == 1
    status, _ = _api(aws, lambda_context, key, "POST", SOURCES, {"name": "x", "preset": "x-export"}, tenant="brand-a")
    assert status == 201
    return created.tenant_id, key


def test_an_export_is_streamed_into_mentions_and_its_bad_rows_reported_with_line_and_reason(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    # Given an import asked for with the X export's preset
    tenant_id, key = tenant
    status, created = _api(
        aws, lambda_context, key, "POST", IMPORTS, {"source": "x", "format": "csv"}, tenant=tenant_id
    )
    assert status == 201, created
    assert created["state"] == "awaiting_upload"
    assert f"uploads/{tenant_id}/{created['import_id']}" in created["upload_url"]
    # When the file is uploaded (a dataset's CSV: a quoted line break, an empty text, a bad time, a bad row, a repeat)
    _upload(aws, tenant_id, created["import_id"], X_EXPORT_CSV.encode())
    _run_imports(aws, lambda_context)
    # Then the good rows are queued once, with the ids of X's id space, and the rest are counted and reported
    status, job = _api(aws, lambda_context, key, "GET", IMPORT, tenant=tenant_id, import_id=created["import_id"])
    assert job["state"] == "done", job
    assert job["counts"] == {"rows": 6, "accepted": 2, "duplicates": 1, "rejected": 3, "filtered": 0}
    assert job["bytes_done"] == len(X_EXPORT_CSV.encode())
    queued = [json.loads(body) for body in aws.queued_bodies()]
    assert sorted(m["id"] for m in queued) == ["x:570301130888122368", "x:570306133677760513"]
    assert next(m for m in queued if m["id"].endswith("368"))["text"] == "@united thanks for the upgrade!\nmade my day"
    assert all(m["source"] == "x" and m["channel"] == "social" for m in queued)
    (report_url,) = job["report_urls"]
    bucket = aws.provisioned.buckets["ImportsBucket"]
    key_name = urlsplit(report_url).path.lstrip("/").removeprefix(f"{bucket}/")  # path- or host-style link
    assert key_name.startswith(f"reports/{tenant_id}/")
    lines = boto3.client("s3").get_object(Bucket=bucket, Key=key_name)["Body"].read().decode().splitlines()
    problems = [json.loads(line) for line in lines]
    # (line 1 is the header; the second row's quoted line break makes it lines 3 and 4)
    assert [(p["line"], p["field"]) for p in problems] == [(5, "text"), (6, "created_at"), (7, "row")]
    assert "header names 6" in problems[2]["problem"]
    # And the finished import is counted, once, in its source's health
    status, source = _api(aws, lambda_context, key, "GET", "/v1/tenants/{tenant}/sources/{source}", tenant=tenant_id,
                          source="x")  # fmt: skip
    health = source["health"]
    assert (health["accepted"], health["duplicates"], health["rejected"]) == (2, 1, 3)
    assert "3 rows of import" in health["last_error"]["reason"]


def test_an_import_stopped_for_time_hands_over_and_resumes_where_it_was(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a JSONL export of 130 mentions through a source with Sigap's own shape, imported 50 at a time
    monkeypatch.setattr("sigap.sources.importer.BATCH_MENTIONS", 50)
    tenant_id, key = tenant
    _api(aws, lambda_context, key, "POST", SOURCES, {"name": "jsonl", "preset": "sigap"}, tenant=tenant_id)
    body = "".join(json.dumps(mention_payload(f"j{index}")) + "\n" for index in range(130)).encode()
    created = _api(aws, lambda_context, key, "POST", IMPORTS, {"source": "jsonl", "format": "jsonl"}, tenant=tenant_id)[
        1
    ]
    _upload(aws, tenant_id, created["import_id"], body)
    # When every invocation finds its time short (it hands over after each batch)
    scored: list[str] = []
    invocations = _run_imports(aws, lambda_context, remaining=1_000, scored=scored)
    # Then the import went on invocation after invocation, and every line is in exactly once
    job = _api(aws, lambda_context, key, "GET", IMPORT, tenant=tenant_id, import_id=created["import_id"])[1]
    assert invocations == 3  # 50 + 50 + 30
    assert job["state"] == "done"
    assert job["counts"] == {"rows": 130, "accepted": 130, "duplicates": 0, "rejected": 0, "filtered": 0}
    assert sorted(json.loads(b)["id"] for b in scored) == sorted(f"j{index}" for index in range(130))


def test_an_import_whose_source_is_unknown_or_whose_body_is_not_a_file_is_refused(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    tenant_id, key = tenant
    status, answer = _api(aws, lambda_context, key, "POST", IMPORTS, {"source": "nope"}, tenant=tenant_id)
    assert status == 422
    assert answer["error"]["fields"][0]["field"] == "source"
    assert (
        _api(aws, lambda_context, key, "POST", IMPORTS, {"source": "x", "format": "xlsx"}, tenant=tenant_id)[0] == 422
    )
    assert _api(aws, lambda_context, key, "GET", IMPORT, tenant=tenant_id, import_id="imp-0000000000000000")[0] == 404


def test_an_upload_no_import_asked_for_is_ignored_and_a_redelivered_event_repeats_nothing(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    tenant_id, key = tenant
    _upload(aws, tenant_id, "imp-00000000000000ff", b"tweet_id,text\n1,hi\n")
    assert _run_imports(aws, lambda_context) == 1
    assert aws.queued_bodies() == []
    created = _api(aws, lambda_context, key, "POST", IMPORTS, {"source": "x"}, tenant=tenant_id)[1]
    _upload(aws, tenant_id, created["import_id"], X_EXPORT_CSV.encode())
    event = aws.queued_bodies("ImportQueue")
    aws.use_function_environment("ImportFunction")
    handler = load_handler("imports")
    for _ in range(2):  # S3 delivers at least once
        assert handler.lambda_handler(sqs_event(event), lambda_context) == {"batchItemFailures": []}
    assert len(aws.queued_bodies()) == 2
    job = _api(aws, lambda_context, key, "GET", IMPORT, tenant=tenant_id, import_id=created["import_id"])[1]
    assert job["counts"]["rows"] == 6


def test_the_same_mention_through_a_webhook_and_an_import_is_one_mention(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    tenant_id, key = tenant
    created = _api(aws, lambda_context, key, "POST", SOURCES, {"name": "live", "preset": "x-export",
                   "verification": "url_secret"}, tenant=tenant_id)[1]  # fmt: skip
    aws.use_function_environment("HooksFunction")
    tweet = {"id_str": "570306133677760513", "text": "@united lost my bag, again",
             "created_at": "Tue Feb 24 19:35:52 +0000 2015", "user": {"screen_name": "cairdin"}}  # fmt: skip
    event = http_event("POST", f"/v1/hooks/{tenant_id}/live", route_path="/v1/hooks/{tenant}/{source}", body=tweet,
                       query={"key": created["secret"]})  # fmt: skip
    assert json.loads(load_handler("hooks").lambda_handler(event, lambda_context)["body"])["accepted"] == [
        "x:570306133677760513"
    ]
    started = _api(aws, lambda_context, key, "POST", IMPORTS, {"source": "x"}, tenant=tenant_id)[1]
    _upload(aws, tenant_id, started["import_id"], X_EXPORT_CSV.encode())
    _run_imports(aws, lambda_context)
    job = _api(aws, lambda_context, key, "GET", IMPORT, tenant=tenant_id, import_id=started["import_id"])[1]
    assert (job["counts"]["accepted"], job["counts"]["duplicates"]) == (1, 2)


def test_an_imports_source_query_keeps_only_the_rows_that_match(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    tenant_id, key = tenant
    source = {"name": "bags", "preset": "x-export", "query": "bag OR refund"}
    assert _api(aws, lambda_context, key, "POST", SOURCES, source, tenant=tenant_id)[0] == 201
    created = _api(aws, lambda_context, key, "POST", IMPORTS, {"source": "bags"}, tenant=tenant_id)[1]
    _upload(aws, tenant_id, created["import_id"], X_EXPORT_CSV.encode())
    _run_imports(aws, lambda_context)
    job = _api(aws, lambda_context, key, "GET", IMPORT, tenant=tenant_id, import_id=created["import_id"])[1]
    # "lost my bag" twice (one a duplicate row), the upgrade thanks filtered out; the refund row has a bad time
    assert job["counts"] == {"rows": 6, "accepted": 1, "duplicates": 1, "rejected": 3, "filtered": 1}
