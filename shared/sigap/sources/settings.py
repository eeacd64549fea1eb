"""The sources API's and the webhook function's settings."""

from __future__ import annotations

from pydantic import Field

from sigap.platform.settings import FunctionSettings, loader


class SourcesSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=65_536, ge=1024)


sources_settings = loader(SourcesSettings)


class HooksSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    scoring_queue_url: str = Field(alias="SCORING_QUEUE_URL")
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=1_048_576, ge=1024)


hooks_settings = loader(HooksSettings)
