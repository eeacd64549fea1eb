"""People on a stack from the command line and in tests: signing in to the user pool (USER_PASSWORD_AUTH, the
app client allows it), and adding a person with a role directly (with AWS credentials, as `sigap tenants create`
does: the first admin of a tenant, or anyone on the local stack, where no invitation e-mail is sent)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sigap.kernel.identity import Membership, Role
from sigap.tenants.store import TenantStore

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


@dataclass(frozen=True)
class UserPoolRef:
    pool_id: str
    client_id: str


def sign_in(cognito: CognitoIdentityProviderClient, pool: UserPoolRef, email: str, password: str) -> str:
    """The person's ID token (it names them by e-mail; send it as 'Authorization: Bearer <token>')."""
    answer = cognito.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": password}
    )
    result = answer.get("AuthenticationResult")
    if result is None or "IdToken" not in result:
        raise RuntimeError(f"signing in as {email} asked for {answer.get('ChallengeName')}: finish it in the console")
    return result["IdToken"]


def add_person(
    cognito: CognitoIdentityProviderClient,
    pool: UserPoolRef,
    tenants: TenantStore,
    tenant_id: str,
    email: str,
    role: Role,
    *,
    password: str,
    now: datetime,
    by: str = "sigap-cli",
) -> Membership:
    """A person with this password (permanent: no change asked at first sign-in) and a role on the tenant."""
    with contextlib.suppress(cognito.exceptions.UsernameExistsException):
        cognito.admin_create_user(
            UserPoolId=pool.pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
    cognito.admin_set_user_password(UserPoolId=pool.pool_id, Username=email, Password=password, Permanent=True)
    attributes = cognito.admin_get_user(UserPoolId=pool.pool_id, Username=email)["UserAttributes"]
    user_id = next(attribute["Value"] for attribute in attributes if attribute["Name"] == "sub")
    member = Membership(tenant_id=tenant_id, user_id=user_id, email=email, role=role, added_at=now, added_by=by)
    tenants.put_member(member)
    return member
