"""HTTP: statement templates, statements and their approval, publishing settings, subscribers, delivery status,
post-crisis reports; and the public status JSON, subscribe, confirm and unsubscribe routes."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.platform.observability import logger, metrics
from sigap.statements.api.app import handle
from sigap.statements.settings import statements_api_settings


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context, statements_api_settings())
