"""The detector function's wiring: each minute's tick asks for every tenant's evaluation of the minute before,
packed into messages on the evaluation queue (the evaluator, `sigap.detection.consumer`, takes them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sigap.detection.domain.schedule import fan_out, minute_to_evaluate
from sigap.detection.queues import EvaluationQueue
from sigap.detection.settings import DetectorSettings
from sigap.platform.observability import logger
from sigap.tenants.store import TenantStore


def schedule_tick(tick: datetime, settings: DetectorSettings) -> dict[str, Any]:
    minute = minute_to_evaluate(tick)
    sent = fan_out(
        minute, TenantStore(settings.tenants_table).tenant_ids(), EvaluationQueue(settings.evaluation_queue_url)
    )
    # a log line, not a metric: a metric sent every minute costs $0.30 a month whatever happens (the backlog alarm
    # on the evaluation queue says whether evaluations keep up)
    logger.info("evaluations requested", extra={"minute": minute.isoformat(), "tenants": sent})
    return {"minute": minute.isoformat(), "tenants": sent}
