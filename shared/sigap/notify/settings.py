"""Notification's functions' settings: the notifier, delivery and the notifications API."""

from __future__ import annotations

from pydantic import Field, field_validator

from sigap.platform.settings import FunctionSettings, empty_is_none, loader


class NotifierSettings(FunctionSettings):
    """The notifier: alert events and timers in, notifications on the delivery queue out."""

    tenants_table: str = Field(alias="TENANTS_TABLE")
    alerts_table: str = Field(alias="ALERTS_TABLE")
    notifications_table: str = Field(alias="NOTIFICATIONS_TABLE")
    timer_queue_url: str = Field(alias="TIMER_QUEUE_URL")
    delivery_queue_url: str = Field(alias="DELIVERY_QUEUE_URL")
    alert_events_dead_letter_queue_url: str = Field(alias="ALERT_EVENTS_DLQ_URL")
    timer_dead_letter_queue_url: str = Field(alias="TIMER_DLQ_URL")
    link_key_secret: str = Field(alias="LINK_KEY_SECRET")
    public_api_url: str = Field(alias="PUBLIC_API_URL")
    agency_tenant: str | None = Field(alias="AGENCY_TENANT", default=None)

    @field_validator("agency_tenant", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return empty_is_none(value)


class DeliverySettings(FunctionSettings):
    """The delivery function: one (notification, channel) per message."""

    notifications_table: str = Field(alias="NOTIFICATIONS_TABLE")
    delivery_queue_url: str = Field(alias="DELIVERY_QUEUE_URL")
    delivery_dead_letter_queue_url: str = Field(alias="DELIVERY_DLQ_URL")
    secrets_prefix: str = Field(alias="SECRETS_PREFIX")
    email_sender: str = Field(alias="EMAIL_SENDER")
    email_configuration_set: str = Field(alias="EMAIL_CONFIGURATION_SET", default="")
    retry_schedule: str = Field(alias="RETRY_SCHEDULE", default="0,5,300,1800,7200,18000,36000,36000")
    # Only the local stack sets this: its demo and bench receivers listen on 127.0.0.1.
    allow_loopback_receivers: bool = Field(alias="SIGAP_LOCAL_ALLOW_LOOPBACK", default=False)


class NotificationsApiSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    alerts_table: str = Field(alias="ALERTS_TABLE")
    notifications_table: str = Field(alias="NOTIFICATIONS_TABLE")
    delivery_queue_url: str = Field(alias="DELIVERY_QUEUE_URL")
    secrets_prefix: str = Field(alias="SECRETS_PREFIX")
    link_key_secret: str = Field(alias="LINK_KEY_SECRET")
    email_sender: str = Field(alias="EMAIL_SENDER", default="")
    # The API's public address for its links; unset on AWS (taken from the request), set by the local stack.
    public_api_url: str = Field(alias="PUBLIC_API_URL", default="")
    allow_loopback_receivers: bool = Field(alias="SIGAP_LOCAL_ALLOW_LOOPBACK", default=False)


notifier_settings = loader(NotifierSettings)


delivery_settings = loader(DeliverySettings)


notifications_api_settings = loader(NotificationsApiSettings)
