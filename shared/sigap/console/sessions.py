"""People's console sessions. The browser holds a random value (an HttpOnly cookie); the table holds only its
SHA-256, so reading the table gives nobody a live session. A session names the person it signed in, keeps their
user pool tokens (the console calls the API as them, so the API checks their role; the browser never sees a
token), carries the token the console's forms must echo (CSRF) and ends at its expiry, checked on every read
(DynamoDB's TTL removes expired items only eventually) or when the person signs out (the item is deleted)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict

from sigap.kernel.models import UtcDatetime
from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import storage_error

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SESSION_COOKIE = "sigap_session"
_COOKIE_VALUE_BYTES = 32  # 256 bits: guessing one is not a plan


class PoolTokens(BaseModel):
    """What the user pool gave at sign-in (or at the last refresh)."""

    model_config = ConfigDict(frozen=True)

    id_token: str
    refresh_token: str
    id_token_expires_at: UtcDatetime


class Session(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    email: str
    csrf_token: str
    started_at: UtcDatetime
    expires_at: UtcDatetime
    tokens: PoolTokens


@dataclass(frozen=True)
class StartedSession:
    cookie_value: str  # given to the browser once, never stored
    session: Session


def _pk(cookie_value: str) -> str:
    return "session#" + hashlib.sha256(cookie_value.encode()).hexdigest()


class SessionTable:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or dynamodb_client()

    def start(self, user_id: str, email: str, tokens: PoolTokens, now: datetime, lifetime: timedelta) -> StartedSession:
        cookie_value = secrets.token_urlsafe(_COOKIE_VALUE_BYTES)
        session = Session(
            user_id=user_id,
            email=email,
            csrf_token=secrets.token_urlsafe(_COOKIE_VALUE_BYTES),
            started_at=now,
            expires_at=now + lifetime,
            tokens=tokens,
        )
        self._put(cookie_value, session)
        return StartedSession(cookie_value=cookie_value, session=session)

    def renew(self, cookie_value: str, session: Session, tokens: PoolTokens) -> Session:
        """The session with the pool's refreshed tokens (its end does not move)."""
        renewed = session.model_copy(update={"tokens": tokens})
        self._put(cookie_value, renewed)
        return renewed

    def _put(self, cookie_value: str, session: Session) -> None:
        item = {
            "pk": attribute(_pk(cookie_value)),
            "doc": attribute(session.model_dump_json()),
            "expires_at": attribute(int(session.expires_at.timestamp())),
        }
        try:
            self._client.put_item(TableName=self._table, Item=item)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("PutItem on sessions", exc) from exc

    def find(self, cookie_value: str, now: datetime) -> Session | None:
        """The live session this cookie value opens, or None (unknown, signed out, or expired)."""
        if not cookie_value or len(cookie_value) > 256:
            return None
        try:
            item = self._client.get_item(
                TableName=self._table, Key={"pk": attribute(_pk(cookie_value))}, ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("GetItem on sessions", exc) from exc
        if item is None:
            return None
        session = Session.model_validate_json(plain(item["doc"]))
        return session if now < session.expires_at else None

    def end(self, cookie_value: str) -> None:
        try:
            self._client.delete_item(TableName=self._table, Key={"pk": attribute(_pk(cookie_value))})
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("DeleteItem on sessions", exc) from exc
