"""Statements' functions' settings: the statements API, the publisher, reminders and feedback."""

from __future__ import annotations

from pydantic import Field

from sigap.platform.settings import FunctionSettings, loader


class PublishingSettings(FunctionSettings):
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

    def site_url(self, tenant_id: str) -> str:
        """A tenant's status page, under the site's base."""
        return f"{self.status_site_url.rstrip('/')}/{tenant_id}/"


class PublisherSettings(PublishingSettings):
    publication_dead_letter_queue_url: str = Field(alias="PUBLICATION_DLQ_URL")


class RemindersSettings(PublishingSettings):
    pass


class StatementsApiSettings(PublishingSettings):
    aggregates_table: str = Field(alias="AGGREGATES_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE", description="The report's sample posts and stories' text")
    aggregate_shards: int = Field(alias="AGGREGATE_SHARDS", default=8, ge=1, le=64)
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=262_144, gt=0)


class FeedbackSettings(FunctionSettings):
    publishing_table: str = Field(alias="PUBLISHING_TABLE")
    feedback_dead_letter_queue_url: str = Field(alias="FEEDBACK_DLQ_URL")


publisher_settings = loader(PublisherSettings)


reminders_settings = loader(RemindersSettings)


statements_api_settings = loader(StatementsApiSettings)


feedback_settings = loader(FeedbackSettings)
