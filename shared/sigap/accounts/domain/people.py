"""The people of a tenant: invited by an admin with a role, their role changed, removed. A tenant always keeps an
admin, so nobody can lock everyone out (an agency's admins also reach its clients)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from sigap.kernel.errors import ForbiddenError
from sigap.kernel.identity import ROLE_PERMISSIONS, Membership, Permission, Principal, PrincipalKind, Role

EMAIL = r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
MAX_PEOPLE = 500


class Invitation(BaseModel):
    """`POST /v1/tenants/{tenant}/users`: the person gets an e-mail with a temporary password (once)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = Field(pattern=EMAIL, max_length=254)
    role: Role

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role


class Person(BaseModel):
    user_id: str
    email: str
    role: Role
    added_at: AwareDatetime
    added_by: str
    permissions: list[Permission]

    @classmethod
    def of(cls, member: Membership) -> Person:
        return cls(**member.model_dump(exclude={"tenant_id"}), permissions=sorted(ROLE_PERMISSIONS[member.role]))


class PeopleList(BaseModel):
    items: list[Person]


class Me(BaseModel):
    """Who the caller is on this tenant."""

    kind: PrincipalKind
    id: str
    name: str
    tenant: str
    through: str | None = Field(description="The agency whose role or key reaches this tenant, if not the tenant's own")
    role: Role | None
    scope: str | None
    permissions: list[Permission]


def me(principal: Principal, tenant_id: str) -> Me:
    return Me(
        kind=principal.kind,
        id=principal.id,
        name=principal.name,
        tenant=tenant_id,
        through=principal.home_tenant if principal.home_tenant != tenant_id else None,
        role=principal.role,
        scope=principal.scope.value if principal.scope else None,
        permissions=sorted(principal.permissions),
    )


def membership(tenant_id: str, user_id: str, invitation: Invitation, by: str, now: datetime) -> Membership:
    return Membership(
        tenant_id=tenant_id, user_id=user_id, email=invitation.email, role=invitation.role, added_at=now, added_by=by
    )


def check_admins_remain(members: list[Membership], user_id: str, new_role: Role | None) -> None:
    """Refuses a change that would leave the tenant without an admin (`new_role` None: the person leaves)."""
    admins = [member for member in members if member.role is Role.ADMIN]
    if new_role is not Role.ADMIN and [member.user_id for member in admins] == [user_id]:
        raise ForbiddenError("this is the tenant's last admin: make someone else an admin first")
