"""Ingestion logic with fakes: repeats are reported, not queued; oversized mentions are refused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from sigap.ingestion.service import MentionTooLargeError, accept_mentions
from sigap.models import Mention, MentionIn, Tenant
from tests.conftest import mention_payload

TENANT = Tenant(tenant_id="brand-a", display_name="A", api_key_hash="0" * 64, created_at=datetime.now(UTC))


class _Known:
    def __init__(self, ids: set[str]) -> None:
        self.ids = ids

    def existing_ids(self, tenant_id: str, mention_ids: Sequence[str]) -> set[str]:
        return self.ids & set(mention_ids)


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
    result = accept_mentions(TENANT, _batch("a", "b"), known=_Known(set()), sink=sink, now=now)
    assert result.accepted == ["a", "b"]
    assert [(m.id, m.tenant_id, m.received_at) for m in sink.sent] == [("a", "brand-a", now), ("b", "brand-a", now)]


def test_ids_seen_before_or_twice_in_the_request_are_duplicates_not_queued() -> None:
    sink = _Sink()
    result = accept_mentions(TENANT, _batch("a", "b", "a", "c"), known=_Known({"c"}), sink=sink, now=datetime.now(UTC))
    assert result.accepted == ["a", "b"]
    assert result.duplicates == ["a", "c"]
    assert [m.id for m in sink.sent] == ["a", "b"]


def test_a_mention_too_large_for_one_queue_message_is_refused_by_index() -> None:
    sink = _Sink()
    big = _batch("a") + _batch("b", text="x" * 19_000, raw={"blob": "y" * 250_000})
    with pytest.raises(MentionTooLargeError, match=r"mentions\[1\]"):
        accept_mentions(TENANT, big, known=_Known(set()), sink=sink, now=datetime.now(UTC))
    assert sink.sent == []
