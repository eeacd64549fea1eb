"""Signing a person in with the user pool's own password flow (USER_PASSWORD_AUTH, which the app client allows):
the console's form posts the e-mail address and password here, never to a page of another origin. A person
invited by an admin holds a temporary password, and the pool asks for a new one before it signs them in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sigap.console.problems import say
from sigap.kernel.errors import SigapError
from sigap.kernel.language import Language
from sigap.platform.aws import cognito_client
from sigap.platform.aws_errors import error_code, storage_error

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AuthenticationResultTypeTypeDef

# One answer for an unknown address and a wrong password: the form must not tell which addresses have accounts.
_REFUSALS = {
    "NotAuthorizedException": "wrong_credentials",
    "UserNotFoundException": "wrong_credentials",
    "PasswordResetRequiredException": "password_reset",
    "UserNotConfirmedException": "not_confirmed",
}


class SignInRefusedError(SigapError):
    """The pool refused the sign-in: `problem` (one of console.problems') says why to the person at the form."""

    def __init__(self, problem: str, detail: str = "") -> None:
        super().__init__(say(Language.ENGLISH, problem, detail=detail))
        self.problem = problem
        self.detail = detail

    def said(self, language: Language) -> str:
        return say(language, self.problem, detail=self.detail)


class PasswordRejectedError(SigapError):
    """The new password does not meet the pool's policy; the message says what it lacks."""


@dataclass(frozen=True)
class SignedIn:
    id_token: str
    refresh_token: str
    expires_in: int  # seconds the ID token is good for


@dataclass(frozen=True)
class NewPasswordNeeded:
    challenge: str  # the pool's session for the challenge: posted back with the new password


class PoolSignIn:
    def __init__(self, client_id: str, client: CognitoIdentityProviderClient | None = None) -> None:
        self._client_id = client_id
        self._client = client or cognito_client()

    @property
    def configured(self) -> bool:
        return bool(self._client_id)

    def with_password(self, email: str, password: str) -> SignedIn | NewPasswordNeeded:
        try:
            answer = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except ClientError as exc:
            raise _refusal(exc, "InitiateAuth") from exc
        except BotoCoreError as exc:
            raise storage_error("InitiateAuth on the user pool", exc) from exc
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            return NewPasswordNeeded(challenge=answer.get("Session", ""))
        return _signed_in(answer.get("AuthenticationResult"), answer.get("ChallengeName"))

    def refresh(self, refresh_token: str) -> SignedIn:
        """New tokens for a session's refresh token (the pool keeps the refresh token itself unchanged)."""
        try:
            answer = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        except ClientError as exc:
            raise _refusal(exc, "InitiateAuth") from exc
        except BotoCoreError as exc:
            raise storage_error("InitiateAuth on the user pool", exc) from exc
        signed = _signed_in(answer.get("AuthenticationResult"), answer.get("ChallengeName"))
        return SignedIn(signed.id_token, signed.refresh_token or refresh_token, signed.expires_in)

    def with_new_password(self, email: str, challenge: str, new_password: str) -> SignedIn:
        try:
            answer = self._client.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=challenge,
                ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": new_password},
            )
        except ClientError as exc:
            if error_code(exc) == "InvalidPasswordException":
                raise PasswordRejectedError(_message(exc)) from exc
            if error_code(exc) in ("NotAuthorizedException", "CodeMismatchException", "ExpiredCodeException"):
                raise SignInRefusedError("sign_in_expired") from exc
            raise _refusal(exc, "RespondToAuthChallenge") from exc
        except BotoCoreError as exc:
            raise storage_error("RespondToAuthChallenge on the user pool", exc) from exc
        return _signed_in(answer.get("AuthenticationResult"), answer.get("ChallengeName"))


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message") or "the password does not meet the policy")


def _refusal(exc: ClientError, action: str) -> SigapError:
    code = error_code(exc)
    if code in _REFUSALS:
        return SignInRefusedError(_REFUSALS[code])
    if code == "InvalidParameterException":  # e.g. a password of characters the pool does not accept
        return SignInRefusedError("wrong_credentials")
    return storage_error(f"{action} on the user pool", exc)


def _signed_in(result: AuthenticationResultTypeTypeDef | None, challenge: str | None) -> SignedIn:
    if result is None or "IdToken" not in result:
        # MFA and other challenges are not set up on Sigap's pool; one appearing means the pool was changed.
        raise SignInRefusedError("unsupported_step", challenge or "another step")
    return SignedIn(
        id_token=result["IdToken"], refresh_token=result.get("RefreshToken", ""), expires_in=result.get("ExpiresIn", 0)
    )
