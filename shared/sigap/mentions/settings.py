"""The query function's settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from sigap.platform.settings import FunctionSettings, from_environment


class QuerySettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    aggregates_table: str = Field(alias="AGGREGATES_TABLE")
    aggregate_shards: int = Field(alias="AGGREGATE_SHARDS", default=8, ge=1, le=64)


@lru_cache(maxsize=1)
def query_settings() -> QuerySettings:
    return from_environment(QuerySettings)
