"""One settings model per function, read from the environment the template gives it, parsed once.

Plain pydantic models validated from `os.environ` (each field's alias is its variable): pydantic-settings did
the same here and cost ~65 ms of every cold start to import.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _FunctionSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class IngestSettings(_FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    scoring_queue_url: str = Field(alias="SCORING_QUEUE_URL")
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=1_048_576, gt=0)


class QuerySettings(_FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    aggregates_table: str = Field(alias="AGGREGATES_TABLE")
    aggregate_shards: int = Field(alias="AGGREGATE_SHARDS", default=8, ge=1, le=64)


class ScoringSettings(_FunctionSettings):
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    aggregates_table: str = Field(alias="AGGREGATES_TABLE")
    stories_table: str = Field(alias="STORIES_TABLE")
    story_window_days: int = Field(alias="STORY_WINDOW_DAYS", default=14, ge=1, le=365)
    retention_days: int = Field(alias="RETENTION_DAYS", default=90, ge=1)
    aggregate_shards: int = Field(alias="AGGREGATE_SHARDS", default=8, ge=1, le=64)
    # A far-reaching mention with a severe claim asks for its tenant's evaluation at once (no queue: no ask).
    evaluation_queue_url: str | None = Field(alias="EVALUATION_QUEUE_URL", default=None)


@lru_cache(maxsize=1)
def ingest_settings() -> IngestSettings:
    return IngestSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def query_settings() -> QuerySettings:
    return QuerySettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def scoring_settings() -> ScoringSettings:
    return ScoringSettings.model_validate(dict(os.environ))


class DetectorSettings(_FunctionSettings):
    """The scheduled detector: walks the tenant directory and fans evaluations out."""

    tenants_table: str = Field(alias="TENANTS_TABLE")
    evaluation_queue_url: str = Field(alias="EVALUATION_QUEUE_URL")


class EvaluatorSettings(_FunctionSettings):
    """The per-tenant evaluator: reads aggregates and mentions, writes alerts and alert events."""

    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    aggregates_table: str = Field(alias="AGGREGATES_TABLE")
    aggregate_shards: int = Field(alias="AGGREGATE_SHARDS", default=8, ge=1, le=64)
    alerts_table: str = Field(alias="ALERTS_TABLE")
    alert_events_queue_url: str = Field(alias="ALERT_EVENTS_QUEUE_URL")
    evaluation_dead_letter_queue_url: str = Field(alias="EVALUATION_DLQ_URL")


class AlertsApiSettings(_FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    alerts_table: str = Field(alias="ALERTS_TABLE")


@lru_cache(maxsize=1)
def detector_settings() -> DetectorSettings:
    return DetectorSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def evaluator_settings() -> EvaluatorSettings:
    return EvaluatorSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def alerts_api_settings() -> AlertsApiSettings:
    return AlertsApiSettings.model_validate(dict(os.environ))


def _optional(value: object) -> object:
    return value or None


class NotifierSettings(_FunctionSettings):
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
        return _optional(value)


class DeliverySettings(_FunctionSettings):
    """The delivery function: one (notification, channel) per message."""

    notifications_table: str = Field(alias="NOTIFICATIONS_TABLE")
    delivery_queue_url: str = Field(alias="DELIVERY_QUEUE_URL")
    delivery_dead_letter_queue_url: str = Field(alias="DELIVERY_DLQ_URL")
    secrets_prefix: str = Field(alias="SECRETS_PREFIX")
    email_sender: str = Field(alias="EMAIL_SENDER")
    retry_schedule: str = Field(alias="RETRY_SCHEDULE", default="0,5,300,1800,7200,18000,36000,36000")
    # Only the local stack sets this: its demo and bench receivers listen on 127.0.0.1.
    allow_loopback_receivers: bool = Field(alias="SIGAP_LOCAL_ALLOW_LOOPBACK", default=False)


class NotificationsApiSettings(_FunctionSettings):
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


@lru_cache(maxsize=1)
def notifier_settings() -> NotifierSettings:
    return NotifierSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def delivery_settings() -> DeliverySettings:
    return DeliverySettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def notifications_api_settings() -> NotificationsApiSettings:
    return NotificationsApiSettings.model_validate(dict(os.environ))


class _PublishingSettings(_FunctionSettings):
    """What every publishing function shares: where statements, incidents and the site live."""

    tenants_table: str = Field(alias="TENANTS_TABLE")
    notifications_table: str = Field(alias="NOTIFICATIONS_TABLE")
    publishing_table: str = Field(alias="PUBLISHING_TABLE")
    publication_queue_url: str = Field(alias="PUBLICATION_QUEUE_URL")
    status_site_bucket: str = Field(alias="STATUS_SITE_BUCKET")
    status_site_url: str = Field(alias="STATUS_SITE_URL", description="The site's base; a tenant's page is under it")
    public_api_url: str = Field(alias="PUBLIC_API_URL")
    link_key_secret: str = Field(alias="LINK_KEY_SECRET")
    email_sender: str = Field(alias="EMAIL_SENDER", default="")
    email_configuration_set: str = Field(alias="EMAIL_CONFIGURATION_SET", default="")
    secrets_prefix: str = Field(alias="SECRETS_PREFIX")
    allow_loopback_receivers: bool = Field(alias="SIGAP_LOCAL_ALLOW_LOOPBACK", default=False)


class PublisherSettings(_PublishingSettings):
    publication_dead_letter_queue_url: str = Field(alias="PUBLICATION_DLQ_URL")


class RemindersSettings(_PublishingSettings):
    pass


class StatementsApiSettings(_PublishingSettings):
    aggregates_table: str = Field(alias="AGGREGATES_TABLE")
    aggregate_shards: int = Field(alias="AGGREGATE_SHARDS", default=8, ge=1, le=64)
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=262_144, gt=0)


class FeedbackSettings(_FunctionSettings):
    publishing_table: str = Field(alias="PUBLISHING_TABLE")
    feedback_dead_letter_queue_url: str = Field(alias="FEEDBACK_DLQ_URL")


@lru_cache(maxsize=1)
def publisher_settings() -> PublisherSettings:
    return PublisherSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def reminders_settings() -> RemindersSettings:
    return RemindersSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def statements_api_settings() -> StatementsApiSettings:
    return StatementsApiSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def feedback_settings() -> FeedbackSettings:
    return FeedbackSettings.model_validate(dict(os.environ))
