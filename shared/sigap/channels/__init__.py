"""Outbound channels that alerting and publishing share: a provider per channel (e-mail through SES, Slack,
Microsoft Teams, Standard Webhooks, SNS), one message shape they all render, a delivery receipt and a typed
delivery error. `models`, `message` and `retry` are pure; the providers are adapters (HTTP, boto3)."""
