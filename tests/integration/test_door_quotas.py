"""A client's daily mention quota at the doors that cannot answer 429, under moto, through each door's function:
forwarded e-mail, feeds and bulk import take what is left of the day's quota, name what they refused and why, and
count only new mentions, so what was refused comes in when it is sent again with room for it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import boto3

from sigap.kernel.models import Quotas, utc_now
from sigap.sources.store import SourcesTable
from sigap.tenants.store import TenantStore
from sigap_tools.local.feed_site import FeedSite
from tests.integration.conftest import AwsStack
from tests.integration.test_bulk_import import IMPORT, IMPORTS, SOURCES, X_EXPORT_CSV, _api, _run_imports, _upload
from tests.integration.test_email_door import _deliver, _register
from tests.integration.test_feed_sources import _read_now, _register_feed, rss


def _quota(aws: AwsStack, tenant_id: str, per_day: int) -> TenantStore:
    tenants = TenantStore(aws.table("TenantsTable"))
    tenants.update(tenant_id, quotas=Quotas(mentions_per_day=per_day))
    return tenants


def _used_today(tenants: TenantStore, tenant_id: str) -> int:
    return tenants.mentions_used(tenant_id, f"{utc_now():%Y-%m-%d}")


def test_mail_past_the_quota_is_refused_with_its_reason_and_a_redelivery_counts_nothing(
    aws: AwsStack, lambda_context: Any
) -> None:
    aws.queued_bodies("EmailQueue")  # S3's test event
    tenant, key = aws.new_tenant("teh-segar")
    status, _ = _register(aws, lambda_context, tenant.tenant_id, key, {"name": "milis", "kind": "email"})
    assert status == 201
    # Given a client allowed two mentions a day
    tenants = _quota(aws, tenant.tenant_id, 2)
    # When a digest of two arrives, then a forward of the hoax
    digest = _deliver(aws, lambda_context, "multipart_digest.eml", "teh-segar+milis@inbound.example")
    refused = _deliver(aws, lambda_context, "gmail_forward_chain.eml", "teh-segar+milis@inbound.example")
    # Then the digest is taken and the forward refused, the source's health naming the quota
    assert sorted(m["id"] for m in digest) == ["email:m1@example.org", "email:m2@example.org"]
    assert refused == []
    health = SourcesTable(aws.table("TenantsTable")).require("teh-segar", "milis").health
    assert health.last_error is not None
    assert "quota of 2 mentions a day is used" in health.last_error.reason
    # And the digest delivered again is two duplicates that count nothing (queued again from their claims, as
    # every door does with a mention not scored yet)
    again = _deliver(aws, lambda_context, "multipart_digest.eml", "teh-segar+milis@inbound.example")
    assert sorted(m["id"] for m in again) == ["email:m1@example.org", "email:m2@example.org"]
    assert _used_today(tenants, tenant.tenant_id) == 2
    # And once there is room, the forward sent again comes in
    _quota(aws, tenant.tenant_id, 3)
    (forward,) = _deliver(aws, lambda_context, "gmail_forward_chain.eml", "teh-segar+milis@inbound.example")
    assert forward["id"] == "email:CAB123@mail.example.com"
    assert _used_today(tenants, tenant.tenant_id) == 3


def test_an_import_past_the_quota_reports_the_refused_rows_and_importing_the_file_again_brings_them(
    aws: AwsStack, lambda_context: Any
) -> None:
    _, key = aws.new_tenant("brand-a")
    assert _run_imports(aws, lambda_context) == 1  # S3's test event
    assert _api(aws, lambda_context, key, "POST", SOURCES, {"name": "x", "preset": "x-export"}, tenant="brand-a")[0]
    # Given a client allowed one mention a day, and an export with two good rows (and a repeat of the first)
    tenants = _quota(aws, "brand-a", 1)

    def run_import() -> dict[str, Any]:
        status, job = _api(aws, lambda_context, key, "POST", IMPORTS, {"source": "x", "format": "csv"},
                           tenant="brand-a")  # fmt: skip
        assert status == 201, job
        _upload(aws, "brand-a", job["import_id"], X_EXPORT_CSV.encode())
        _run_imports(aws, lambda_context)
        _, done = _api(aws, lambda_context, key, "GET", IMPORT, tenant="brand-a", import_id=job["import_id"])
        assert done["state"] == "done", done
        return dict(done)

    # When it is imported
    first = run_import()
    # Then the first good row is taken and the second is a rejected row of the report, naming the quota
    assert first["counts"] == {"rows": 6, "accepted": 1, "duplicates": 1, "rejected": 4, "filtered": 0}
    assert [json.loads(body)["id"] for body in aws.queued_bodies()] == ["x:570306133677760513"]
    (report_url,) = first["report_urls"]
    bucket = aws.provisioned.buckets["ImportsBucket"]
    report = urlsplit(report_url).path.lstrip("/").removeprefix(f"{bucket}/")
    lines = boto3.client("s3").get_object(Bucket=bucket, Key=report)["Body"].read().decode().splitlines()
    quota_rows = [problem for problem in map(json.loads, lines) if "quota" in problem["problem"]]
    assert [row["line"] for row in quota_rows] == [3]
    assert "renews at midnight UTC" in quota_rows[0]["problem"]
    # When the quota has room for one more and the same file is imported again
    _quota(aws, "brand-a", 2)
    again = run_import()
    # Then the refused row comes in: the rows taken before are duplicates that use none of the quota (the first
    # queued again from its claim, as it is not scored yet)
    assert again["counts"] == {"rows": 6, "accepted": 1, "duplicates": 2, "rejected": 3, "filtered": 0}
    assert sorted(json.loads(body)["id"] for body in aws.queued_bodies()) == [
        "x:570301130888122368",
        "x:570306133677760513",
    ]
    assert _used_today(tenants, "brand-a") == 2


def test_feed_items_past_the_quota_are_held_back_and_read_again_whole_once_there_is_room(
    aws: AwsStack, lambda_context: Any
) -> None:
    created, key = aws.new_tenant("teh-segar")
    tenant = (created.tenant_id, key)
    now = datetime.now(UTC).replace(microsecond=0)
    with FeedSite() as site:
        site.publish("/news.xml", rss(
            ("Kedua", "https://news.example/2", now - timedelta(minutes=10)),
            ("Pertama", "https://news.example/1", now - timedelta(minutes=30)),
        ))  # fmt: skip
        assert _register_feed(aws, lambda_context, tenant, "news", site.url("/news.xml"))[0] == 201
        # Given a client allowed one mention a day
        tenants = _quota(aws, created.tenant_id, 1)
        # When its feed of two items is read
        (taken,) = _read_now(aws, lambda_context, tenant, "news")
        # Then one is taken, the other held back with the reason in the source's health
        health = SourcesTable(aws.table("TenantsTable")).require(created.tenant_id, "news").health
        assert health.last_error is not None
        assert "1 item(s) held back" in health.last_error.reason
        # When the quota has room and the unchanged feed is read again
        _quota(aws, created.tenant_id, 2)
        (held_back,) = _read_now(aws, lambda_context, tenant, "news")
        # Then the feed was fetched whole (no conditional GET: the held-back item was never seen), and the held-back
        # item comes in
        assert site.requests("/news.xml")[-1].status == 200
        assert {taken["url"], held_back["url"]} == {"https://news.example/1", "https://news.example/2"}
        assert _used_today(tenants, created.tenant_id) == 2
        # And a third read is conditional again, answered 304
        assert _read_now(aws, lambda_context, tenant, "news") == []
        assert site.requests("/news.xml")[-1].status == 304


def test_a_door_batch_whose_process_died_midway_is_counted_once_when_delivered_again(aws: AwsStack) -> None:
    from sigap.ingest.domain import accept_within_quota, batch_name
    from sigap.ingest.queue import ScoringQueue
    from sigap.kernel.models import Mention, MentionIn
    from sigap.mentions.store import MentionStore
    from sigap.tenants.quotas import DoorQuota
    from tests.conftest import mention_payload

    # Given a client allowed four mentions a day, and an e-mail of three whose first attempt took them from the
    # quota and claimed the first before its process was killed (nothing settled)
    aws.new_tenant("brand-a")
    tenants = _quota(aws, "brand-a", 4)
    mentions, sink = MentionStore(aws.table("MentionsTable")), ScoringQueue(aws.queue_url("ScoringQueue"))
    batch = [MentionIn.model_validate(mention_payload(f"m{number}")) for number in range(3)]
    now = utc_now()
    first = DoorQuota(tenants, "brand-a", 4, now).take(3, batch_name([mention.id for mention in batch]))
    assert (first.count, first.resumed) == (3, False)
    mentions.claim("brand-a", [Mention(**batch[0].model_dump(), tenant_id="brand-a", received_at=now)], 0)
    # When SQS delivers it again
    admitted = accept_within_quota("brand-a", batch, quota=DoorQuota(tenants, "brand-a", 4, now), ledger=mentions,
                                   sink=sink, now=now)  # fmt: skip
    # Then all three are queued (the first again from its claim), the day counts three (not six, nor two), and no
    # hold is left on the day's count
    assert (admitted.result.accepted, admitted.result.duplicates) == (["m1", "m2"], ["m0"])
    assert sorted(json.loads(body)["id"] for body in aws.queued_bodies()) == ["m0", "m1", "m2"]
    assert _used_today(tenants, "brand-a") == 3
    usage = boto3.client("dynamodb").get_item(
        TableName=aws.table("TenantsTable"), Key={"pk": {"S": "brand-a"}, "sk": {"S": f"USAGE#{now:%Y-%m-%d}"}}
    )["Item"]
    assert not [name for name in usage if name.startswith("hold_")]
    # And a batch whose hold stands is found again even once the day's quota is used up
    day = f"{now:%Y-%m-%d}"
    assert tenants.hold_mentions("brand-a", day, "other", 1, 4) is not None
    assert tenants.hold_mentions("brand-a", day, "third", 1, 4) is None
    again = tenants.hold_mentions("brand-a", day, "other", 1, 4)
    assert again is not None
    assert (again.count, again.resumed) == (1, True)
