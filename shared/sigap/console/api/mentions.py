"""Mentions in the console: the stream with filters (time, channel, source, sentiment, signal, story, language),
one mention with its score's top factors, and a story's spread across channels and people over time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.console.api.place import api_refused, fetch, missing, not_read, place_of, show
from sigap.console.problems import say
from sigap.kernel.models import utc_now
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
        problem_banner=say(place.visit.language, "api", detail=mentions.problem) if mentions.problem else "",
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
        return not_read(place, mention, "mention", missing_when=(404, 422))
    return show(place, "mention.html.j2", "mention_title", "mentions", read=mention.body)


STORY_ID = re.compile(r"^s-[0-9a-f]{12}$")
STORY_POSTS = 200  # the story's newest posts read for its spread (one API page)


def story_spread(posts: list[dict[str, Any]], zone: ZoneInfo) -> list[dict[str, Any]]:
    """The story hour by hour, oldest first: its posts per channel, and how many people had posted it by then."""
    by_hour: dict[str, dict[str, Any]] = {}
    for read in sorted(posts, key=lambda read: str(read["mention"]["created_at"])):
        mention = read["mention"]
        at = datetime.fromisoformat(str(mention["created_at"])).astimezone(zone)
        hour = by_hour.setdefault(f"{at:%Y-%m-%d %H}:00 {at.tzname()}", {"channels": {}, "authors": set()})
        channel = str(mention.get("channel", "other"))
        hour["channels"][channel] = hour["channels"].get(channel, 0) + 1
        hour["authors"].add((mention.get("author") or {}).get("handle") or mention.get("id"))
    rows, seen = [], set()
    for label, hour in by_hour.items():
        seen |= hour["authors"]
        rows.append({"hour": label, "channels": hour["channels"], "new": len(hour["authors"]), "people": len(seen)})
    return rows


@routes.get("/console/tenants/{tenant}/stories/{story_id}")
def get_story(tenant: str, story_id: str) -> Response[str]:
    """A story's spread: its first post, then hour by hour its posts per channel and the people who posted it."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    if not STORY_ID.fullmatch(story_id):
        return missing(place, "story")
    query = {"story": story_id, "limit": str(STORY_POSTS), "since": (utc_now() - timedelta(days=30)).isoformat()}
    (posts,) = fetch(lambda: place.visit.api.get("v1", "tenants", tenant, "mentions", query=query))
    if not posts.ok:
        return api_refused(place, posts)
    items = posts.body.get("items", [])
    first = min(items, key=lambda read: str(read["mention"]["created_at"]), default=None)
    return show(
        place,
        "story.html.j2",
        "story",
        "mentions",
        story_id=story_id,
        first=first,
        rows=story_spread(items, place.zone),
        total=len(items),
        more=bool(posts.body.get("next_cursor")),
    )
