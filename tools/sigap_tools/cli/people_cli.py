"""`sigap people add`, `sigap login`, `sigap tenants list` and `sigap clients ...`: people and agencies from the
command line.

Adding a person writes to the stack with AWS credentials (as `sigap tenants create` does): on the local stack the
person gets the password given (or one made up and printed once), as moto sends no e-mail; on a deployed stack the
user pool e-mails them a temporary password. Everything else goes through the API, with the credentials a person
or tool would use: `--key` (or SIGAP_KEY) for a machine key, `--token` (or SIGAP_TOKEN) for a sign-in token.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import sys
from typing import Any

from sigap.kernel.identity import Role
from sigap.kernel.models import utc_now
from sigap.tenants.store import TenantStore
from sigap_tools.cli.target import Target, resolve_target
from sigap_tools.client import SigapClient
from sigap_tools.people import UserPoolRef, add_person, sign_in


def _pool(target: Target) -> UserPoolRef:
    return UserPoolRef(target.output("UserPoolId"), target.output("UserPoolClientId"))


def _cognito() -> Any:
    import boto3

    return boto3.client("cognito-idp")


def new_password() -> str:
    """One that meets the pool's policy (12+ characters, upper and lower case, a digit)."""
    return f"Sg-{secrets.token_urlsafe(12)}-9a"


def add_admin(target: Target, tenant_id: str, email: str, password: str | None, *, local: bool) -> str | None:
    """The tenant's first admin; the password set (local stack), or None when the pool e-mailed one."""
    return _add(target, tenant_id, email, Role.ADMIN, password, local=local)


def _add(target: Target, tenant_id: str, email: str, role: Role, password: str | None, *, local: bool) -> str | None:
    tenants = TenantStore(target.output("TenantsTableName"))
    if tenants.get(tenant_id) is None:
        raise ValueError(f"there is no tenant {tenant_id!r} on this stack")
    if not local and password is None:
        invited = SigapPeopleInvite(target)
        invited.invite(tenant_id, email, role)
        return None
    chosen = password or new_password()
    add_person(_cognito(), _pool(target), tenants, tenant_id, email.lower(), role, password=chosen, now=utc_now())
    return chosen


class SigapPeopleInvite:
    """On a deployed stack, a person without a password given is invited as the API would: the pool e-mails a
    temporary password, and the role is written beside the tenant."""

    def __init__(self, target: Target) -> None:
        self._target = target

    def invite(self, tenant_id: str, email: str, role: Role) -> None:
        from sigap.accounts.user_pool import UserPool
        from sigap.kernel.identity import Membership

        user_id = UserPool(self._target.output("UserPoolId")).invite(email.lower())
        member = Membership(
            tenant_id=tenant_id,
            user_id=user_id,
            email=email.lower(),
            role=role,
            added_at=utc_now(),
            added_by="sigap-cli",
        )
        TenantStore(self._target.output("TenantsTableName")).put_member(member)


def _people_add(args: argparse.Namespace) -> int:
    target = resolve_target(args.stack, args.state_dir)
    password = _add(target, args.tenant, args.email, Role(args.role), args.password, local=not args.stack)
    if args.json:
        print(
            json.dumps({"tenant_id": args.tenant, "email": args.email.lower(), "role": args.role, "password": password})
        )
    elif password is None:
        print(f"Invited {args.email} as {args.role} of {args.tenant}: the user pool e-mails a temporary password.")
    else:
        print(f"Person:   {args.email.lower()} ({args.role} of {args.tenant})\nPassword: {password}")
        if args.password is None:
            print("The password is shown once; sign in with 'sigap login --email ...'.")
    return 0


def _login(args: argparse.Namespace) -> int:
    target = resolve_target(args.stack, args.state_dir)
    password = args.password or os.environ.get("SIGAP_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise ValueError("give --password, or SIGAP_PASSWORD, when not at a terminal")
        password = getpass.getpass(f"Password for {args.email}: ")
    print(sign_in(_cognito(), _pool(target), args.email.lower(), password))
    return 0


def _api(args: argparse.Namespace) -> SigapClient:
    target = resolve_target(args.stack, args.state_dir)
    credential = args.token or args.key or os.environ.get("SIGAP_TOKEN") or os.environ.get("SIGAP_KEY")
    if not credential:
        raise ValueError("give --key (an API key) or --token (from 'sigap login'), or set SIGAP_KEY or SIGAP_TOKEN")
    return SigapClient(target.api_url, credential)


def _show(answer: Any, as_json: bool, columns: tuple[str, ...] = ()) -> int:
    if answer.status >= 400:
        error = answer.body.get("error", {}) if isinstance(answer.body, dict) else {}
        print(
            f"error: HTTP {answer.status} {error.get('code', '')}: {error.get('message', answer.body)}", file=sys.stderr
        )
        return 1
    body = answer.body
    if as_json or not columns:
        print(json.dumps(body, indent=None if as_json else 2, ensure_ascii=False))
        return 0
    rows = body.get("items") or body.get("clients") or [body]
    for row in rows:
        print("  ".join(str(row.get(column, "")) for column in columns))
    return 0


def _tenants_list(args: argparse.Namespace) -> int:
    if args.agency:
        answer = _api(args).request("GET", f"/v1/tenants/{args.agency}/clients")
        return _show(answer, args.json, ("tenant_id", "status", "display_name"))
    target = resolve_target(args.stack, args.state_dir)
    tenants = TenantStore(target.output("TenantsTableName"))
    for tenant_id in sorted(tenants.tenant_ids()):
        tenant = tenants.get(tenant_id)
        if tenant is not None:
            row = {"tenant_id": tenant_id, "kind": tenant.kind, "status": tenant.status, "agency": tenant.agency}
            print(
                json.dumps(row) if args.json else f"{tenant_id}  {tenant.kind}  {tenant.status}  {tenant.agency or ''}"
            )
    return 0


def _clients(args: argparse.Namespace) -> int:
    api, base = _api(args), f"/v1/tenants/{args.agency}"
    action = args.client_command
    if action == "create":
        quotas = {"mentions_per_day": args.mentions_per_day} if args.mentions_per_day else {}
        body = {"tenant_id": args.client, "display_name": args.name or args.client, "quotas": quotas}
        return _show(api.request("POST", f"{base}/clients", body=body), args.json)
    if action == "rollup":
        columns = ("tenant_id", "critical_alerts", "open_incidents", "open_alerts", "negative_share", "mentions")
        return _show(api.request("GET", f"{base}/rollup"), args.json, columns)
    if action == "delete":
        return _show(api.request("DELETE", f"{base}/clients/{args.client}"), args.json)
    return _show(api.request("POST", f"{base}/clients/{args.client}/{action}"), args.json)


def add_commands(commands: Any, tenant_commands: Any) -> None:
    """The people and agency commands, added to `sigap`'s parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--stack", help="a deployed CloudFormation stack (default: the running local stack)")
    listing = tenant_commands.add_parser(
        "list", parents=[common], help="list the stack's tenants, or an agency's clients (--agency, over the API)"
    )
    listing.add_argument("--agency", help="list this agency's clients through the API")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    _credentials(listing)
    listing.set_defaults(run=_tenants_list)

    people = commands.add_parser("people", help="people and their roles")
    people_commands = people.add_subparsers(dest="people_command", required=True)
    add = people_commands.add_parser("add", parents=[common], help="give a person a role on a tenant")
    add.add_argument("--tenant", required=True)
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--password", help="set this password (default: local stack: made up; AWS: e-mailed)")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=_people_add)

    login = commands.add_parser("login", parents=[common], help="sign in and print an ID token (send it as Bearer)")
    login.add_argument("--email", required=True)
    login.add_argument("--password", help="default: SIGAP_PASSWORD, or asked at the terminal")
    login.set_defaults(run=_login)

    clients = commands.add_parser("clients", help="an agency's clients, over the API")
    client_commands = clients.add_subparsers(dest="client_command", required=True)
    for name, text in (
        ("create", "create a client brand"),
        ("suspend", "suspend a client (its keys, people and webhooks are refused)"),
        ("resume", "resume a suspended client"),
        ("delete", "delete a suspended client (says what deletion does)"),
        ("rollup", "every client over the last 24 hours, worst first"),
    ):
        command = client_commands.add_parser(name, parents=[common], help=text)
        command.add_argument("--agency", required=True)
        if name != "rollup":
            command.add_argument("client", help="the client's tenant id")
        if name == "create":
            command.add_argument("--name", help="display name (default: the id)")
            command.add_argument("--mentions-per-day", type=int, help="quota: mentions accepted per day")
        command.add_argument("--json", action="store_true")
        _credentials(command)
        command.set_defaults(run=_clients)


def _credentials(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", help="an API key (default: SIGAP_KEY)")
    parser.add_argument("--token", help="a sign-in token from 'sigap login' (default: SIGAP_TOKEN)")
