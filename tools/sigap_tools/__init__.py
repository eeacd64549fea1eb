"""Sigap's developer tools, outside the Lambda layer: the `sigap` CLI, the local stack, the demo, the backtest,
training, the OpenAPI generator and the API client.
"""
