"""Detection's queues: the per-minute evaluation fan-out and the alert events the notifier reads."""

from __future__ import annotations

from collections.abc import Sequence

from sigap.detection.domain.models import AlertTransition, EvaluationRequests
from sigap.platform.sqs import Queue, attributes


class AlertEventQueue(Queue):
    """The alert-events queue: every alert transition, for the delivery stage (EventSink port)."""

    def send(self, transitions: Sequence[AlertTransition]) -> None:
        self._send_all(
            [
                (
                    transition.model_dump_json(),
                    attributes(
                        tenant_id=transition.alert.tenant_id,
                        transition=transition.kind.value,
                        severity=transition.alert.severity.value,
                        transition_id=transition.transition_id,
                    ),
                )
                for transition in transitions
            ]
        )


class EvaluationQueue(Queue):
    """The detection fan-out: each message asks for a minute's evaluation of a few tenants."""

    def send(self, requests: Sequence[EvaluationRequests]) -> None:
        self._send_all(
            [
                (request.model_dump_json(), attributes(minute=f"{request.minute:%Y-%m-%dT%H:%M}",
                                                       tenants=str(len(request.tenant_ids))))
                for request in requests
            ]
        )  # fmt: skip
