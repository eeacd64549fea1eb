"""HTTP: the console's pages (sign-in and out, a person's tenants, an alert), signed in with the user pool."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.console.api.app import handle
from sigap.console.settings import console_settings
from sigap.platform.observability import logger, metrics


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context, console_settings())
