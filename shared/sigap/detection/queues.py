"""Detection's queues: the per-minute evaluation fan-out and the alert events the notifier reads."""

from __future__ import annotations

from collections.abc import Sequence

from sigap.detection.domain.models import AlertTransition, EvaluationRequest
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
    """The detection fan-out: one message per tenant per minute."""

    def send(self, requests: Sequence[EvaluationRequest]) -> None:
        self._send_all([(request.model_dump_json(), attributes(tenant_id=request.tenant_id)) for request in requests])
