"""The e-mail function's SQS consumer: each inbound-email/ object the bucket announces is read and ingested
(`email_door`). A message that names no tenant or holds nothing readable is logged with its reason and counted,
not retried; a storage or queue failure is retried by SQS, then kept in the DLQ."""

from __future__ import annotations

import json
from functools import lru_cache
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import BotoCoreError, ClientError

from sigap.ingest.queue import ScoringQueue
from sigap.kernel.models import utc_now
from sigap.mentions.claim_store import ClaimStore
from sigap.platform.aws import s3_client
from sigap.platform.aws_errors import error_code, storage_error
from sigap.platform.batch import SqsRecordProcessor
from sigap.platform.observability import logger, metrics
from sigap.sources.email_door import INBOUND_PREFIX, MAX_MESSAGE_BYTES, EmailOutcome, receive
from sigap.sources.settings import EmailSettings
from sigap.sources.store import SourcesTable
from sigap.tenants.quotas import door_quota
from sigap.tenants.store import TenantStore


def inbound_keys(body: object) -> list[str]:
    """The inbound-email/ objects an S3 event announces (none for S3's test event)."""
    keys = []
    for record in body.get("Records", []) if isinstance(body, dict) else []:
        key = unquote_plus(str(record.get("s3", {}).get("object", {}).get("key", "")))
        if str(record.get("eventName", "")).startswith("ObjectCreated") and key.startswith(INBOUND_PREFIX):
            keys.append(key)
    return keys


@lru_cache(maxsize=1)
def _adapters(settings: EmailSettings) -> tuple[TenantStore, SourcesTable, ClaimStore, ScoringQueue]:
    return (
        TenantStore(settings.tenants_table),
        SourcesTable(settings.tenants_table),
        ClaimStore(settings.mentions_table),
        ScoringQueue(settings.scoring_queue_url),
    )


def _message(bucket: str, key: str) -> bytes | None:
    try:
        answer = s3_client().get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{MAX_MESSAGE_BYTES}")
        return bytes(answer["Body"].read())
    except ClientError as exc:
        if error_code(exc) in {"NoSuchKey", "404"}:
            return None  # deleted before it was read
        if error_code(exc) == "InvalidRange":
            return b""  # an empty object: read as a message with nothing in it
        raise storage_error("GetObject on the inbound bucket", exc) from exc
    except BotoCoreError as exc:
        raise storage_error("GetObject on the inbound bucket", exc) from exc


def _record(sources: SourcesTable, outcome: EmailOutcome) -> None:
    """Counts a message in its e-mail source's health (bookkeeping: see SourcesTable.record)."""
    assert outcome.registered is not None
    sources.record(outcome.registered.tenant_id, outcome.registered.name, accepted=len(outcome.accepted),
                   duplicates=len(outcome.duplicates), rejected=len(outcome.problems),
                   filtered=len(outcome.filtered), at=utc_now(), error="; ".join(outcome.problems[:3]) or None,
                   succeeded=bool(outcome.accepted or outcome.duplicates or outcome.filtered))  # fmt: skip


class EmailProcessor(SqsRecordProcessor):
    def __init__(self, settings: EmailSettings) -> None:
        super().__init__()
        self._settings = settings

    def handle_record(self, record: SQSRecord) -> None:
        tenants, sources, mentions, queue = _adapters(self._settings)
        try:
            body = json.loads(record.body)
        except json.JSONDecodeError:
            logger.warning("not an S3 event", extra={"body": record.body[:200]})
            return
        for key in inbound_keys(body):
            raw = _message(self._settings.inbound_bucket, key)
            if raw is None:
                continue
            outcome = receive(raw, domain=self._settings.inbound_email_domain, tenants=tenants, sources=sources,
                              ledger=mentions, sink=queue, now=utc_now,
                              quota_of=lambda tenant, at: door_quota(tenants, tenant, at))  # fmt: skip
            if outcome.registered is not None:
                _record(sources, outcome)
            metrics.add_metric(name="EmailMentionsAccepted", unit="Count", value=len(outcome.accepted))
            metrics.add_metric(name="EmailProblems", unit="Count", value=len(outcome.problems))
            if outcome.refused:
                metrics.add_metric(name="MentionsRefusedByQuota", unit="Count", value=len(outcome.refused))
            logger.info(
                "e-mail received",
                extra={
                    "key": key,
                    "tenant": outcome.door.tenant_id if outcome.door else None,
                    "accepted": len(outcome.accepted),
                    "duplicates": len(outcome.duplicates),
                    "filtered": len(outcome.filtered),
                    "refused": len(outcome.refused),
                    "problems": outcome.problems[:10],
                    "skipped_attachments": outcome.skipped_attachments,
                },
            )
