"""Per-caller limits on the routes anyone can call (status pages, subscribing, signed links) and on a few costly
tenant actions (a channel's test message): fixed windows counted in DynamoDB with one conditional write, so
every function instance shares the count and a burst cannot slip between instances.

API Gateway's stage throttles are shared by every caller; these are each caller's own. On AWS a WAF rate-based
rule in front of the API would stop a flood before it costs an invocation; this is what holds without one, and
on the local stack too. Windows expire by TTL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import Field

from sigap.platform.attributes import attribute
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import conditional_write
from sigap.platform.settings import FunctionSettings, from_environment

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class Per(StrEnum):
    ADDRESS = "address"  # the caller's IP address
    TENANT = "tenant"  # the tenant in the path (a costly action of an authenticated caller)


@dataclass(frozen=True)
class RateLimit:
    requests: int
    seconds: int
    per: Per = Per.ADDRESS

    def describe(self) -> str:
        who = "from one address" if self.per is Per.ADDRESS else "for one tenant"
        return f"{self.requests} requests per {self.seconds} s {who}"


class RateLimitSettings(FunctionSettings):
    table: str = Field(default="", alias="RATE_LIMITS_TABLE")


class RateLimiter:
    def __init__(self, table: str, client: DynamoDBClient | None = None) -> None:
        self._table = table
        self._client = client or dynamodb_client()

    def retry_after(self, route: str, key: str, limit: RateLimit, now: datetime) -> int | None:
        """Counts this request; None when it is within the limit, else the seconds until the window ends."""
        epoch = now.timestamp()
        window = int(epoch // limit.seconds)
        ends = (window + 1) * limit.seconds
        counted = conditional_write(
            "UpdateItem on rate limits",
            lambda: self._client.update_item(
                TableName=self._table,
                Key={"pk": attribute(f"{route}#{key}#{window}")},
                UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeValues={
                    ":one": attribute(1),
                    ":limit": attribute(limit.requests),
                    ":expires": attribute(ends + 60),
                },
            ),
        )
        return None if counted else max(1, math.ceil(ends - epoch))


@lru_cache(maxsize=1)
def rate_limiter() -> RateLimiter | None:
    """The function's limiter, if its template gives it the table (only functions with limited routes)."""
    settings = from_environment(RateLimitSettings)
    return RateLimiter(settings.table) if settings.table else None
