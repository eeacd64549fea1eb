"""Ingestion logic with fakes: the first copy of an id wins, repeats are reported, oversized mentions refused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from sigap.ingest.domain import accept_mentions
from sigap.kernel.errors import MentionTooLargeError
from sigap.kernel.models import Mention, MentionIn, Tenant
from sigap.mentions.claiming import Claims
from tests.conftest import mention_payload

TENANT = Tenant(tenant_id="brand-a", display_name="A", api_key_hash="0" * 64, created_at=datetime.now(UTC))


class _Ledger:
    """Claims as the Mentions table keeps them: the first claim of an id wins; `scored` ids are stored."""

    def __init__(self, scored: set[str] | None = None) -> None:
        self.claims: dict[str, Mention] = {}
        self.scored = scored or set()

    def claim(self, tenant_id: str, mentions: Sequence[Mention], expires_at: int) -> Claims:
        result = Claims()
        for mention in mentions:
            if mention.id in self.scored:
                continue
            if mention.id in self.claims:
                result.pending.append(self.claims[mention.id])
            else:
                self.claims[mention.id] = mention
                result.claimed.append(mention.id)
        return result


class _Sink:
    def __init__(self) -> None:
        self.sent: list[Mention] = []

    def send(self, mentions: Sequence[Mention], correlation_id: str | None = None) -> None:
        self.sent.extend(mentions)


def _batch(*ids: str, **overrides: object) -> list[MentionIn]:
    return [MentionIn.model_validate(mention_payload(i, **overrides)) for i in ids]


def test_new_mentions_are_queued_with_the_tenant_and_receipt_time() -> None:
    sink = _Sink()
    now = datetime.now(UTC)
    result = accept_mentions(TENANT.tenant_id, _batch("a", "b"), ledger=_Ledger(), sink=sink, now=now)
    assert result.accepted == ["a", "b"]
    assert [(m.id, m.tenant_id, m.received_at) for m in sink.sent] == [("a", "brand-a", now), ("b", "brand-a", now)]


def test_ids_seen_before_or_twice_in_the_request_are_duplicates_not_queued() -> None:
    sink = _Sink()
    ledger = _Ledger(scored={"c"})
    result = accept_mentions(
        TENANT.tenant_id, _batch("a", "b", "a", "c"), ledger=ledger, sink=sink, now=datetime.now(UTC)
    )
    assert result.accepted == ["a", "b"]
    assert result.duplicates == ["a", "c"]
    assert [m.id for m in sink.sent] == ["a", "b"]


def test_a_resend_with_other_text_before_scoring_is_a_duplicate_and_the_first_copy_is_requeued() -> None:
    # Given a mention accepted once and not scored yet
    ledger, sink = _Ledger(), _Sink()
    accept_mentions(TENANT.tenant_id, _batch("a", text="first copy"), ledger=ledger, sink=sink, now=datetime.now(UTC))
    # When the same id arrives again with another text
    result = accept_mentions(
        TENANT.tenant_id, _batch("a", text="second copy"), ledger=ledger, sink=sink, now=datetime.now(UTC)
    )
    # Then it is a duplicate, and what is queued (again) is the first copy
    assert (result.accepted, result.duplicates) == ([], ["a"])
    assert [m.text for m in sink.sent] == ["first copy", "first copy"]


def test_in_one_body_the_first_copy_of_an_id_wins() -> None:
    sink = _Sink()
    batch = _batch("a", text="first") + _batch("a", text="second")
    result = accept_mentions(TENANT.tenant_id, batch, ledger=_Ledger(), sink=sink, now=datetime.now(UTC))
    assert (result.accepted, result.duplicates) == (["a"], ["a"])
    assert [m.text for m in sink.sent] == ["first"]


def test_a_mention_too_large_for_one_queue_message_is_refused_by_index() -> None:
    sink, ledger = _Sink(), _Ledger()
    big = _batch("a") + _batch("b", text="x" * 19_000, raw={"blob": "y" * 250_000})
    with pytest.raises(MentionTooLargeError, match=r"mentions\[1\]"):
        accept_mentions(TENANT.tenant_id, big, ledger=ledger, sink=sink, now=datetime.now(UTC))
    assert sink.sent == []
    assert ledger.claims == {}
