"""The sources API's, the webhook function's and the import function's settings."""

from __future__ import annotations

from pydantic import Field

from sigap.platform.settings import FunctionSettings, loader


class SourcesSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    imports_bucket: str = Field(alias="IMPORTS_BUCKET")
    feed_queue_url: str = Field(alias="FEED_QUEUE_URL")  # "read now"
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=65_536, ge=1024)
    # Only the local stack registers feeds on 127.0.0.1 (its demo's blogs and news), never a deployed stack.
    allow_loopback_feeds: bool = Field(alias="SIGAP_LOCAL_ALLOW_LOOPBACK", default=False)
    inbound_email_domain: str = Field(alias="INBOUND_EMAIL_DOMAIN", default="")  # an e-mail source's address


sources_settings = loader(SourcesSettings)


class HooksSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    scoring_queue_url: str = Field(alias="SCORING_QUEUE_URL")
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=1_048_576, ge=1024)


hooks_settings = loader(HooksSettings)


class ImportSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    scoring_queue_url: str = Field(alias="SCORING_QUEUE_URL")
    imports_bucket: str = Field(alias="IMPORTS_BUCKET")
    import_queue_url: str = Field(alias="IMPORT_QUEUE_URL")  # its own queue: where it hands an import over


import_settings = loader(ImportSettings)


class EmailSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    scoring_queue_url: str = Field(alias="SCORING_QUEUE_URL")
    inbound_bucket: str = Field(alias="INBOUND_BUCKET")
    # Mail to <tenant>[+<source>]@this domain is the tenant's; empty: any domain (the local stack, a test).
    inbound_email_domain: str = Field(alias="INBOUND_EMAIL_DOMAIN", default="")


email_settings = loader(EmailSettings)


class FeedSchedulerSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    feed_queue_url: str = Field(alias="FEED_QUEUE_URL")


feed_scheduler_settings = loader(FeedSchedulerSettings)


class FeedSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    scoring_queue_url: str = Field(alias="SCORING_QUEUE_URL")
    # Only the local stack reads feeds on 127.0.0.1 (its demo's blogs and news), never a deployed stack.
    allow_loopback_feeds: bool = Field(alias="SIGAP_LOCAL_ALLOW_LOOPBACK", default=False)


feed_settings = loader(FeedSettings)
