"""The status site's files in S3, under the tenant's folder, each with its content type and a short cache
lifetime (CloudFront and browsers keep a page a minute at most, so an update shows within a minute)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sigap.platform.aws import s3_client
from sigap.platform.aws_errors import storage_error
from sigap.statements.domain.site_content import SiteFile

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CACHE_CONTROL = "public, max-age=60"


class SiteBucket:
    def __init__(self, bucket: str, client: S3Client | None = None) -> None:
        self._bucket = bucket
        self._client = client or s3_client()

    def write(self, tenant_id: str, files: dict[str, SiteFile]) -> None:
        # The JSON and feeds first, the pages last: a reader never finds a page pointing at an older feed.
        for path in sorted(files, key=lambda name: name.endswith(".html")):
            file = files[path]
            try:
                self._client.put_object(
                    Bucket=self._bucket,
                    Key=f"{tenant_id}/{path}",
                    Body=file.body,
                    ContentType=file.content_type,
                    CacheControl=CACHE_CONTROL,
                )
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("PutObject on the status site bucket", exc) from exc

    def read(self, key: str) -> tuple[bytes, str] | None:
        """(body, content type) of one file, or None: what the local stack serves at /status/."""
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise storage_error("GetObject on the status site bucket", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("GetObject on the status site bucket", exc) from exc
        return answer["Body"].read(), answer.get("ContentType", "application/octet-stream")
