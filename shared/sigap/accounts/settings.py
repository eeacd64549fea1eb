"""The accounts function's settings."""

from __future__ import annotations

from pydantic import Field

from sigap.kernel.kinds import StackMode
from sigap.platform.settings import FunctionSettings, loader


class AccountsSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    user_pool_id: str = Field(alias="USER_POOL_ID")
    alerts_table: str = Field(alias="ALERTS_TABLE")
    notifications_table: str = Field(alias="NOTIFICATIONS_TABLE")
    aggregates_table: str = Field(alias="AGGREGATES_TABLE")
    aggregate_shards: int = Field(alias="AGGREGATE_SHARDS", default=8, ge=1, le=64)
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=16 * 1024)
    stack_mode: StackMode = Field(alias="STACK_MODE", default=StackMode.MULTI)


accounts_settings = loader(AccountsSettings)
