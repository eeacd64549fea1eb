"""The scoring function's batch processor: the batch scored once before its records are walked (its
`before_records`, run by Powertools' public `process`: the scorer is much faster in batches, and reads the story
index once), then each record stored on its own.

Work done for the whole batch runs inside the processor, not before it, so when it fails (the story index
unreadable, say) every record is reported as a batch item failure with the reason logged and counted: SQS
retries them and, after maxReceiveCount, keeps them in the dead-letter queue. Nothing escapes as a bare raise.
"""

from __future__ import annotations

import math
from datetime import timedelta
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from sigap.detection.domain.rules import calls_for_evaluation
from sigap.detection.domain.schedule import urgent_requests
from sigap.detection.queues import EvaluationQueue
from sigap.kernel.aggregates import bucket_time, minute_start
from sigap.kernel.errors import QueueError
from sigap.kernel.models import utc_now
from sigap.mentions.store import MentionStore
from sigap.platform.batch import WholeBatchProcessor
from sigap.platform.observability import logger, metrics
from sigap.platform.sqs import DelayedQueue, attributes
from sigap.scoring.domain.engine import SigapScorer
from sigap.scoring.domain.run import PoisonMessageError, ScoringRun, StoreOutcome
from sigap.scoring.domain.sentiment import shipped_model
from sigap.scoring.settings import ScoringSettings
from sigap.scoring.story_index import DynamoBandIndex


class BatchNotScoredError(RuntimeError):
    """The whole batch could not be scored; each of its records fails with this reason."""


@lru_cache(maxsize=1)
def _store(settings: ScoringSettings) -> MentionStore:
    return MentionStore(settings.mentions_table, settings.aggregates_table, aggregate_shards=settings.aggregate_shards)


@lru_cache(maxsize=1)
def _scorer(settings: ScoringSettings) -> SigapScorer:
    """Stories remembered in DynamoDB across batches and instances."""
    return SigapScorer(shipped_model(), DynamoBandIndex(settings.stories_table, settings.story_window_days))


URGENT_HORIZON = timedelta(minutes=10)


@lru_cache(maxsize=1)
def _recounts(settings: ScoringSettings) -> DelayedQueue:
    if settings.scoring_queue_url is None:
        raise QueueError("SCORING_QUEUE_URL is not set: a mention cannot be looked at again later")
    return DelayedQueue(settings.scoring_queue_url)


@lru_cache(maxsize=1)
def _evaluations(settings: ScoringSettings) -> EvaluationQueue:
    assert settings.evaluation_queue_url is not None
    return EvaluationQueue(settings.evaluation_queue_url)


def _attribute(record: SQSRecord, name: str) -> str | None:
    # Indexing (not .get) is what wraps the raw dict in Powertools' SQSMessageAttribute.
    if name not in record.message_attributes:
        return None
    attribute = record.message_attributes[name]
    return attribute.string_value if attribute is not None else None


class ScoringBatchProcessor(WholeBatchProcessor):
    def __init__(self, settings: ScoringSettings) -> None:
        super().__init__()
        self._settings = settings
        self._run: ScoringRun | None = None
        self._batch_problem: str | None = None
        self._stored: set[str] = set()

    def before_records(self, records: list[dict[str, Any]]) -> None:
        self._run, self._batch_problem, self._stored = None, None, set()
        bodies = {record["messageId"]: record["body"] for record in records}
        try:
            self._run = ScoringRun(
                bodies,
                scorer=_scorer(self._settings),
                sink=_store(self._settings),
                retention_days=self._settings.retention_days,
                now=utc_now(),
            )
        except Exception as exc:
            self._batch_problem = f"{type(exc).__name__}: {exc}"
            logger.exception(
                "the batch could not be scored; every record will be retried",
                extra={"records": len(records), "reason": self._batch_problem},
            )
            metrics.add_metric(name="ScoringBatchFailures", unit="Count", value=1)

    def after_records(self) -> None:
        if self._run is not None and self._settings.evaluation_queue_url:
            self._ask_for_urgent_evaluations(self._run)

    def _ask_for_urgent_evaluations(self, run: ScoringRun) -> None:
        """A national outlet or a huge account carrying a severe claim: its tenant is evaluated now, not at
        the next schedule tick. Best effort: if the ask fails, the schedule evaluates within a minute."""
        stored = self._stored
        recent = utc_now() - URGENT_HORIZON  # an old article imported now is history, not breaking news
        urgent = {
            (scored.mention.tenant_id, minute_start(bucket_time(scored)))
            for message_id, scored in run.scored_by_message().items()
            if message_id in stored and bucket_time(scored) >= recent and calls_for_evaluation(scored)
        }
        if not urgent:
            return
        try:
            _evaluations(self._settings).send(urgent_requests(urgent))
        except QueueError as exc:
            logger.warning("could not ask for an urgent evaluation", extra={"reason": str(exc)})
            return
        metrics.add_metric(name="UrgentEvaluationsRequested", unit="Count", value=len(urgent))

    def _look_again_later(self, record: SQSRecord, context: dict[str, str | None]) -> None:
        """The message goes back on the queue, delayed until the run that stored its mention can no longer be
        alive (a retry now would find the same, and SQS would dead-letter it after a few)."""
        assert self._run is not None
        seconds = math.ceil(self._run.count_later(record.message_id).total_seconds())
        resend = attributes(tenant_id=context["tenant_id"], correlation_id=context["correlation_id"])
        _recounts(self._settings).send_later(record.body, resend, seconds)
        logger.info("mention stored by a run that has not counted it yet: looked at again later", extra=context)
        metrics.add_metric(name="MentionsCountedLater", unit="Count", value=1)

    def handle_record(self, record: SQSRecord) -> StoreOutcome:
        context = {
            "tenant_id": _attribute(record, "tenant_id"),
            "correlation_id": _attribute(record, "correlation_id"),
            "message_id": record.message_id,
        }
        if self._run is None:
            raise BatchNotScoredError(self._batch_problem or "the batch was not scored")
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
        if outcome is StoreOutcome.COUNT_LATER:
            self._look_again_later(record, context)
            return outcome
        self._stored.add(record.message_id)
        metrics.add_metric(
            name="MentionsStored" if outcome is StoreOutcome.STORED else "MentionsAlreadyStored",
            unit="Count",
            value=1,
        )
        return outcome
