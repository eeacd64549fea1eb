"""A client's daily quota at the doors that cannot answer 429 (e-mail, feeds, imports), with fakes: a batch takes
what is left, mentions received before pass as duplicates without using any, and only new mentions stay counted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.ingest.domain import accept_within_quota
from sigap.kernel.errors import MentionTooLargeError, StorageError
from sigap.kernel.models import Mention
from sigap.mentions.domain import Claims
from tests.unit.test_ingestion_service import TENANT, _batch, _Ledger, _Sink


class _KnownLedger(_Ledger):
    def known(self, tenant_id: str, mention_ids: Sequence[str]) -> set[str]:
        return {one for one in mention_ids if one in self.claims or one in self.scored}


class _Quota:
    """The tenants table's day count, as DoorQuota keeps it."""

    def __init__(self, limit: int, used: int = 0) -> None:
        self.limit, self.used = limit, used

    def take(self, wanted: int) -> int:
        count = max(0, min(wanted, self.limit - self.used))
        self.used += count
        return count

    def give_back(self, count: int) -> None:
        self.used -= count

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


def test_a_batch_that_fails_gives_its_reservation_back_and_an_oversized_mention_is_named_by_its_place() -> None:
    class _Down(_KnownLedger):
        def claim(self, tenant_id: str, mentions: Sequence[Mention], expires_at: int) -> Claims:
            raise StorageError("mentions table unavailable")

    quota = _Quota(limit=10)
    with pytest.raises(StorageError):
        accept_within_quota(TENANT.tenant_id, _batch("a", "b"), quota=quota, ledger=_Down(), sink=_Sink(),
                            now=datetime.now(UTC))  # fmt: skip
    assert quota.used == 0
    # Given a quota that lets only the first two in, the second of them far too large to queue
    batch = _batch("a", "b", "c")
    batch[1] = batch[1].model_copy(update={"raw": {"blob": "x" * 300_000}})
    quota = _Quota(limit=2)
    with pytest.raises(MentionTooLargeError) as raised:
        accept_within_quota(TENANT.tenant_id, batch, quota=quota, ledger=_KnownLedger(), sink=_Sink(),
                            now=datetime.now(UTC))  # fmt: skip
    assert raised.value.index == 1
    assert quota.used == 0


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
        def give_back(self, count: int) -> None:
            raise StorageError("tenants table throttled")

    # Given a batch with one mention sent before, whose reservation cannot be given back
    ledger, sink, quota = _KnownLedger(scored={"old"}), _Sink(), _Unreturnable(limit=5)
    admitted = accept_within_quota(TENANT.tenant_id, _batch("a", "old"), quota=quota, ledger=ledger, sink=sink,
                                   now=datetime.now(UTC))  # fmt: skip
    # Then the batch is accepted all the same (not redone for bookkeeping), the duplicate left counted
    assert (admitted.result.accepted, admitted.result.duplicates) == (["a"], ["old"])
    assert [mention.id for mention in sink.sent] == ["a"]
    assert quota.used == 2
