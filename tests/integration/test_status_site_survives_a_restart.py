"""The local stack's snapshot keeps the status site: its files are exported with the tables and loaded again on
the next start, so a page published before `sigap up` was stopped is still there after it starts again."""

from __future__ import annotations

from pathlib import Path

import boto3

from sigap_tools.local.snapshot import export_state, import_state
from tests.integration.conftest import AwsStack


def test_the_status_site_files_are_saved_and_restored_with_their_types(aws: AwsStack, tmp_path: Path) -> None:
    s3 = boto3.client("s3")
    bucket = aws.provisioned.buckets["StatusSiteBucket"]
    s3.put_object(Bucket=bucket, Key="brand/index.html", Body=b"<p>hi</p>", ContentType="text/html; charset=utf-8")
    s3.put_object(Bucket=bucket, Key="brand/feed.atom", Body=b"\x00\xffbinary-safe", ContentType="application/atom+xml")
    clients = (boto3.client("dynamodb"), boto3.client("sqs"))
    export_state(aws.provisioned, *clients, tmp_path / "state", s3=s3)
    for key in ("brand/index.html", "brand/feed.atom"):
        s3.delete_object(Bucket=bucket, Key=key)
    import_state(aws.provisioned, *clients, tmp_path / "state", s3=s3)
    page = s3.get_object(Bucket=bucket, Key="brand/index.html")
    assert page["Body"].read() == b"<p>hi</p>"
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert s3.get_object(Bucket=bucket, Key="brand/feed.atom")["Body"].read() == b"\x00\xffbinary-safe"
