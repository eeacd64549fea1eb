"""The scoring function's logic: one SQS message in, one scored mention stored (once) with its aggregates."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import ValidationError

from sigap.kernel.aggregates import CountLater, StoreResult
from sigap.kernel.errors import StorageError
from sigap.kernel.models import Mention, ScoredMention, problems_of
from sigap.scoring.domain.interface import MentionScorer


class PoisonMessageError(ValueError):
    """A message that can never be scored (not JSON, or not a mention). Retrying will not help."""


class StoreOutcome(StrEnum):
    STORED = "stored"
    ALREADY_STORED = "already_stored"
    COUNT_LATER = "count_later"  # stored moments ago by a run that may still count it: look again later


class ScoredMentionSink(Protocol):
    def store_scored(self, entries: Sequence[tuple[ScoredMention, int]]) -> Mapping[tuple[str, str], StoreResult]:
        """Per (tenant id, mention id), the first copy in the batch: True if stored and counted now, False if
        stored (and counted) before, `CountLater` if a run that may still be alive stored it and has not counted
        it yet, or the error that kept it from being stored."""
        ...


def parse_message(body: str) -> Mention:
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise PoisonMessageError(f"message body is not JSON: {exc.msg} at position {exc.pos}") from exc
    try:
        return Mention.model_validate(payload)
    except ValidationError as exc:
        raise PoisonMessageError(f"message is not a valid mention: {problems_of(exc)}") from exc


def expiry_epoch(mention: Mention, retention_days: int) -> int:
    return int((mention.received_at + timedelta(days=retention_days)).timestamp())


class ScoringRun:
    """One SQS batch: every message parsed and the valid ones scored together up front (the scorer is much
    faster in batches), then stored one record at a time so each record succeeds or fails on its own."""

    def __init__(
        self,
        bodies: Mapping[str, str],
        *,
        scorer: MentionScorer,
        sink: ScoredMentionSink,
        retention_days: int,
        now: datetime,
    ) -> None:
        self._sink = sink
        self._retention_days = retention_days
        self._problems: dict[str, PoisonMessageError] = {}
        parsed: dict[str, Mention] = {}
        for message_id, body in bodies.items():
            try:
                parsed[message_id] = parse_message(body)
            except PoisonMessageError as problem:
                self._problems[message_id] = problem
        scores = scorer.score_batch(list(parsed.values())) if parsed else []
        self._scored = {
            message_id: ScoredMention(mention=mention, score=score, scored_at=now)
            for (message_id, mention), score in zip(parsed.items(), scores, strict=True)
        }

        self._results: Mapping[tuple[str, str], StoreResult] | None = None
        self._first_copy: dict[tuple[str, str], str] = {}  # which message carried each mention first
        for message_id, scored in self._scored.items():
            self._first_copy.setdefault((scored.mention.tenant_id, scored.mention.id), message_id)

    def _stored(self) -> Mapping[tuple[str, str], StoreResult]:
        """The whole batch stored at once, the first time a record asks (each record then reads its own)."""
        if self._results is None:
            entries = [(scored, expiry_epoch(scored.mention, self._retention_days)) for scored in self._scored.values()]
            try:
                self._results = self._sink.store_scored(entries)
            except StorageError as exc:  # nothing told apart: every record fails on its own and is retried
                self._results = dict.fromkeys(self._first_copy, exc)
        return self._results

    def scored_by_message(self) -> dict[str, ScoredMention]:
        """The batch's scored mentions (every valid message's), by SQS message id."""
        return dict(self._scored)

    def count_later(self, message_id: str) -> timedelta:
        """For a COUNT_LATER outcome: how long until the message should be looked at again."""
        mention = self._scored[message_id].mention
        result = self._stored().get((mention.tenant_id, mention.id))
        if not isinstance(result, CountLater):
            raise ValueError(f"message {message_id} was not stored by a run that has yet to count it")
        return result.after

    def mention_of(self, message_id: str) -> Mention | None:
        scored = self._scored.get(message_id)
        return scored.mention if scored else None

    def store(self, message_id: str) -> StoreOutcome:
        if message_id in self._problems:
            raise self._problems[message_id]
        mention = self._scored[message_id].mention
        key = (mention.tenant_id, mention.id)
        result = self._stored().get(key)
        if result is None:  # the sink must answer for every mention it was given
            raise StorageError(f"no answer from storage for mention {mention.id}")
        if isinstance(result, StorageError):
            raise result
        if isinstance(result, CountLater):
            return StoreOutcome.COUNT_LATER
        stored_now = result and self._first_copy[key] == message_id
        return StoreOutcome.STORED if stored_now else StoreOutcome.ALREADY_STORED
