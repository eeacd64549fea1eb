"""Reading routes: a tenant's mentions newest first, a sentiment summary, and the OpenAPI document."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, NamedTuple

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import AwareDatetime

from sigap.kernel.kinds import SourceChannel
from sigap.kernel.minute_counts import SentimentSummary
from sigap.kernel.models import MENTION_ID_PATTERN, STORY_ID_PATTERN, Sentiment, utc_now
from sigap.mentions.aggregate_store import AggregateStore
from sigap.mentions.domain import (
    MentionFilter,
    MentionList,
    MentionRead,
    list_mentions,
    read_mention,
    sentiment_summary,
)
from sigap.mentions.listing import MentionListing
from sigap.mentions.settings import QuerySettings
from sigap.mentions.store import MentionStore
from sigap.platform.http.gateway import Access, Routes
from sigap.platform.http.resolver import caller, new_resolver, ok_json, serve, settings_in
from sigap.tenants.store import TenantStore

router = APIGatewayHttpRouter()
routes = Routes(router, "reading")


@lru_cache(maxsize=1)
def _openapi_document() -> str:
    # Generated at build time from every function's routes (`make openapi`), so this function imports no
    # other function's routes and answers from a file read once.
    return resources.files("sigap").joinpath("openapi.json").read_text(encoding="utf-8")


class _Adapters(NamedTuple):
    tenants: TenantStore
    mentions: MentionStore
    listing: MentionListing
    aggregates: AggregateStore


@lru_cache(maxsize=1)
def _adapters(settings: QuerySettings) -> _Adapters:
    return _Adapters(
        TenantStore(settings.tenants_table),
        MentionStore(settings.mentions_table),
        MentionListing(settings.mentions_table, settings.aggregates_table, settings.aggregate_shards),
        AggregateStore(settings.aggregates_table, settings.aggregate_shards),
    )


def _settings() -> QuerySettings:
    return settings_in(app, QuerySettings)


Since = Annotated[
    AwareDatetime | None, Query(description="Start of the window: ISO 8601 with a UTC offset (any offset)")
]
Until = Annotated[AwareDatetime | None, Query(description="End of the window: ISO 8601 with a UTC offset (any offset)")]


@routes.get("/v1/tenants/{tenant}/mentions", answer="A page")
def get_mentions(
    tenant: str,
    since: Since = None,
    until: Until = None,
    sentiment: Annotated[Sentiment | None, Query(description="Only this sentiment")] = None,
    source: Annotated[str | None, Query(min_length=1, max_length=100, description="Only from this source")] = None,
    channel: Annotated[SourceChannel | None, Query(description="Only from this channel")] = None,
    story: Annotated[str | None, Query(pattern=STORY_ID_PATTERN, description="Only in this story")] = None,
    language: Annotated[
        str | None, Query(pattern=r"^(?:[a-z]{2,3}|other)$", description="Only in this identified language")
    ] = None,
    signal: Annotated[
        str | None, Query(pattern=r"^[a-z_]{1,40}$", description="Only with this crisis signal, e.g. safety_health")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size")] = 50,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")] = None,
) -> MentionList:
    """List scored mentions, newest first.

    Filters combine (every one given must match): sentiment, source (a tool's or a source's name), channel, story,
    language (as identified by scoring) and signal (a crisis signal's category)."""
    return list_mentions(
        _adapters(_settings()).listing,
        caller(app),
        since=since,
        until=until,
        only=MentionFilter(
            sentiment=sentiment, source=source, channel=channel, story=story, language=language, signal=signal
        ),
        limit=limit,
        cursor=cursor,
        now=utc_now(),
    )


@routes.get("/v1/tenants/{tenant}/mentions/{mention_id}", answer="The mention")
def get_mention(
    tenant: str,
    mention_id: Annotated[
        str, Path(pattern=MENTION_ID_PATTERN, description="The id the source sent, exactly (percent-encoded)")
    ],
) -> MentionRead:
    """One mention by the id its source sent: accepted (queued for scoring) or scored, with its score.

    What a tool that posted a mention (a CRM ticket, a contact-centre call) reads back. An id holding a '/'
    cannot be read here: API Gateway decodes %2F before it routes, so the id no longer fits one path segment."""
    return read_mention(_adapters(_settings()).mentions, caller(app), mention_id)


@routes.get("/v1/tenants/{tenant}/summary", answer="Summary")
def get_summary(tenant: str, since: Since = None, until: Until = None) -> SentimentSummary:
    """Counts by sentiment over a window (default: the last 24 hours)."""
    aggregates = _adapters(_settings()).aggregates
    return sentiment_summary(aggregates, caller(app).tenant_id, since=since, until=until, now=utc_now())


@routes.get("/v1/openapi.json", access=Access.PUBLIC, include_in_schema=False)
def get_openapi() -> Response[str]:
    """This API's OpenAPI document."""
    return ok_json(_openapi_document())


app = new_resolver()
app.include_router(router)


def handle(event: dict[str, Any], context: Any, settings: QuerySettings) -> dict[str, Any]:
    tenants = _adapters(settings).tenants
    return serve(app, event, context, tenants=tenants, max_body_bytes=64 * 1024, settings=settings)


__all__ = ["app", "handle", "router"]
