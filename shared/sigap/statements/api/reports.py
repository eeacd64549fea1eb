"""The post-crisis report of an incident (JSON, HTML or PDF) and its lessons learned."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.errors import NotFoundError
from sigap.kernel.identity import Permission
from sigap.kernel.kinds import Sentiment
from sigap.kernel.models import ScoredMention, utc_now
from sigap.mentions.aggregate_store import AggregateStore
from sigap.mentions.domain import MentionFilter
from sigap.mentions.listing import MentionListing
from sigap.outbound.store import ChannelsTable
from sigap.platform.http.errors import html_response
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, ok_json
from sigap.statements.api.wiring import (
    INCIDENT_ID,
    Lessons,
    settings_of,
    tables_of,
)
from sigap.statements.domain.report import (
    Phase,
    ReportContext,
    SamplePost,
    build_report,
    crisis_minutes,
    first_published,
    phase_windows,
    report_window,
    story_of,
    top_stories,
)
from sigap.statements.domain.report_pages import report_html, report_pdf

SAMPLES_PER_PHASE = 3
_SCANNED_PER_PHASE = 60  # the newest posts of a stretch, of which the most far-reaching are shown

router = APIGatewayHttpRouter()
routes = Routes(router, "statements")


def _report(tenant_id: str, incident_id: str) -> Any:
    settings = settings_of(router)
    incidents, table = tables_of(router)
    incident = incidents.incident(tenant_id, incident_id)
    if incident is None:
        raise NotFoundError(f"no incident {incident_id!r}")
    now = utc_now()
    since, until = report_window(incident, now)
    statements = [s for s in table.statements_of(tenant_id) if s.incident_id == incident_id]
    window = AggregateStore(settings.aggregates_table, settings.aggregate_shards).window(tenant_id, since, until)
    deliveries = {s.statement_id: table.deliveries(tenant_id, s.statement_id) for s in statements}
    mentions = MentionListing(settings.mentions_table, settings.aggregates_table, settings.aggregate_shards)
    story = story_of(incident)
    phases = [
        phase.model_copy(update={"samples": _samples(mentions, tenant_id, phase, story)})
        for phase in phase_windows(incident, first_published(statements), now)
    ]
    story_names = {
        story_id: post.text[:160]
        for story_id, _ in top_stories(crisis_minutes(window, incident))
        if (post := _first_post(mentions, tenant_id, story_id, since, until)) is not None
    }
    channels = ChannelsTable(settings.notifications_table)
    targets = {d.target for versions in deliveries.values() for rows in versions.values() for d in rows}
    target_names = {
        target: f"{channel.name} ({channel.type.value})"
        for target in targets
        if target.startswith("channel:") and (channel := channels.channel(tenant_id, target.split(":", 1)[1]))
    }
    context = ReportContext(
        zone=table.settings(tenant_id).timezone, phases=phases, story_names=story_names, target_names=target_names
    )
    return build_report(
        incident,
        incidents.timeline(tenant_id, incident_id),
        statements,
        deliveries,
        window,
        table.lessons(tenant_id, incident_id),
        now,
        context,
    )


def _post(scored: ScoredMention) -> SamplePost:
    mention = scored.mention
    return SamplePost(
        at=mention.created_at,
        text=mention.text[:280],
        channel=mention.channel.value,
        author=mention.author.handle or "",
        followers=mention.author.followers,
    )


def _samples(mentions: MentionListing, tenant_id: str, phase: Phase, story: str | None) -> list[SamplePost]:
    """The stretch's most far-reaching posts of the incident's story (or its negative posts, for an incident that
    follows a signal or was opened by hand without a story)."""
    only = MentionFilter(story=story) if story else MentionFilter(sentiment=Sentiment.NEGATIVE)
    page = mentions.list_newest_first(
        tenant_id, since=phase.since, until=phase.until, limit=_SCANNED_PER_PHASE, only=only
    )
    ranked = sorted(page.items, key=lambda scored: (-scored.score.reach, -scored.score.risk))
    return [_post(scored) for scored in ranked[:SAMPLES_PER_PHASE]]


def _first_post(
    mentions: MentionListing, tenant_id: str, story_id: str, since: datetime, until: datetime
) -> SamplePost | None:
    page = mentions.list_newest_first(tenant_id, since=since, until=until, limit=1, only=MentionFilter(story=story_id))
    return _post(page.items[0]) if page.items else None


@routes.get("/v1/tenants/{tenant}/incidents/{incident_id}/report")
# Unannotated on purpose: Powertools validates an annotated return value, and would read a PDF as UTF-8 text.
def get_report(  # type: ignore[no-untyped-def]
    tenant: str,
    incident_id: Annotated[str, Path(pattern=INCIDENT_ID)],
    format: Annotated[str, Query(pattern=r"^(html|pdf|json)$")] = "html",
):
    """The post-crisis report: format=html (default), pdf or json."""
    report = _report(caller(router).tenant_id, incident_id)
    if format == "json":
        return ok_json(report.model_dump_json())
    if format == "pdf":
        return Response(
            status_code=200,
            content_type="application/pdf",
            body=report_pdf(report),
            headers={"Content-Disposition": f'inline; filename="report-{incident_id}.pdf"'},
        )
    return html_response(HTTPStatus.OK, report_html(report))


@routes.put(
    "/v1/tenants/{tenant}/incidents/{incident_id}/report/lessons", permission=Permission.RESPOND, answer="Saved"
)
def put_lessons(
    tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)], body: Annotated[Lessons, Body()]
) -> Lessons:
    """Write the report's lessons-learned section (plain text)."""
    incidents, table = tables_of(router)
    if incidents.incident(caller(router).tenant_id, incident_id) is None:
        raise NotFoundError(f"no incident {incident_id!r}")
    table.put_lessons(caller(router).tenant_id, incident_id, body.text)
    return body
