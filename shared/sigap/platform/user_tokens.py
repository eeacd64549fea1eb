"""People's sign-in tokens: JWTs from the stack's Cognito user pool, checked as the HTTP API's JWT authorizer
checks them (signature against the pool's published keys, issuer, audience or client, expiry, token use), so a
route open to both people and machine keys can tell them apart, and the local stack (moto's user pool) works the
same way.

The pool's keys (JWKS) are fetched once per container and again only for a key id not seen yet, at most once a
minute, so a token signed with an unknown key cannot make every request fetch.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import urllib3
from pydantic import Field

from sigap.kernel.errors import SigapError
from sigap.platform.settings import FunctionSettings, from_environment

if TYPE_CHECKING:
    from joserfc.jwk import KeySet

# joserfc (about 90 ms to import) is imported when a token is first verified, not by every API function's cold
# start: most calls carry a machine key.

LEEWAY_SECONDS = 30
REFETCH_SECONDS = 60
_TIMEOUT = urllib3.Timeout(connect=2.0, read=3.0)


class UserPoolSettings(FunctionSettings):
    """Where people's tokens come from; empty on a stack deployed without sign-in."""

    issuer: str = Field(default="", alias="USER_POOL_ISSUER")
    client_id: str = Field(default="", alias="USER_POOL_CLIENT_ID")
    jwks_url: str = Field(default="", alias="USER_POOL_JWKS_URL", description="Default: the issuer's JWKS")


class InvalidTokenError(SigapError):
    """The sign-in token cannot be trusted (401): why, in words for the caller."""


class SignInUnavailableError(SigapError):
    """The pool's keys could not be fetched (503: retry)."""


@dataclass(frozen=True)
class UserClaims:
    user_id: str  # the pool's 'sub'
    email: str | None  # in ID tokens; access tokens name the person by id only


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


class UserTokens:
    def __init__(self, settings: UserPoolSettings) -> None:
        self._settings = settings
        self._jwks_url = settings.jwks_url or f"{settings.issuer.rstrip('/')}/.well-known/jwks.json"
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()
        self._http = urllib3.PoolManager(timeout=_TIMEOUT, retries=urllib3.Retry(total=2, backoff_factor=0.2))

    @property
    def configured(self) -> bool:
        return bool(self._settings.issuer and self._settings.client_id)

    def verify(self, token: str) -> UserClaims:
        if not self.configured:
            raise InvalidTokenError("sign-in is not set up on this stack: use an API key")
        from joserfc import jwt
        from joserfc.errors import JoseError

        keys = self._key_set(refresh=False)
        try:
            decoded = jwt.decode(token, keys, algorithms=["RS256"])
        except JoseError as exc:
            if "kid" not in str(exc).lower() or time.monotonic() - self._fetched_at < REFETCH_SECONDS:
                raise InvalidTokenError(f"the sign-in token is not valid ({exc.error})") from exc
            try:  # the pool may have rotated its keys
                decoded = jwt.decode(token, self._key_set(refresh=True), algorithms=["RS256"])
            except JoseError as again:
                raise InvalidTokenError(f"the sign-in token is not valid ({again.error})") from again
        except ValueError as exc:
            raise InvalidTokenError("the sign-in token is not a JWT") from exc
        return self._checked(decoded.claims)

    def _checked(self, claims: dict[str, object]) -> UserClaims:
        now = time.time()
        if claims.get("iss") != self._settings.issuer:
            raise InvalidTokenError("the sign-in token is from another user pool")
        use = claims.get("token_use")
        audience = claims.get("aud") if use == "id" else claims.get("client_id") if use == "access" else None
        if audience != self._settings.client_id:
            raise InvalidTokenError("the sign-in token is for another app client, or not an ID or access token")
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or now > expires + LEEWAY_SECONDS:
            raise InvalidTokenError("the sign-in token has expired: sign in again")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidTokenError("the sign-in token names nobody")
        email = claims.get("email")
        return UserClaims(user_id=subject, email=email if isinstance(email, str) else None)

    def _key_set(self, *, refresh: bool) -> KeySet:
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        with self._lock:
            if self._keys is not None and not refresh:
                return self._keys
            try:
                self._keys = KeySet.import_key_set(json.loads(self.fetch_jwks(self._jwks_url)))
            except (ValueError, JoseError) as exc:
                raise SignInUnavailableError("the user pool's keys are not a JWKS") from exc
            self._fetched_at = time.monotonic()
            return self._keys

    def fetch_jwks(self, url: str) -> bytes:
        """The pool's published keys, as JSON bytes."""
        try:
            response = self._http.request("GET", url)
        except urllib3.exceptions.HTTPError as exc:
            raise SignInUnavailableError(f"the user pool's keys could not be fetched: {exc}") from exc
        if response.status != 200:
            raise SignInUnavailableError(f"the user pool's keys answered HTTP {response.status}")
        return bytes(response.data)


@lru_cache(maxsize=1)
def user_tokens() -> UserTokens:
    return UserTokens(from_environment(UserPoolSettings))
