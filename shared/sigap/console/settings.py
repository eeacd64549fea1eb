"""The console function's settings."""

from __future__ import annotations

from pydantic import Field

from sigap.platform.settings import FunctionSettings, loader


class ConsoleSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    sessions_table: str = Field(alias="SESSIONS_TABLE")
    api_url: str = Field(alias="PUBLIC_API_URL", description="The HTTP API the console calls as the person")
    status_site_url: str = Field(default="", alias="STATUS_SITE_URL", description="Where status pages are served")
    user_pool_client_id: str = Field(default="", alias="USER_POOL_CLIENT_ID")
    session_hours: int = Field(alias="SESSION_HOURS", default=8, ge=1, le=24, description="A working day")
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=8 * 1024)


console_settings = loader(ConsoleSettings)
