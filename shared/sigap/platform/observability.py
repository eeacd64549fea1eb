"""The one place that builds Sigap's Logger and Metrics, so every function logs and measures alike.

Service name, log level and metrics namespace come from the standard Powertools variables the template sets.
"""

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics(namespace="Sigap")
