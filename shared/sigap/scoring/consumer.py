"""The scoring function's record handling: logs, metrics and the adapters around `ScoringRun`."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from sigap.config import ScoringSettings
from sigap.dal.mentions import MentionStore
from sigap.models import utc_now
from sigap.observability import logger, metrics
from sigap.scoring.default import stored_stories_scorer
from sigap.scoring.service import PoisonMessageError, ScoringRun, StoreOutcome


@lru_cache(maxsize=1)
def _store(settings: ScoringSettings) -> MentionStore:
    return MentionStore(settings.mentions_table, settings.aggregates_table)


def _attribute(record: SQSRecord, name: str) -> str | None:
    # Indexing (not .get) is what wraps the raw dict in Powertools' SQSMessageAttribute.
    if name not in record.message_attributes:
        return None
    attribute = record.message_attributes[name]
    return attribute.string_value if attribute is not None else None


class ConsumerRun:
    def __init__(self, run: ScoringRun) -> None:
        self._run = run

    def handle_record(self, record: SQSRecord) -> StoreOutcome:
        context = {
            "tenant_id": _attribute(record, "tenant_id"),
            "correlation_id": _attribute(record, "correlation_id"),
            "message_id": record.message_id,
        }
        try:
            outcome = self._run.store(record.message_id)
        except PoisonMessageError as exc:
            # Retrying will not help, but SQS redrive keeps the message (in the DLQ after maxReceiveCount),
            # so nothing accepted is lost; the reason is logged on every attempt.
            logger.error(
                "poison message",
                extra=context | {"reason": str(exc), "receive_count": record.attributes.approximate_receive_count},
            )
            metrics.add_metric(name="PoisonMessages", unit="Count", value=1)
            raise
        except Exception as exc:
            logger.exception("scoring failed; the record will be retried", extra=context | {"reason": str(exc)})
            raise
        mention = self._run.mention_of(record.message_id)
        metrics.add_metric(
            name="MentionsStored" if outcome is StoreOutcome.STORED else "MentionsAlreadyStored",
            unit="Count",
            value=1,
        )
        logger.debug("mention scored", extra=context | {"mention_id": mention.id if mention else None})
        return outcome


def scoring_run(event: dict[str, Any], settings: ScoringSettings) -> ConsumerRun:
    bodies = {record["messageId"]: record["body"] for record in event.get("Records", [])}
    return ConsumerRun(
        ScoringRun(
            bodies,
            scorer=stored_stories_scorer(settings.stories_table, settings.story_window_days),
            sink=_store(settings),
            retention_days=settings.retention_days,
            aggregate_shards=settings.aggregate_shards,
            now=utc_now(),
        )
    )
