"""The query function's settings."""

from __future__ import annotations

from pydantic import Field

from sigap.platform.settings import FunctionSettings, loader


class QuerySettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    aggregates_table: str = Field(alias="AGGREGATES_TABLE")
    aggregate_shards: int = Field(alias="AGGREGATE_SHARDS", default=8, ge=1, le=64)


query_settings = loader(QuerySettings)
