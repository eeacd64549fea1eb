"""The stack's user pool, as the accounts API needs it: invite a person by e-mail (the pool sends the
invitation with a temporary password), or find the one already there. Roles are not kept in the pool: a person
may hold different roles on several tenants, kept in the tenants table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.errors import StorageError, UnprocessableError
from sigap.platform.aws import cognito_client
from sigap.platform.aws_errors import error_code

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef


def _sub(attributes: list[AttributeTypeTypeDef]) -> str:
    return next(attribute["Value"] for attribute in attributes if attribute["Name"] == "sub")


class UserPool:
    def __init__(self, pool_id: str, client: CognitoIdentityProviderClient | None = None) -> None:
        self._pool = pool_id
        self._client = client or cognito_client()

    def invite(self, email: str) -> str:
        """The person's id ('sub'): a new person is created and e-mailed; a known one is found, not re-invited."""
        try:
            created = self._client.admin_create_user(
                UserPoolId=self._pool,
                Username=email,
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
                DesiredDeliveryMediums=["EMAIL"],
            )
            return _sub(created["User"].get("Attributes", []))
        except ClientError as exc:
            if error_code(exc) == "InvalidParameterException":  # an address the pool will not take
                message = str(exc.response.get("Error", {}).get("Message", "not an address the user pool accepts"))
                raise UnprocessableError("invalid_request", f"email: {message}", [("email", message)]) from exc
            if error_code(exc) != "UsernameExistsException":
                raise StorageError(f"AdminCreateUser on the user pool failed: {error_code(exc)}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"AdminCreateUser on the user pool failed: {exc}") from exc
        try:
            return _sub(self._client.admin_get_user(UserPoolId=self._pool, Username=email)["UserAttributes"])
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"AdminGetUser on the user pool failed: {exc}") from exc
