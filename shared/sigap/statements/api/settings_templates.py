"""Publishing settings and statement templates of a tenant."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.errors import NotFoundError
from sigap.kernel.models import utc_now
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller
from sigap.statements.api.wiring import (
    Accepted,
    TemplateList,
    UnknownChannelError,
    channels_of,
    people_who_may_approve,
    tables_of,
)
from sigap.statements.domain.models import (
    PublishingSettings,
)
from sigap.statements.domain.templates import (
    BUILT_IN_TEMPLATES,
    TEMPLATE_NAME_PATTERN,
    NamedTemplate,
    StatementTemplate,
    check_template,
    named,
)
from sigap.statements.domain.workflow import check_approvers

router = APIGatewayHttpRouter()
routes = Routes(router, "statements")


@routes.get("/v1/tenants/{tenant}/publishing", answer="The settings")
def get_publishing(tenant: str) -> PublishingSettings:
    """Publishing settings: approvers, approvals needed, staff list, channels, reminders, page."""
    _, table = tables_of(router)
    return table.settings(caller(router).tenant_id)


@routes.put("/v1/tenants/{tenant}/publishing", answer="The settings")
def put_publishing(tenant: str, body: Annotated[PublishingSettings, Body()]) -> PublishingSettings:
    """Change the publishing settings.

    Fields left out keep their values (an empty body changes nothing; send [] to empty a list). When approvers
    or required_approvals are sent, named approvers must be people with the approver or admin role, and no more
    approvals may be required than there are people to give them."""
    incidents, table = tables_of(router)
    channels = channels_of(router)
    tenant_now = caller(router)
    owner = tenant_now.tenant_id
    merged = PublishingSettings.model_validate(table.settings(owner).model_dump() | body.model_dump(exclude_unset=True))
    for field, ids in (("channel_ids", merged.channel_ids), ("escalation_channel_ids", merged.escalation_channel_ids)):
        for index, channel_id in enumerate(ids):
            if channels.channel(owner, channel_id) is None:
                raise UnknownChannelError(f"{field}[{index}]", f"no channel {channel_id!r} (POST /channels first)")
    if body.model_fields_set & {"approvers", "required_approvals"}:  # a change to who approves is checked
        check_approvers(merged, people_who_may_approve(router, tenant_now))
    table.put_settings(owner, merged)
    if "reminders" in body.model_fields_set:  # a reminder may now come sooner: the next run looks again
        incidents.wake_promises(owner, utc_now())
    return merged


@routes.get("/v1/tenants/{tenant}/statement-templates", answer="Templates")
def get_templates(tenant: str) -> TemplateList:
    """Templates: the built-in bilingual crisis template and the tenant's own, with their variables."""
    _, table = tables_of(router)
    own = table.templates(caller(router).tenant_id)
    items = [named(name, template, built_in=True) for name, template in BUILT_IN_TEMPLATES.items() if name not in own]
    items += [named(name, template, built_in=False) for name, template in sorted(own.items())]
    return TemplateList(items=items)


@routes.put("/v1/tenants/{tenant}/statement-templates/{name}", answer="The template")
def put_template(
    tenant: str,
    name: Annotated[str, Path(pattern=TEMPLATE_NAME_PATTERN)],
    body: Annotated[StatementTemplate, Body()],
) -> NamedTemplate:
    """Create or replace a template (Jinja2 in a sandbox; a variable it uses must be given when drafting)."""
    check_template(body)
    _, table = tables_of(router)
    table.put_template(caller(router).tenant_id, name, body)
    return named(name, body, built_in=False)


@routes.delete("/v1/tenants/{tenant}/statement-templates/{name}", answer="Deleted")
def delete_template(tenant: str, name: Annotated[str, Path(pattern=TEMPLATE_NAME_PATTERN)]) -> Accepted:
    """Delete one of the tenant's templates (a built-in one it replaced comes back)."""
    _, table = tables_of(router)
    if table.template(caller(router).tenant_id, name) is None:
        raise NotFoundError(f"no template {name!r} of this tenant")
    table.delete_template(caller(router).tenant_id, name)
    return Accepted(status="deleted")
