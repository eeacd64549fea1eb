"""The feedback function's wiring: SES bounces and complaints (via SNS, then SQS) applied to the tenant's
subscribers, pausing subscriber e-mail when its complaint rate climbs."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from sigap.kernel.models import utc_now
from sigap.platform.batch import SqsRecordProcessor
from sigap.platform.observability import logger
from sigap.platform.sqs import DeadLetterQueue
from sigap.statements.domain.subscribers import Feedback, apply_feedback
from sigap.statements.settings import FeedbackSettings
from sigap.statements.store import PublishingTable


def feedback_of(record_body: str) -> list[Feedback]:
    """SES event notifications (via SNS, then SQS) as Feedback: the tenant comes from the e-mail's tag."""
    outer: Any = json.loads(record_body)
    message: Any = json.loads(outer["Message"]) if isinstance(outer, dict) and "Message" in outer else outer
    kind = message.get("eventType") or message.get("notificationType")
    mail = message.get("mail", {})
    tags = mail.get("tags", {})
    tenant = (tags.get("tenant") or [None])[0]
    if not tenant or kind not in {"Bounce", "Complaint"}:
        return []
    if kind == "Bounce":
        bounce = message.get("bounce", {})
        recipients = [r["emailAddress"] for r in bounce.get("bouncedRecipients", [])]
        permanent = bounce.get("bounceType") == "Permanent"
        at = bounce.get("timestamp") or mail.get("timestamp")
    else:
        complaint = message.get("complaint", {})
        recipients = [r["emailAddress"] for r in complaint.get("complainedRecipients", [])]
        permanent = True
        at = complaint.get("timestamp") or mail.get("timestamp")
    return [Feedback(tenant_id=tenant, kind=kind, permanent=permanent, recipients=recipients, at=at or utc_now())]


class FeedbackBatchProcessor(SqsRecordProcessor):
    def __init__(self, settings: FeedbackSettings) -> None:
        super().__init__()
        self._settings = settings

    def handle_record(self, record: SQSRecord) -> str:
        try:
            feedback = feedback_of(record.body)
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            reason = f"not an SES bounce or complaint notification: {exc}"
            DeadLetterQueue(self._settings.feedback_dead_letter_queue_url).put(record.body, reason)
            logger.error("poison feedback message dead-lettered", extra={"reason": reason})
            return "dead-lettered"
        table = PublishingTable(self._settings.publishing_table)
        for item in feedback:
            pause_rate = table.settings(item.tenant_id).complaint_pause_rate
            stats = apply_feedback(table, item, pause_rate, utc_now())
            logger.info(
                "SES feedback applied",
                extra={"tenant_id": item.tenant_id, "kind": item.kind, "recipients": len(item.recipients)}
                | {"complaint_rate": stats.complaint_rate, "paused": stats.paused_at is not None},
            )
        return f"{len(feedback)} applied"
