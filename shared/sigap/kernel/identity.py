"""Who is calling and what they may do: people with a role on a tenant, machine keys with a scope.

Every route needs one `Permission`. A person's `Role` grants a set of them, each role everything the one before
it grants and more; a machine key's `KeyScope` grants its own set, and never `APPROVE`: approving a statement is a
person's act, so the key that ingests (or any key) cannot approve. An agency's people and keys act on its clients
with the role or scope they hold on the agency.

A `Principal` is the caller once authenticated: what the audit trail records (`actor`) comes from it, never from
a field of the request's body.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Permission(StrEnum):
    READ = "read"  # mentions, alerts, incidents, statements, settings (never a secret)
    INGEST = "ingest"  # mentions, imports, scoring
    RESPOND = "respond"  # acknowledge, silence, incidents and their notes, drafts, submitting, publishing
    APPROVE = "approve"  # approving or sending back a statement in review
    ADMIN = "admin"  # settings, channels, sources, templates, people, keys, clients


class Role(StrEnum):
    VIEWER = "viewer"
    RESPONDER = "responder"
    APPROVER = "approver"
    ADMIN = "admin"


class KeyScope(StrEnum):
    INGEST = "ingest"
    READ = "read"
    ADMIN = "admin"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.RESPONDER: frozenset({Permission.READ, Permission.RESPOND}),
    Role.APPROVER: frozenset({Permission.READ, Permission.RESPOND, Permission.APPROVE}),
    Role.ADMIN: frozenset(Permission),
}
SCOPE_PERMISSIONS: dict[KeyScope, frozenset[Permission]] = {
    KeyScope.INGEST: frozenset({Permission.INGEST}),
    KeyScope.READ: frozenset({Permission.READ}),
    KeyScope.ADMIN: frozenset(Permission) - {Permission.APPROVE},
}
ROOT_KEY_ID = "root"  # the key made with the tenant (an admin key), before keys had ids


class PrincipalKind(StrEnum):
    USER = "user"
    KEY = "key"


class Principal(BaseModel):
    """The caller: a person (by their user pool id and e-mail) or a machine key (by its id and name)."""

    model_config = ConfigDict(frozen=True)

    kind: PrincipalKind
    id: str
    name: str
    home_tenant: str  # the tenant the role or key belongs to: the path's tenant, or its agency
    role: Role | None = None
    scope: KeyScope | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        if self.role is not None:
            return ROLE_PERMISSIONS[self.role]
        return SCOPE_PERMISSIONS[self.scope or KeyScope.READ]

    @property
    def actor(self) -> str:
        """How the audit trail names the caller: a person's e-mail, or 'key:<name>'."""
        return self.name if self.kind is PrincipalKind.USER else f"key:{self.name}"

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    def grant(self) -> str:
        """What the caller holds, in words for a refusal."""
        if self.kind is PrincipalKind.USER:
            return f"the role '{self.role}'"
        return f"a key with the scope '{self.scope}'"


def refusal(principal: Principal, needed: Permission) -> str | None:
    """Why the principal may not do what needs `needed`, or None when it may."""
    if principal.may(needed):
        return None
    if needed is Permission.APPROVE and principal.kind is PrincipalKind.KEY:
        return "approving is a person's act: sign in as an approver (no API key can approve)"
    holders = [role.value for role, granted in ROLE_PERMISSIONS.items() if needed in granted]
    scopes = [scope.value for scope, granted in SCOPE_PERMISSIONS.items() if needed in granted]
    return (
        f"this needs the '{needed}' permission, which {principal.grant()} does not give "
        f"(roles: {', '.join(holders)}; key scopes: {', '.join(scopes) or 'none'})"
    )


KEY_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$"


class MachineKey(BaseModel):
    """A tenant's machine key as stored: never the key, only its hash."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    key_id: str
    name: str
    scope: KeyScope
    key_hash: str
    created_at: AwareDatetime
    created_by: str
    last_used_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = Field(
        default=None, description="Set when the key was rotated: it works until then"
    )
    revoked_at: AwareDatetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class Membership(BaseModel):
    """A person's role on a tenant (an agency's role reaches its clients)."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    user_id: str = Field(description="The person's id in the user pool ('sub')")
    email: str
    role: Role
    added_at: AwareDatetime
    added_by: str
