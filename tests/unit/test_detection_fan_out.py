"""The detector's fan-out: every tenant asked for once a minute, ten tenants a message, ten messages a send (SQS
bills requests, not tenants); urgent asks packed by minute."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sigap.detection.domain.models import TENANTS_PER_MESSAGE, EvaluationRequests
from sigap.detection.domain.schedule import fan_out, urgent_requests

MINUTE = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


class Sent:
    def __init__(self) -> None:
        self.sends: list[Sequence[EvaluationRequests]] = []

    def send(self, requests: Sequence[EvaluationRequests]) -> None:
        self.sends.append(requests)


@given(st.integers(min_value=0, max_value=450))
def test_every_tenant_is_asked_for_once_ten_a_message_and_ten_messages_a_send(tenants: int) -> None:
    # Given a directory of `tenants` tenants
    tenant_ids = [f"client-{number:05d}" for number in range(tenants)]
    sink = Sent()
    # When the minute is fanned out
    asked = fan_out(MINUTE, iter(tenant_ids), sink)
    # Then each tenant is in one message, in the directory's order, for that minute and not urgent
    messages = [message for send in sink.sends for message in send]
    assert asked == tenants
    assert [tenant for message in messages for tenant in message.tenant_ids] == tenant_ids
    assert all(message.minute == MINUTE and not message.urgent for message in messages)
    # And as few messages and sends as SQS allows: full ones, but for the last
    assert len(messages) == -(-tenants // TENANTS_PER_MESSAGE)
    assert all(len(message.tenant_ids) == TENANTS_PER_MESSAGE for message in messages[:-1])
    assert len(sink.sends) == -(-len(messages) // 10)
    assert all(len(send) == 10 for send in sink.sends[:-1])


def test_urgent_asks_are_packed_by_minute_each_tenant_once() -> None:
    later = MINUTE + timedelta(minutes=1)
    asked = [(f"brand-{number:02d}", MINUTE) for number in range(12)] + [("brand-00", later), ("brand-00", MINUTE)]
    requests = urgent_requests(asked)
    assert [(request.minute, len(request.tenant_ids)) for request in requests] == [(MINUTE, 10), (MINUTE, 2),
                                                                                   (later, 1)]  # fmt: skip
    assert all(request.urgent for request in requests)
    assert sorted(tenant for request in requests[:2] for tenant in request.tenant_ids) == [
        f"brand-{number:02d}" for number in range(12)
    ]
