"""The scoring queue: each accepted mention, with its tenant and correlation id."""

from __future__ import annotations

from collections.abc import Sequence

from sigap.ingest.domain import message_body
from sigap.kernel.models import Mention
from sigap.platform.sqs import Queue, attributes


class ScoringQueue(Queue):
    def send(self, mentions: Sequence[Mention], correlation_id: str | None = None) -> None:
        self._send_all(
            [
                (message_body(mention), attributes(tenant_id=mention.tenant_id, correlation_id=correlation_id))
                for mention in mentions
            ]
        )
