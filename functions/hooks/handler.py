"""HTTP: POST /v1/hooks/{tenant}/{source}. Verifies a tool's webhook by its source, maps it, queues its mentions."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.platform.observability import logger, metrics
from sigap.sources.hooks import handle
from sigap.sources.settings import hooks_settings


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context, hooks_settings())
