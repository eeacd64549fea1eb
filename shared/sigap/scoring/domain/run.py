"""The scoring function's logic: one SQS message in, one scored mention stored (once) with its aggregates."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import ValidationError

from sigap.kernel.aggregates import AggregateContribution, contribution_for, merge_contributions
from sigap.kernel.errors import StorageError
from sigap.kernel.models import Mention, ScoredMention, problems_of
from sigap.scoring.domain.interface import MentionScorer


class PoisonMessageError(ValueError):
    """A message that can never be scored (not JSON, or not a mention). Retrying will not help."""


class StoreOutcome(StrEnum):
    STORED = "stored"
    ALREADY_STORED = "already_stored"


class ScoredMentionSink(Protocol):
    def put_once(self, scored: ScoredMention, contribution: AggregateContribution, expires_at: int) -> bool: ...

    def put_all_once(
        self, entries: Sequence[tuple[ScoredMention, int]], contributions: Sequence[AggregateContribution]
    ) -> bool: ...


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

        self._stored_together: bool | None = None

    def _store_together(self) -> bool:
        """The fast path: the whole batch in one transaction (one round trip instead of one per mention)."""
        if len(self._scored) < 2:
            return False
        entries = [(scored, expiry_epoch(scored.mention, self._retention_days)) for scored in self._scored.values()]
        contributions = merge_contributions(contribution_for(scored) for scored in self._scored.values())
        try:
            return self._sink.put_all_once(entries, contributions)
        except StorageError:
            return False  # each record then tries alone and fails or succeeds on its own

    def scored_by_message(self) -> dict[str, ScoredMention]:
        """The batch's scored mentions (every valid message's), by SQS message id."""
        return dict(self._scored)

    def mention_of(self, message_id: str) -> Mention | None:
        scored = self._scored.get(message_id)
        return scored.mention if scored else None

    def store(self, message_id: str) -> StoreOutcome:
        if message_id in self._problems:
            raise self._problems[message_id]
        if self._stored_together is None:
            self._stored_together = self._store_together()
        if self._stored_together:
            return StoreOutcome.STORED
        scored = self._scored[message_id]
        stored = self._sink.put_once(
            scored,
            contribution_for(scored),
            expiry_epoch(scored.mention, self._retention_days),
        )
        return StoreOutcome.STORED if stored else StoreOutcome.ALREADY_STORED
