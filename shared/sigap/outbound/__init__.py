"""Outbound channels that notify and statements share: a channel's settings, a message rendered per channel, the
retry schedule, URL checks, and the providers that send (SES, Slack, Teams, Standard Webhooks, SNS).
"""
