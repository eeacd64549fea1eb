"""Every minute: reminds incident owners before a promised update and escalates a late one, for every tenant."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.platform.observability import logger, metrics
from sigap.statements.reminders_tick import run_reminders
from sigap.statements.settings import reminders_settings


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    done = run_reminders(reminders_settings(), time_left=lambda: context.get_remaining_time_in_millis() / 1000)
    return {"tenants": len(done), "actions": sum(len(lines) for lines in done.values())}
