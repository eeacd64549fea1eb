"""One SQS batch through ScoringRun with fakes: poison messages, one store call per batch, per-record results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from sigap.kernel.aggregates import CountLater, StoreResult
from sigap.kernel.errors import StorageError
from sigap.kernel.models import Mention, Score, ScoredMention, Sentiment
from sigap.scoring.domain.run import PoisonMessageError, ScoringRun, StoreOutcome, parse_message
from tests.conftest import mention_payload


def body(mention_id: str) -> str:
    payload = mention_payload(mention_id) | {"tenant_id": "brand-a", "received_at": datetime.now(UTC)}
    return Mention.model_validate(payload).model_dump_json()


class _Sink:
    def __init__(self, stored_before: frozenset[str] = frozenset()) -> None:
        self.stored = set(stored_before)
        self.calls: list[list[str]] = []

    def store_scored(self, entries: Sequence[tuple[ScoredMention, int]]) -> Mapping[tuple[str, str], StoreResult]:
        self.calls.append([scored.mention.id for scored, _ in entries])
        results: dict[tuple[str, str], StoreResult] = {}
        for scored, _ in entries:
            key = (scored.mention.tenant_id, scored.mention.id)
            if key in results:
                continue
            results[key] = scored.mention.id not in self.stored
            self.stored.add(scored.mention.id)
        return results


class _Scorer:
    name = "fake"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def score_batch(self, mentions: Sequence[Mention]) -> list[Score]:
        self.batches.append([m.id for m in mentions])
        return [Score(sentiment=Sentiment.NEUTRAL, polarity=0, lang="id", risk=0.1, scorer=self.name) for _ in mentions]


def run(bodies: dict[str, str], sink: _Sink, scorer: _Scorer | None = None) -> ScoringRun:
    return ScoringRun(bodies, scorer=scorer or _Scorer(), sink=sink, retention_days=90, now=datetime.now(UTC))


def test_a_clean_batch_is_scored_together_and_stored_in_one_call() -> None:
    sink = _Sink()
    scorer = _Scorer()
    scoring = run({"1": body("a"), "2": body("b"), "3": body("c")}, sink, scorer)
    assert scorer.batches == [["a", "b", "c"]]
    assert [scoring.store(message) for message in ("1", "2", "3")] == [StoreOutcome.STORED] * 3
    assert sink.calls == [["a", "b", "c"]]


def test_a_mention_stored_before_is_reported_so_and_the_rest_are_stored() -> None:
    sink = _Sink(stored_before=frozenset({"b"}))
    scoring = run({"1": body("a"), "2": body("b")}, sink)
    assert [scoring.store("1"), scoring.store("2")] == [StoreOutcome.STORED, StoreOutcome.ALREADY_STORED]
    assert sink.stored == {"a", "b"}


def test_the_second_message_carrying_a_mention_is_already_stored_when_the_first_stores_it() -> None:
    sink = _Sink()
    scoring = run({"1": body("a"), "2": body("a")}, sink)
    assert [scoring.store("2"), scoring.store("1")] == [StoreOutcome.ALREADY_STORED, StoreOutcome.STORED]
    assert sink.calls == [["a", "a"]]


def test_a_storage_error_fails_only_the_records_it_names() -> None:
    class _OneFails(_Sink):
        def store_scored(self, entries: Sequence[tuple[ScoredMention, int]]) -> Mapping[tuple[str, str], StoreResult]:
            results = dict(super().store_scored(entries))
            results[("brand-a", "b")] = StorageError("throttled")
            return results

    scoring = run({"1": body("a"), "2": body("b")}, _OneFails())
    assert scoring.store("1") is StoreOutcome.STORED
    with pytest.raises(StorageError, match="throttled"):
        scoring.store("2")


def test_a_mention_another_run_may_still_count_is_to_be_looked_at_later() -> None:
    class _Busy(_Sink):
        def store_scored(self, entries: Sequence[tuple[ScoredMention, int]]) -> Mapping[tuple[str, str], StoreResult]:
            return {("brand-a", "a"): CountLater(after=timedelta(seconds=70)), ("brand-a", "b"): True}

    scoring = run({"1": body("a"), "2": body("b")}, _Busy())
    assert (scoring.store("1"), scoring.count_later("1")) == (StoreOutcome.COUNT_LATER, timedelta(seconds=70))
    assert scoring.store("2") is StoreOutcome.STORED
    with pytest.raises(ValueError, match="was not stored by a run that has yet to count it"):
        scoring.count_later("2")


def test_a_storage_error_for_the_whole_batch_fails_every_record() -> None:
    class _Down(_Sink):
        def store_scored(self, entries: Sequence[tuple[ScoredMention, int]]) -> Mapping[tuple[str, str], StoreResult]:
            raise StorageError("table unavailable")

    scoring = run({"1": body("a"), "2": body("b")}, _Down())
    for message in ("1", "2"):
        with pytest.raises(StorageError, match="unavailable"):
            scoring.store(message)


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
