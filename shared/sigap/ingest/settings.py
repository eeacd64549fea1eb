"""The ingest function's settings."""

from __future__ import annotations

from pydantic import Field

from sigap.platform.settings import FunctionSettings, loader


class IngestSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    scoring_queue_url: str = Field(alias="SCORING_QUEUE_URL")
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=1_048_576, gt=0)


ingest_settings = loader(IngestSettings)
