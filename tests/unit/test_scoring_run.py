"""One SQS batch through ScoringRun with fakes: poison messages, the one-transaction fast path, fallback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from sigap.kernel.aggregates import AggregateContribution
from sigap.kernel.errors import StorageError
from sigap.kernel.models import Mention, Score, ScoredMention, Sentiment
from sigap.scoring.domain.run import PoisonMessageError, ScoringRun, StoreOutcome, parse_message
from tests.conftest import mention_payload


def body(mention_id: str) -> str:
    payload = mention_payload(mention_id) | {"tenant_id": "brand-a", "received_at": datetime.now(UTC)}
    return Mention.model_validate(payload).model_dump_json()


class _Sink:
    def __init__(self, together_works: bool = True, stored_before: frozenset[str] = frozenset()) -> None:
        self.together_works = together_works
        self.stored = set(stored_before)
        self.together_calls = 0
        self.single_calls = 0

    def put_all_once(
        self, entries: Sequence[tuple[ScoredMention, int]], contributions: Sequence[AggregateContribution]
    ) -> bool:
        self.together_calls += 1
        ids = {scored.mention.id for scored, _ in entries}
        if not self.together_works or ids & self.stored:
            return False
        self.stored |= ids
        return True

    def put_once(self, scored: ScoredMention, contribution: AggregateContribution, expires_at: int) -> bool:
        self.single_calls += 1
        if scored.mention.id in self.stored:
            return False
        self.stored.add(scored.mention.id)
        return True


class _Scorer:
    name = "fake"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def score_batch(self, mentions: Sequence[Mention]) -> list[Score]:
        self.batches.append([m.id for m in mentions])
        return [Score(sentiment=Sentiment.NEUTRAL, polarity=0, lang="id", risk=0.1, scorer=self.name) for _ in mentions]


def run(bodies: dict[str, str], sink: _Sink, scorer: _Scorer | None = None) -> ScoringRun:
    return ScoringRun(bodies, scorer=scorer or _Scorer(), sink=sink, retention_days=90, now=datetime.now(UTC))


def test_a_clean_batch_is_scored_together_and_stored_in_one_round_trip() -> None:
    sink = _Sink()
    scorer = _Scorer()
    scoring = run({"1": body("a"), "2": body("b"), "3": body("c")}, sink, scorer)
    assert scorer.batches == [["a", "b", "c"]]
    assert [scoring.store(message) for message in ("1", "2", "3")] == [StoreOutcome.STORED] * 3
    assert (sink.together_calls, sink.single_calls) == (1, 0)


def test_a_batch_with_a_known_mention_falls_back_to_one_write_each() -> None:
    sink = _Sink(stored_before=frozenset({"b"}))
    scoring = run({"1": body("a"), "2": body("b")}, sink)
    assert [scoring.store("1"), scoring.store("2")] == [StoreOutcome.STORED, StoreOutcome.ALREADY_STORED]
    assert sink.stored == {"a", "b"}


def test_a_storage_error_on_the_fast_path_lets_each_record_try_alone() -> None:
    class _Failing(_Sink):
        def put_all_once(
            self, entries: Sequence[tuple[ScoredMention, int]], contributions: Sequence[AggregateContribution]
        ) -> bool:
            raise StorageError("throttled")

    sink = _Failing()
    scoring = run({"1": body("a"), "2": body("b")}, sink)
    assert scoring.store("1") is StoreOutcome.STORED
    assert sink.single_calls == 1


def test_a_poison_message_raises_only_for_its_own_record() -> None:
    sink = _Sink()
    scoring = run({"1": body("a"), "2": "[]"}, sink)
    with pytest.raises(PoisonMessageError, match="not a valid mention"):
        scoring.store("2")
    assert scoring.store("1") is StoreOutcome.STORED


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{not json", "not JSON"),
        ('{"id": "x"}', "tenant_id: Field required"),
        ('{"id": "x", "tenant_id": "NOT A SLUG"}', "tenant_id: String should match pattern"),
    ],
)
def test_a_poison_message_names_what_is_wrong(raw: str, reason: str) -> None:
    with pytest.raises(PoisonMessageError, match=reason):
        parse_message(raw)
