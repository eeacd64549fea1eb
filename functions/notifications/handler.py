"""HTTP: channels, notification policy, silences, acknowledgements, notification history, incidents, and the
public page behind a message's signed acknowledgement link."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.notify.api.app import handle
from sigap.notify.settings import notifications_api_settings
from sigap.platform.observability import logger, metrics


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context, notifications_api_settings())
