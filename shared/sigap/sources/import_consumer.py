"""The import function's SQS consumer. Its queue receives the imports bucket's ObjectCreated events (an upload
arrived) and its own hand-overs (an import to go on with, sent when an invocation's time runs short); each
record runs one import from its checkpoint. A record that fails is retried by SQS and then kept in the DLQ; the
import's checkpoint means a retry repeats nothing that was done."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from sigap.ingest.queue import ScoringQueue
from sigap.kernel.models import utc_now
from sigap.mentions.claim_store import ClaimStore
from sigap.platform.batch import SqsRecordProcessor
from sigap.platform.observability import logger
from sigap.platform.sqs import Queue
from sigap.sources.import_store import ImportChangedError, ImportsBucket, ImportsTable
from sigap.sources.importer import Importer
from sigap.sources.imports import job_of_key
from sigap.sources.settings import ImportSettings
from sigap.sources.store import SourcesTable
from sigap.tenants.quotas import quota_of
from sigap.tenants.store import TenantStore


class ImportQueue(Queue):
    def hand_over(self, tenant_id: str, import_id: str) -> None:
        self._send_all([(json.dumps({"tenant_id": tenant_id, "import_id": import_id}), {})])


def imports_named(body: Any) -> list[tuple[str, str]]:
    """(tenant, import id) of each upload an S3 event names, or of a hand-over; nothing for S3's test event."""
    if isinstance(body, dict) and isinstance(body.get("tenant_id"), str) and isinstance(body.get("import_id"), str):
        return [(body["tenant_id"], body["import_id"])]
    named = []
    for record in body.get("Records", []) if isinstance(body, dict) else []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        job = job_of_key(unquote_plus(str(record.get("s3", {}).get("object", {}).get("key", ""))))
        if job is not None:
            named.append(job)
    return named


@lru_cache(maxsize=1)
def _adapters(settings: ImportSettings) -> tuple[ImportsTable, ImportsBucket, SourcesTable, ClaimStore,
                                                  ScoringQueue, ImportQueue, TenantStore]:  # fmt: skip
    return (
        ImportsTable(settings.tenants_table),
        ImportsBucket(settings.imports_bucket),
        SourcesTable(settings.tenants_table),
        ClaimStore(settings.mentions_table),
        ScoringQueue(settings.scoring_queue_url),
        ImportQueue(settings.import_queue_url),
        TenantStore(settings.tenants_table),
    )


class ImportProcessor(SqsRecordProcessor):
    def __init__(self, settings: ImportSettings) -> None:
        super().__init__()
        self._settings = settings

    def handle_record(self, record: SQSRecord) -> None:
        jobs, files, sources, mentions, scoring, hand_overs, tenants = _adapters(self._settings)
        context = self.lambda_context
        importer = Importer(
            jobs=jobs,
            files=files,
            sources=sources,
            ledger=mentions,
            sink=scoring,
            clock=utc_now,
            quota_of=lambda tenant_id, at: quota_of(tenants, tenant_id, at),
            remaining_millis=(lambda: context.get_remaining_time_in_millis()) if context else (lambda: 10**9),
        )
        try:
            body = json.loads(record.body)
        except json.JSONDecodeError:
            logger.warning("not an import event", extra={"body": record.body[:200]})
            return
        for tenant_id, import_id in imports_named(body):
            try:
                if importer.run(tenant_id, import_id):
                    hand_overs.hand_over(tenant_id, import_id)
            except ImportChangedError:
                # Another invocation is working on it (a redelivered event racing a hand-over): it goes on.
                logger.info("import moved on elsewhere", extra={"import_id": import_id})
