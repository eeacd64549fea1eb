"""Imports' jobs in the tenants table (sort key "IMPORT#<id>", versioned documents: one writer moves a job on at
a time) and their files in the imports bucket: presigned links to upload the file and read the report, the file
read from an offset as a stream of chunks, and the report written a part at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.errors import ConflictError, NotFoundError
from sigap.platform.aws import s3_client
from sigap.platform.aws_errors import error_code, storage_error
from sigap.platform.documents import DocumentTable
from sigap.platform.keys import SEP
from sigap.sources.imports import ImportJob

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_PREFIX = "IMPORT" + SEP
CHUNK_BYTES = 256 * 1024


class ImportChangedError(ConflictError):
    """Another invocation moved the job on since it was read (a redelivered message racing the first)."""


class ImportsTable(DocumentTable):
    label = "imports"

    def create(self, job: ImportJob) -> None:
        if not self._conditional_put(
            self._put_item(job.tenant_id, _PREFIX + job.import_id, job, version=job.version, only_new=True)
        ):
            raise ConflictError(f"import {job.import_id} exists already")

    def save(self, job: ImportJob, expected_version: int) -> ImportJob:
        """Writes the job over the version read; the job as stored (its version moved on)."""
        moved = job.model_copy(update={"version": expected_version + 1})
        request = self._put_item(
            job.tenant_id, _PREFIX + job.import_id, moved, version=moved.version, expected=expected_version
        )
        if not self._conditional_put(request):
            raise ImportChangedError(f"import {job.import_id} changed meanwhile")
        return moved

    def get(self, tenant_id: str, import_id: str) -> ImportJob | None:
        return self._get_model(tenant_id, _PREFIX + import_id, ImportJob)

    def require(self, tenant_id: str, import_id: str) -> ImportJob:
        job = self.get(tenant_id, import_id)
        if job is None:
            raise NotFoundError(f"no import {import_id!r}")
        return job

    def list(self, tenant_id: str, limit: int = 50) -> list[ImportJob]:
        jobs = self._models(tenant_id, _PREFIX, ImportJob)
        return sorted(jobs, key=lambda job: job.created_at, reverse=True)[:limit]


class ImportsBucket:
    def __init__(self, bucket: str, client: S3Client | None = None) -> None:
        self._bucket = bucket
        self._client = client or s3_client()

    def upload_link(self, key: str, lifetime: timedelta) -> str:
        return self._link("put_object", key, lifetime)

    def read_link(self, key: str, lifetime: timedelta) -> str:
        return self._link("get_object", key, lifetime)

    def _link(self, action: str, key: str, lifetime: timedelta) -> str:
        try:
            return str(
                self._client.generate_presigned_url(
                    action, Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=int(lifetime.total_seconds())
                )
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("presigning a link to the imports bucket", exc) from exc

    def size(self, key: str) -> int | None:
        try:
            return int(self._client.head_object(Bucket=self._bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if error_code(exc) in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise storage_error("HeadObject on the imports bucket", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("HeadObject on the imports bucket", exc) from exc

    def chunks(self, key: str, offset: int) -> Iterator[bytes]:
        """The file from `offset` to its end, a chunk at a time (never whole in memory)."""
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=key, Range=f"bytes={offset}-")
            yield from answer["Body"].iter_chunks(CHUNK_BYTES)
        except ClientError as exc:
            if error_code(exc) == "InvalidRange":  # the offset is the file's end: nothing left
                return
            raise storage_error("GetObject on the imports bucket", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("GetObject on the imports bucket", exc) from exc

    def write(self, key: str, body: bytes) -> None:
        try:
            self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="application/x-ndjson")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("PutObject on the imports bucket", exc) from exc
