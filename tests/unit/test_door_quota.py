"""A client's daily quota at the doors that cannot answer 429 (e-mail, feeds, imports), with fakes: a batch takes
what is left, mentions received before pass as duplicates without using any, and only new mentions stay counted;
a batch that failed or whose process died is counted once when it is retried."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.ingest.domain import accept_within_quota, batch_name
from sigap.kernel.errors import MentionTooLargeError, QueueError, StorageError
from sigap.kernel.models import Held, Mention
from tests.unit.test_ingestion_service import TENANT, _batch, _Ledger, _Sink


class _KnownLedger(_Ledger):
    def known(self, tenant_id: str, mention_ids: Sequence[str]) -> set[str]:
        return {one for one in mention_ids if one in self.claims or one in self.scored}


class _Quota:
    """The tenants table's day count and its batches' holds, as DoorQuota keeps them."""

    def __init__(self, limit: int, used: int = 0) -> None:
        self.limit, self.used = limit, used
        self.holds: dict[str, int] = {}

    def take(self, wanted: int, batch: str) -> Held:
        if batch in self.holds:
            return Held(self.holds[batch], resumed=True)
        count = max(0, min(wanted, self.limit - self.used))
        if count:
            self.used += count
            self.holds[batch] = count
        return Held(count)

    def settle(self, batch: str, unused: int) -> None:
        del self.holds[batch]
        self.used -= unused

    def refusal(self) -> str:
        return "the quota is used"


def test_a_batch_past_the_quota_takes_its_first_new_mentions_and_names_the_rest_refused() -> None:
    # Given a client with 2 of its 3 mentions a day left, and one mention it sent yesterday
    ledger, sink, quota = _KnownLedger(scored={"old"}), _Sink(), _Quota(limit=3, used=1)
    # When an e-mail digest of four, the old one among them, comes in
    admitted = accept_within_quota(TENANT.tenant_id, _batch("a", "old", "b", "c"), quota=quota, ledger=ledger,
                                   sink=sink, now=datetime.now(UTC))  # fmt: skip
    # Then the first two new ones are taken, the old one is a duplicate, and the last is refused with the reason
    assert (admitted.result.accepted, admitted.result.duplicates, admitted.refused) == (["a", "b"], ["old"], ["c"])
    assert admitted.reason == "the quota is used"
    assert [mention.id for mention in sink.sent] == ["a", "b"]
    assert quota.used == 3


def test_a_file_imported_again_once_the_quota_renews_brings_only_what_was_refused_and_counts_only_that() -> None:
    # Given an import whose last two rows the quota refused yesterday
    ledger, sink = _KnownLedger(), _Sink()
    first = accept_within_quota(TENANT.tenant_id, _batch("a", "b", "c", "d"), quota=_Quota(limit=2), ledger=ledger,
                                sink=sink, now=datetime.now(UTC))  # fmt: skip
    assert first.refused == ["c", "d"]
    # When the same file is imported again on a new day with the same quota
    today = _Quota(limit=2)
    again = accept_within_quota(TENANT.tenant_id, _batch("a", "b", "c", "d"), quota=today, ledger=ledger, sink=sink,
                                now=datetime.now(UTC))  # fmt: skip
    # Then the rows taken before are duplicates that use none of it, and the refused ones get in
    assert (again.result.accepted, again.result.duplicates, again.refused) == (["c", "d"], ["a", "b"], [])
    assert today.used == 2


def test_a_batch_that_fails_keeps_its_hold_and_its_retry_counts_it_once() -> None:
    class _QueueDown(_Sink):
        def send(self, mentions: Sequence[Mention], correlation_id: str | None = None) -> None:
            raise QueueError("scoring queue unavailable")

    # Given a batch whose mentions are claimed but cannot be queued
    quota, ledger, sink = _Quota(limit=10), _KnownLedger(), _Sink()
    with pytest.raises(QueueError):
        accept_within_quota(TENANT.tenant_id, _batch("a", "b"), quota=quota, ledger=ledger, sink=_QueueDown(),
                            now=datetime.now(UTC))  # fmt: skip
    # Then what it took stays held for its retry
    assert (quota.used, list(quota.holds.values())) == (2, [2])
    # When SQS delivers it again, it finds its hold: the two (claimed before, so duplicates now) are queued from
    # their claims and stay counted once, and the hold is gone (giving all back on failure counted them never)
    admitted = accept_within_quota(TENANT.tenant_id, _batch("a", "b"), quota=quota, ledger=ledger, sink=sink,
                                   now=datetime.now(UTC))  # fmt: skip
    assert admitted.result.duplicates == ["a", "b"]
    assert [mention.id for mention in sink.sent] == ["a", "b"]
    assert (quota.used, quota.holds) == (2, {})


def test_a_batch_whose_process_died_after_claiming_part_of_it_is_counted_once_when_delivered_again() -> None:
    # Given a batch of three whose first attempt took the quota and claimed "a" before its process was killed
    quota, ledger, sink = _Quota(limit=10), _KnownLedger(), _Sink()
    batch = _batch("a", "b", "c")
    assert quota.take(3, batch_name(["a", "b", "c"])) == Held(3)
    ledger.claim(TENANT.tenant_id, [Mention(**batch[0].model_dump(), tenant_id=TENANT.tenant_id,
                                            received_at=datetime.now(UTC))], 0)  # fmt: skip
    # When it is delivered again
    admitted = accept_within_quota(TENANT.tenant_id, batch, quota=quota, ledger=ledger, sink=sink,
                                   now=datetime.now(UTC))  # fmt: skip
    # Then every mention is in (a queued again from its claim), and the day counts three, not six nor two
    assert (admitted.result.accepted, admitted.result.duplicates) == (["b", "c"], ["a"])
    assert sorted(mention.id for mention in sink.sent) == ["a", "b", "c"]
    assert (quota.used, quota.holds) == (3, {})


def test_a_resumed_batch_the_quota_cut_short_never_lets_more_in_than_it_holds() -> None:
    # Given three of a day's quota left, and a batch of five whose first attempt held the three and claimed two
    # of them before it died
    quota, ledger, sink = _Quota(limit=3), _KnownLedger(), _Sink()
    batch = _batch("a", "b", "c", "d", "e")
    assert quota.take(5, batch_name(["a", "b", "c", "d", "e"])) == Held(3)
    ledger.claim(TENANT.tenant_id, [Mention(**mention.model_dump(), tenant_id=TENANT.tenant_id,
                                            received_at=datetime.now(UTC)) for mention in batch[:2]], 0)  # fmt: skip
    # When it is delivered again
    admitted = accept_within_quota(TENANT.tenant_id, batch, quota=quota, ledger=ledger, sink=sink,
                                   now=datetime.now(UTC))  # fmt: skip
    # Then one more comes in (three in all, the quota), and the last two are refused with the reason
    assert (admitted.result.accepted, admitted.refused) == (["c"], ["d", "e"])
    assert (quota.used, quota.holds) == (3, {})


def test_an_oversized_mention_gives_the_batch_back_and_is_named_by_its_place() -> None:
    # Given a quota that lets only the first two in, the second of them far too large to queue
    batch = _batch("a", "b", "c")
    batch[1] = batch[1].model_copy(update={"raw": {"blob": "x" * 300_000}})
    quota = _Quota(limit=2)
    with pytest.raises(MentionTooLargeError) as raised:
        accept_within_quota(TENANT.tenant_id, batch, quota=quota, ledger=_KnownLedger(), sink=_Sink(),
                            now=datetime.now(UTC))  # fmt: skip
    # Then it is named by its place in the door's batch, and the batch holds nothing (the door goes on without it)
    assert raised.value.index == 1
    assert (quota.used, quota.holds) == (0, {})


@given(
    batch=st.lists(st.sampled_from("abcdefgh"), max_size=12),
    before=st.sets(st.sampled_from("abcdefgh")),
    limit=st.integers(1, 10),
    used=st.integers(0, 10),
)
def test_every_id_is_accepted_a_duplicate_or_refused_and_the_count_never_passes_the_limit(
    batch: list[str], before: set[str], limit: int, used: int
) -> None:
    used = min(used, limit)
    ledger, sink, quota = _KnownLedger(scored=before), _Sink(), _Quota(limit, used)
    admitted = accept_within_quota(TENANT.tenant_id, _batch(*batch), quota=quota, ledger=ledger, sink=sink,
                                   now=datetime.now(UTC))  # fmt: skip
    accepted, duplicates, refused = admitted.result.accepted, set(admitted.result.duplicates), admitted.refused
    new = [one for one in dict.fromkeys(batch) if one not in before]
    # every id has one fate; what was sent before is never refused; the refused are the last new ones
    assert set(accepted) | duplicates | set(refused) == set(batch)
    assert not set(accepted) & set(refused)
    assert not duplicates & set(refused)
    assert accepted == new[: len(accepted)]
    assert refused == new[len(accepted) :]
    # only new mentions are counted, never past the limit, and one is refused only when none is left
    assert quota.used == used + len(accepted) <= limit
    assert not refused or quota.used == limit
    assert (admitted.reason is not None) == bool(refused)


def test_a_give_back_that_fails_leaves_the_mentions_counted_and_the_accepted_batch_stands() -> None:
    class _Unreturnable(_Quota):
        def settle(self, batch: str, unused: int) -> None:
            raise StorageError("tenants table throttled")

    # Given a batch with one mention sent before, whose reservation cannot be given back
    ledger, sink, quota = _KnownLedger(scored={"old"}), _Sink(), _Unreturnable(limit=5)
    admitted = accept_within_quota(TENANT.tenant_id, _batch("a", "old"), quota=quota, ledger=ledger, sink=sink,
                                   now=datetime.now(UTC))  # fmt: skip
    # Then the batch is accepted all the same (not redone for bookkeeping), the duplicate left counted
    assert (admitted.result.accepted, admitted.result.duplicates) == (["a"], ["old"])
    assert [mention.id for mention in sink.sent] == ["a"]
    assert quota.used == 2
