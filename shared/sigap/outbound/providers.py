"""A provider per channel type: each takes the channel, its secret and the message, sends once, and answers a
DeliveryReceipt or raises a DeliveryError. The only code that sends anything out of Sigap."""

from __future__ import annotations

import email.policy
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from standardwebhooks import Webhook

from sigap.kernel.models import utc_now
from sigap.outbound.domain.message import email_parts, slack_payload, sns_parts, teams_payload, webhook_body
from sigap.outbound.domain.models import (
    Channel,
    ChannelSecret,
    ChannelType,
    DeliveryError,
    DeliveryReceipt,
    OutboundMessage,
)
from sigap.outbound.http import SafeHttp
from sigap.platform.aws import ses_client, sns_client

# SES and SNS errors that a later try can get past; everything else (a bad address, no permission) cannot.
_RETRYABLE_AWS = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalError",
    "RequestTimeout",
    "KMSThrottling",
    "TooManyRequestsException",
}


class Provider(Protocol):
    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt: ...


# An address in a provider's error text (SES names the unverified recipient) is kept out of delivery attempts,
# which are stored and shown to every admin of the tenant.
_ADDRESS = re.compile(r"[^\s<>\"',;:]+@[^\s<>\"',;:]+")


def _aws_error(service: str, exc: ClientError | BotoCoreError) -> DeliveryError:
    if isinstance(exc, BotoCoreError):
        return DeliveryError(f"{service} could not be reached: {type(exc).__name__}", retryable=True)
    code = exc.response.get("Error", {}).get("Code", "Unknown")
    text = _ADDRESS.sub("<address>", exc.response.get("Error", {}).get("Message", ""))
    if code == "MessageRejected" and "not verified" in text:
        text += " (a new account's SES sandbox sends only to verified addresses: request production access)"
    return DeliveryError(f"{service} refused the message: {code} {text}".strip(), retryable=code in _RETRYABLE_AWS)


@dataclass(frozen=True)
class EmailProvider:
    """Amazon SES: one message to the channel's recipients, HTML and plain text, in the message's language,
    through the stack's configuration set (its bounces and complaints reach the feedback function)."""

    sender: str
    configuration_set: str = ""

    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt:
        if not self.sender:
            raise DeliveryError(
                "the stack has no EmailSender: deploy with EmailSender set to an SES-verified address",
                retryable=False,
            )
        subject, text, html = email_parts(message)
        started = time.monotonic()
        request: dict[str, Any] = {
            "Source": self.sender,
            "Destination": {"ToAddresses": list(channel.to)},
            "Message": {
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
            },
            "Tags": [{"Name": "sigap-message", "Value": message.kind}],
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            answer = ses_client().send_email(**request)
        except (ClientError, BotoCoreError) as exc:
            raise _aws_error("SES", exc) from exc
        return DeliveryReceipt(
            channel_id=channel.channel_id,
            provider_id=answer["MessageId"],
            duration_ms=int((time.monotonic() - started) * 1000),
            at=utc_now(),
        )


@dataclass(frozen=True)
class SesMailer:
    """Amazon SES for statement e-mail: one raw MIME message per call, so each can carry its own headers
    (List-Unsubscribe and List-Unsubscribe-Post for subscribers, RFC 8058) and its tags, and go through the
    configuration set whose events (bounces, complaints) feed the suppression list."""

    sender: str
    configuration_set: str = ""

    def send(
        self,
        to: Sequence[str],
        subject: str,
        text: str,
        html: str,
        headers: dict[str, str],
        tags: dict[str, str],
    ) -> str:
        if not self.sender:
            raise DeliveryError(
                "the stack has no EmailSender: deploy with EmailSender set to an SES-verified address",
                retryable=False,
            )
        # Lines up to RFC 5322's 998 characters: a long List-Unsubscribe URL must not be folded into encoded words.
        message = EmailMessage(policy=_MIME_POLICY)
        message["From"] = self.sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        for name, value in headers.items():
            message[name] = value
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        request: dict[str, object] = {
            "Source": self.sender,
            "Destinations": list(to),
            "RawMessage": {"Data": message.as_bytes()},
            "Tags": [{"Name": name, "Value": _tag(value)} for name, value in tags.items()],
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            answer = ses_client().send_raw_email(**request)  # type: ignore[arg-type]
        except (ClientError, BotoCoreError) as exc:
            raise _aws_error("SES", exc) from exc
        return str(answer["MessageId"])


_MIME_POLICY = email.policy.SMTP.clone(max_line_length=998)


def _tag(value: str) -> str:
    """SES tag values allow letters, digits, '_', '-' and '.' only."""
    return "".join(ch if ch.isalnum() or ch in "_-." else "_" for ch in value)[:256] or "_"


@dataclass(frozen=True)
class SnsProvider:
    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt:
        assert channel.topic_arn is not None
        subject, text = sns_parts(message)
        started = time.monotonic()
        try:
            answer = sns_client().publish(
                TopicArn=channel.topic_arn,
                Subject=subject.encode("ascii", "ignore").decode() or "Sigap",
                Message=text,
                MessageAttributes={
                    "sigap_kind": {"DataType": "String", "StringValue": message.kind},
                    "sigap_tenant": {"DataType": "String", "StringValue": message.tenant_id},
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise _aws_error("SNS", exc) from exc
        return DeliveryReceipt(
            channel_id=channel.channel_id,
            provider_id=answer["MessageId"],
            duration_ms=int((time.monotonic() - started) * 1000),
            at=utc_now(),
        )


def _secret_url(channel: Channel, secret: ChannelSecret | None) -> str:
    if secret is None or not secret.url:
        raise DeliveryError(f"the {channel.type.value} channel's URL is missing from its secret", retryable=False)
    return secret.url


@dataclass(frozen=True)
class SlackProvider:
    http: SafeHttp

    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt:
        body = json.dumps(slack_payload(message), ensure_ascii=False).encode()
        answer = self.http.post(_secret_url(channel, secret), body, {"Content-Type": "application/json"})
        return DeliveryReceipt(
            channel_id=channel.channel_id, status_code=answer.status, duration_ms=answer.duration_ms, at=utc_now()
        )


@dataclass(frozen=True)
class TeamsProvider:
    http: SafeHttp

    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt:
        body = json.dumps(teams_payload(message), ensure_ascii=False).encode()
        answer = self.http.post(_secret_url(channel, secret), body, {"Content-Type": "application/json"})
        return DeliveryReceipt(
            channel_id=channel.channel_id, status_code=answer.status, duration_ms=answer.duration_ms, at=utc_now()
        )


def sign(secrets: list[str], message_id: str, timestamp: datetime, body: str) -> str:
    """The webhook-signature header: one `v1,<base64>` per secret, space-separated (both during a rotation)."""
    return " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in secrets)


@dataclass(frozen=True)
class WebhookProvider:
    """Standard Webhooks: webhook-id (the message id, the same on every retry, so a receiver can drop
    repeats), webhook-timestamp, webhook-signature."""

    http: SafeHttp

    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt:
        assert channel.url is not None
        if secret is None or not secret.signing:
            raise DeliveryError("the webhook channel has no signing secret", retryable=False)
        now = utc_now()
        body = json.dumps(webhook_body(message), ensure_ascii=False, separators=(",", ":"))
        headers = {
            "Content-Type": "application/json",
            "webhook-id": message.message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": sign(secret.signing_secrets(now), message.message_id, now, body),
        }
        answer = self.http.post(channel.url, body.encode(), headers)
        return DeliveryReceipt(
            channel_id=channel.channel_id,
            status_code=answer.status,
            provider_id=message.message_id,
            duration_ms=answer.duration_ms,
            at=now,
        )


@dataclass(frozen=True)
class Providers:
    email_sender: str
    allow_loopback: bool = False
    email_configuration_set: str = ""
    overrides: Mapping[ChannelType, Provider] = field(default_factory=dict)

    def for_type(self, channel_type: ChannelType) -> Provider:
        if channel_type in self.overrides:
            return self.overrides[channel_type]
        http = SafeHttp(allow_loopback=self.allow_loopback)
        providers: dict[ChannelType, Provider] = {
            ChannelType.EMAIL: EmailProvider(self.email_sender, self.email_configuration_set),
            ChannelType.SNS: SnsProvider(),
            ChannelType.SLACK: SlackProvider(http),
            ChannelType.TEAMS: TeamsProvider(http),
            ChannelType.WEBHOOK: WebhookProvider(http),
        }
        return providers[channel_type]
