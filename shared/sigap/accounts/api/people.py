"""The people of a tenant and their roles: who am I, list, invite, change a role, remove."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.accounts.api.wiring import adapters_of
from sigap.accounts.domain.people import (
    MAX_PEOPLE,
    Invitation,
    Me,
    PeopleList,
    Person,
    RoleChange,
    check_admins_remain,
    me,
    membership,
)
from sigap.kernel.errors import ConflictError, NotFoundError
from sigap.kernel.identity import Membership
from sigap.kernel.models import utc_now
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, principal_of

router = APIGatewayHttpRouter()
routes = Routes(router, "people")
USER_ID = Path(pattern=r"^[0-9A-Za-z-]{1,128}$")


def _member(user_id: str) -> Membership:
    found = adapters_of(router).tenants.member(caller(router).tenant_id, user_id)
    if found is None:
        raise NotFoundError(f"nobody with the id {user_id!r} has a role on this tenant")
    return found


@routes.get("/v1/tenants/{tenant}/me", answer="Who you are here")
def get_me(tenant: str) -> Me:
    """Who the caller is on this tenant: a person and their role, or a key and its scope, and what that allows."""
    return me(principal_of(router), caller(router).tenant_id)


@routes.get("/v1/tenants/{tenant}/users", answer="The tenant's people")
def get_people(tenant: str) -> PeopleList:
    """The people with a role on this tenant (an agency's people reach its clients too, listed on the agency)."""
    members = adapters_of(router).tenants.members(caller(router).tenant_id)
    return PeopleList(items=[Person.of(member) for member in sorted(members, key=lambda m: m.email)])


@routes.post("/v1/tenants/{tenant}/users", answer="The person and their role", status=HTTPStatus.CREATED)
def post_person(tenant: str, body: Annotated[Invitation, Body()]) -> Person:
    """Invite a person by e-mail with a role: viewer, responder, approver or admin.

    Someone new gets an e-mail with a temporary password; someone already in the stack gets the role at once.
    Inviting a person who already has a role here is a 409 (change it with PATCH)."""
    found, owner = adapters_of(router), caller(router).tenant_id
    members = found.tenants.members(owner)
    if any(member.email == body.email for member in members):
        raise ConflictError(f"{body.email} already has a role on this tenant: PATCH it instead")
    if len(members) >= MAX_PEOPLE:
        raise ConflictError(f"a tenant has at most {MAX_PEOPLE} people")
    user_id = found.people.invite(body.email)
    added = membership(owner, user_id, body, principal_of(router).actor, utc_now())
    found.tenants.put_member(added)
    return Person.of(added)


@routes.patch("/v1/tenants/{tenant}/users/{user_id}", answer="The person and their new role")
def patch_person(tenant: str, user_id: Annotated[str, USER_ID], body: Annotated[RoleChange, Body()]) -> Person:
    """Change a person's role (a tenant always keeps an admin)."""
    tenants = adapters_of(router).tenants
    current = _member(user_id)
    check_admins_remain(tenants.members(current.tenant_id), user_id, body.role)
    changed = current.model_copy(update={"role": body.role})
    tenants.put_member(changed)
    return Person.of(changed)


@routes.delete("/v1/tenants/{tenant}/users/{user_id}", answer="The removed role")
def delete_person(tenant: str, user_id: Annotated[str, USER_ID]) -> Person:
    """Remove a person's role on this tenant (their sign-in stays for other tenants; a tenant keeps an admin)."""
    tenants = adapters_of(router).tenants
    current = _member(user_id)
    check_admins_remain(tenants.members(current.tenant_id), user_id, None)
    tenants.remove_member(current.tenant_id, user_id)
    return Person.of(current)
