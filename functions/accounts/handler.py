"""HTTP: who am I, a tenant's people and their roles, its machine keys, and an agency's clients and roll-up."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.accounts.api.app import handle
from sigap.accounts.settings import accounts_settings
from sigap.platform.observability import logger, metrics


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context, accounts_settings())
