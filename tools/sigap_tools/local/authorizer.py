"""API Gateway's JWT authorizer, locally: a route that declares one (`Auth: {Authorizer: ...}` in the template) is
only invoked for a bearer token the stack's user pool signed, for its app client, not expired; anything else is
answered 401 by the gateway itself, as on AWS."""

from __future__ import annotations

from sigap.platform.user_tokens import InvalidTokenError, SignInUnavailableError, UserPoolSettings, UserTokens


class JwtAuthorizer:
    def __init__(self, pool_id: str, client_id: str, cognito_endpoint: str, region: str = "us-east-1") -> None:
        settings = {
            "USER_POOL_ISSUER": f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
            "USER_POOL_CLIENT_ID": client_id,
            "USER_POOL_JWKS_URL": f"{cognito_endpoint}/{pool_id}/.well-known/jwks.json",
        }
        self._tokens = UserTokens(UserPoolSettings.model_validate(settings))

    def __call__(self, authorization: str) -> bool:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        try:
            self._tokens.verify(token.strip())
        except (InvalidTokenError, SignInUnavailableError):
            return False
        return True
