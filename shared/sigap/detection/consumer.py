"""The evaluator function's wiring: the batch processor that evaluates each requested tenant-minute (a message
asks for up to ten tenants; the detector's tick, `sigap.detection.detector_tick`, sends them).

A message that can never be evaluated (not JSON, not a request) goes straight to the evaluation dead-letter
queue with its reason as a message attribute, and counts as handled; anything else that fails (storage, the
alert-events queue) fails its record only, and SQS retries it. Evaluations are idempotent (see
`sigap.detection.domain.evaluation`), so a retried or duplicated message changes nothing twice: a message retried
because one of its tenants failed finds the others' minutes done.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from sigap.detection.domain.evaluation import DetectorPorts, Evaluation, evaluate_through
from sigap.detection.domain.models import EvaluationRequest, EvaluationRequests
from sigap.detection.queues import AlertEventQueue
from sigap.detection.samples import MentionSamples
from sigap.detection.settings import EvaluatorSettings
from sigap.detection.settings_store import DetectionSettingsStore
from sigap.detection.store import AlertsTable, StateAdapter
from sigap.kernel.models import problems_of, utc_now
from sigap.mentions.aggregate_rollup import AggregateRollup
from sigap.mentions.aggregate_store import AggregateStore, WithKnownCursor
from sigap.mentions.listing import MentionListing
from sigap.platform.batch import SideBySideProcessor
from sigap.platform.observability import logger, metrics
from sigap.platform.sqs import DeadLetterQueue


class PoisonEvaluationError(ValueError):
    """A message that is not an evaluation request; retrying cannot help."""


@lru_cache(maxsize=1)
def _aggregates(settings: EvaluatorSettings) -> AggregateStore:
    return AggregateStore(settings.aggregates_table, settings.aggregate_shards)


@lru_cache(maxsize=1)
def _ports(settings: EvaluatorSettings) -> DetectorPorts:
    alerts = AlertsTable(settings.alerts_table)
    return DetectorPorts(
        aggregates=_aggregates(settings),
        history=alerts,
        state=StateAdapter(alerts),
        alerts=alerts,
        events=AlertEventQueue(settings.alert_events_queue_url),
        samples=MentionSamples(
            MentionListing(settings.mentions_table, settings.aggregates_table, settings.aggregate_shards)
        ),
    )


@lru_cache(maxsize=1)
def _rollup(settings: EvaluatorSettings) -> AggregateRollup:
    return AggregateRollup(_aggregates(settings), settings.aggregates_table)


@lru_cache(maxsize=1)
def _detection_settings(settings: EvaluatorSettings) -> DetectionSettingsStore:
    return DetectionSettingsStore(settings.tenants_table)


@lru_cache(maxsize=1)
def _dead_letters(settings: EvaluatorSettings) -> DeadLetterQueue:
    return DeadLetterQueue(settings.evaluation_dead_letter_queue_url)


def _parsed(body: str) -> EvaluationRequests | PoisonEvaluationError:
    """The message's requests, or why it is none (kept for the record, which is dead-lettered with it)."""
    try:
        return EvaluationRequests.model_validate_json(body)
    except ValidationError as exc:
        try:  # a message of one tenant, as sent before the fan-out packed several, queued across a deploy
            return EvaluationRequests.of_one(EvaluationRequest.model_validate_json(body))
        except ValidationError:
            return PoisonEvaluationError(f"not an evaluation request: {problems_of(exc)}")


@dataclass(frozen=True)
class Evaluated:
    """A tenant's evaluations, with what its log lines name."""

    context: dict[str, str]
    evaluations: list[Evaluation]


@dataclass(frozen=True)
class MessageEvaluated:
    """A message's tenants evaluated: those done, and the first failure if any tenant failed (the record then
    fails, after what was done is counted)."""

    done: list[Evaluated]
    failure: Exception | None


# Catch-ups stop starting minutes when this share of the invocation's time is left (10 s of the evaluator's 60 s):
# time for the minutes in progress, the batch's metrics and its answer to SQS (a minute is a few DynamoDB calls).
STOP_WITH_TIME_LEFT = 1 / 6


class DetectionBatchProcessor(SideBySideProcessor[MessageEvaluated | None]):
    """The batch's messages evaluated side by side (an evaluation mostly waits on a few DynamoDB reads), each
    message's tenants one after another, and messages that share a tenant one after another. Catch-ups stop
    before the invocation's time runs out, and the next request of each tenant goes on from there (see
    `evaluate_through`)."""

    def __init__(self, settings: EvaluatorSettings) -> None:
        super().__init__()
        self._settings = settings
        self._stop_at = math.inf
        self._requests: dict[str, EvaluationRequests | PoisonEvaluationError] = {}

    def before_records(self, records: list[dict[str, Any]]) -> None:
        context = getattr(self, "lambda_context", None)  # Powertools sets it when the handler was given one
        if context is not None:
            left = context.get_remaining_time_in_millis() / 1000
            self._stop_at = time.monotonic() + left * (1 - STOP_WITH_TIME_LEFT)
        self._requests = {record.message_id: _parsed(record.body) for record in map(SQSRecord, records)}
        super().before_records(records)

    def _requests_of(self, record: SQSRecord) -> EvaluationRequests:
        """The record's requests, parsed once for the batch (or now, for a record handed over alone)."""
        parsed = self._requests.get(record.message_id) or _parsed(record.body)
        if isinstance(parsed, PoisonEvaluationError):
            raise parsed
        return parsed

    def _out_of_time(self) -> bool:
        return time.monotonic() >= self._stop_at

    def lane_keys(self, record: SQSRecord) -> Iterable[str]:
        """One tenant's requests one after another: two evaluations of a tenant at once would both send the
        transitions neither had marked sent yet (safe downstream, but sent twice)."""
        try:
            return self._requests_of(record).tenant_ids
        except PoisonEvaluationError:
            return (record.message_id,)

    def work(self, record: SQSRecord) -> MessageEvaluated | None:
        """Each requested tenant evaluated in turn, every one tried even after one failed; None for a message that
        is no request (dead-lettered)."""
        try:
            requests = self._requests_of(record)
        except PoisonEvaluationError as exc:
            # Straight to the dead-letter queue with the reason; if that fails, the record fails and is retried.
            _dead_letters(self._settings).put(record.body, str(exc))
            logger.error("poison evaluation message dead-lettered", extra={"reason": str(exc)})
            return None
        done: list[Evaluated] = []
        failures: list[Exception] = []
        for request in requests.each():
            try:
                done.append(self._evaluate(request))
            except Exception as exc:  # logged with its tenant; the record fails once every tenant was tried
                failures.append(exc)
        return MessageEvaluated(done, failures[0] if failures else None)

    def _evaluate(self, request: EvaluationRequest) -> Evaluated:
        context = {"tenant_id": request.tenant_id, "minute": request.minute.isoformat()}
        try:
            # the settings are read only if the minute has something to evaluate (an idle tenant's has not)
            settings = partial(_detection_settings(self._settings).get, request.tenant_id)
            # settled minutes rolled up first, so the evaluation reads one item per minute, however viral; its
            # windows take the cursor the roll-up just read or moved
            settled = _rollup(self._settings).settle(request.tenant_id, utc_now())
            aggregates = WithKnownCursor(_aggregates(self._settings), request.tenant_id, settled.cursor)
            ports = replace(_ports(self._settings), aggregates=aggregates)
            evaluations = evaluate_through(
                request.tenant_id, request.minute, settings, ports, urgent=request.urgent, out_of_time=self._out_of_time
            )
        except Exception as exc:
            logger.exception("evaluation failed; the record will be retried", extra=context | {"reason": str(exc)})
            raise
        return Evaluated(context, evaluations)

    def finish(self, record: SQSRecord, outcome: MessageEvaluated | None) -> str:
        if outcome is None:
            metrics.add_metric(name="PoisonEvaluations", unit="Count", value=1)
            return "dead-lettered"
        for evaluated in outcome.done:
            for evaluation in evaluated.evaluations:
                self._record(evaluation, evaluated.context)
        if outcome.failure is not None:
            raise outcome.failure  # the record is retried: its tenants done find their minute evaluated
        return f"{sum(len(evaluated.evaluations) for evaluated in outcome.done)} minute(s) evaluated"

    @staticmethod
    def _record(evaluation: Evaluation, context: dict[str, str]) -> None:
        # only what happened is a metric (an idle minute's evaluation would be one every minute, paid whatever)
        for transition in evaluation.transitions:
            alert = transition.alert
            logger.info(
                f"alert {transition.kind.value}",
                extra=context
                | {
                    "evaluated_minute": evaluation.minute.isoformat(),
                    "alert_id": alert.alert_id,
                    "rule": alert.rule.value,
                    "severity": alert.severity.value,
                    "scope": alert.scope.value,
                    "summary": alert.summary,
                },
            )
            metrics.add_metric(name=f"Alerts{transition.kind.value.capitalize()}", unit="Count", value=1)
