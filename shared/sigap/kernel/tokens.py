"""Signed tokens for links Sigap hands out (acknowledge an alert, confirm or leave a subscription): itsdangerous
signs (tenant, subject, expiry) with HMAC-SHA256 and a salt per action, so a link cannot be moved to another
subject or tenant, altered, used after it expires, or used for another action than the one it was made for."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from itsdangerous import BadPayload, BadSignature, URLSafeSerializer


class LinkError(ValueError):
    """Why a link cannot be used, in words to show the person who clicked it."""


def _serializer(key: bytes, action: str) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=f"sigap.link.{action}", signer_kwargs={"digest_method": hashlib.sha256})


def make_token(key: bytes, tenant_id: str, subject: str, expires: datetime, *, action: str) -> str:
    return _serializer(key, action).dumps([tenant_id, subject, int(expires.timestamp())])


def read_token(key: bytes, token: str, now: datetime, *, action: str) -> tuple[str, str]:
    """(tenant id, subject) of a valid `action` token; LinkError if it was altered, forged, made for another
    action or has expired."""
    if "." not in token:
        raise LinkError("this link is damaged: copy the whole link from the message")
    try:
        claims: Any = _serializer(key, action).loads(token)
    except BadPayload as exc:
        raise LinkError("this link is damaged: copy the whole link from the message") from exc
    except BadSignature as exc:
        raise LinkError("this link is not valid: it was altered or was not made by this Sigap for this") from exc
    match claims:
        case [str(tenant_id), str(subject), int(expires_at)]:
            pass
        case _:
            raise LinkError("this link is not valid")
    if now.timestamp() >= expires_at:
        raise LinkError("this link has expired; ask for a new one (a newer message, or the API)")
    return tenant_id, subject
