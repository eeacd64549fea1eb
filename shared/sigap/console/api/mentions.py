"""Mentions in the console: the stream with filters (time, channel, source, sentiment, signal, story, language),
and one mention with its score's top factors and its story's other posts."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.console.api.place import fetch, place_of, show
from sigap.console.api.wiring import problem_page
from sigap.platform.http.gateway import Access, Routes

router = APIGatewayHttpRouter()
routes = Routes(router, "console", Access.SESSION)

FILTERS = ("since", "until", "channel", "source", "sentiment", "signal", "story", "language")
CHANNELS = ("social", "news", "blog", "forum", "review", "email", "ticket", "other")
SENTIMENTS = ("negative", "neutral", "positive")


@routes.get("/console/tenants/{tenant}/mentions")
def get_mentions(
    tenant: str,
    since: Annotated[str, Query(max_length=40)] = "",
    until: Annotated[str, Query(max_length=40)] = "",
    channel: Annotated[str, Query(max_length=20)] = "",
    source: Annotated[str, Query(max_length=100)] = "",
    sentiment: Annotated[str, Query(max_length=10)] = "",
    signal: Annotated[str, Query(max_length=40)] = "",
    story: Annotated[str, Query(max_length=20)] = "",
    language: Annotated[str, Query(max_length=5)] = "",
    cursor: Annotated[str, Query(max_length=2048)] = "",
) -> Response[str]:
    """The mention stream, newest first, filtered as asked (a filter the API refuses is said on the page)."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    chosen = {
        "since": since,
        "until": until,
        "channel": channel,
        "source": source,
        "sentiment": sentiment,
        "signal": signal,
        "story": story,
        "language": language,
    }
    query = {name: value for name, value in chosen.items() if value} | {"limit": "50"}
    if cursor:
        query["cursor"] = cursor
    (mentions,) = fetch(lambda: place.visit.api.get("v1", "tenants", tenant, "mentions", query=query))
    return show(
        place,
        "mentions.html.j2",
        "mentions_title",
        "mentions",
        status=HTTPStatus.OK if mentions.ok else HTTPStatus.UNPROCESSABLE_ENTITY,
        mentions=mentions.body.get("items", []) if mentions.ok else [],
        next_cursor=mentions.body.get("next_cursor") if mentions.ok else None,
        problem_banner=mentions.problem,
        chosen=chosen,
        channels=CHANNELS,
        sentiments=SENTIMENTS,
    )


@routes.get("/console/tenants/{tenant}/mentions/{mention_id}")
def get_mention(tenant: str, mention_id: str) -> Response[str]:
    """One mention: its text, author, channel, its score with the factors that weighed most, and its story."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    (mention,) = fetch(lambda: place.visit.api.get("v1", "tenants", tenant, "mentions", mention_id))
    if not mention.ok:
        status = HTTPStatus.NOT_FOUND if mention.status in (404, 422) else HTTPStatus.BAD_GATEWAY
        return problem_page(status, mention.problem, place.visit.language, place.visit.session)
    return show(place, "mention.html.j2", "mention_title", "mentions", read=mention.body)
