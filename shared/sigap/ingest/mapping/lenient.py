"""Values as external tools write them, made the values Sigap's mention schema means: lenient where tools only
differ in spelling, strict where meaning would be lost.

- a channel: "twitter", "X", "Online News", "Blogs", "Zendesk" → social, news, blog, ticket (unknown → other);
- an author: a bare handle, or an object with `screen_name`/`username`/`nickname`/`name` and `followers_count`/
  `subscribers`/`followers`; a numeric handle becomes text;
- a time: ISO 8601 ('Z' or an offset), '2015-02-24 11:35:52 -0800', Twitter's 'Wed Feb 24 11:35:52 +0000 2015',
  e-mail's RFC 2822 'Tue, 24 Feb 2015 11:35:52 -0800', and Unix seconds or milliseconds (a number or digits).
  A time without an offset stays refused unless the mapping names the zone its tool writes in: its instant is
  unknown, and guessing would move a crisis by hours;
- a language tag: "en-US", "id_ID" → en, id;
- engagement counts under the names tools use (favorites, retweets, reposts, replies, ...), numbers as text;
- a location as one string (a region), or country/region/city.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from sigap.kernel.kinds import SourceChannel
from sigap.kernel.models import EARLIEST_TIME

# A number from Sigap's earliest time (2000-01-01) to 2100-01-01 in seconds since 1970 is Unix seconds, and one
# 1000 times larger is milliseconds. Anything else (0, a year, a count) is not taken for a time.
_EPOCH_SECONDS = (EARLIEST_TIME.timestamp(), datetime(2100, 1, 1, tzinfo=UTC).timestamp())

_CHANNEL_ALIASES: dict[str, SourceChannel] = {
    **dict.fromkeys(
        (
            "twitter",
            "x",
            "tweet",
            "facebook",
            "fb",
            "instagram",
            "ig",
            "tiktok",
            "youtube",
            "threads",
            "linkedin",
            "bluesky",
            "mastodon",
            "pinterest",
            "snapchat",
            "vk",
            "telegram",
            "whatsapp",
            "line",
            "kaskus",
            "social media",
            "socials",
            "social network",
        ),
        SourceChannel.SOCIAL,
    ),
    **dict.fromkeys(("online news", "print", "broadcast", "tv", "radio", "press", "media"), SourceChannel.NEWS),
    **dict.fromkeys(("blogs", "weblog", "medium", "substack"), SourceChannel.BLOG),
    **dict.fromkeys(("forums", "reddit", "message board", "discussion", "quora"), SourceChannel.FORUM),
    **dict.fromkeys(("reviews", "app store", "google play", "google reviews", "rating"), SourceChannel.REVIEW),
    **dict.fromkeys(("mail", "e-mail", "mailing list", "newsletter"), SourceChannel.EMAIL),
    **dict.fromkeys(
        (
            "tickets",
            "support",
            "helpdesk",
            "help desk",
            "zendesk",
            "freshdesk",
            "crm",
            "contact centre",
            "contact center",
            "call centre",
            "call center",
            "complaint",
            "case",
        ),
        SourceChannel.TICKET,
    ),
}
_CHANNELS = {channel.value: channel for channel in SourceChannel}

_HANDLE_KEYS = ("handle", "screen_name", "username", "nickname", "login", "user_name", "name", "email")
_FOLLOWER_KEYS = ("followers", "followers_count", "subscribers", "audience", "follower_count", "reach")
_ENGAGEMENT_KEYS: dict[str, str] = {
    "likes": "likes",
    "like_count": "likes",
    "favorites": "likes",
    "favorite_count": "likes",
    "favourites": "likes",
    "reactions": "likes",
    "upvotes": "likes",
    "shares": "shares",
    "share_count": "shares",
    "retweets": "shares",
    "retweet_count": "shares",
    "reposts": "shares",
    "repost_count": "shares",
    "comments": "comments",
    "comment_count": "comments",
    "replies": "comments",
    "reply_count": "comments",
}
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
_TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"
_OFFSET = re.compile(r"^(?:UTC|GMT|Z)?\s*([+-])(\d{1,2}):?(\d{2})?$", re.IGNORECASE)


def channel(value: object) -> object:
    """A channel by any of the names tools give it; a name Sigap does not know is 'other', never refused."""
    if not isinstance(value, str):
        return value
    name = " ".join(value.strip().lower().replace("_", " ").split())
    if _DOMAIN.match(name):  # a site, as some tools name the source: "twitter.com", "www.facebook.com"
        name = name.removeprefix("www.").split(".")[0]
    if name in _CHANNELS:
        return _CHANNELS[name]
    return _CHANNEL_ALIASES.get(name, _CHANNEL_ALIASES.get(name.rstrip("s"), SourceChannel.OTHER))


def zone(name: str) -> timezone:
    """'UTC', 'Z', '+07:00', '+0700' or 'GMT+7' as a fixed offset; anything else is a ValueError."""
    cleaned = name.strip()
    if cleaned.upper() in ("UTC", "Z", "GMT"):
        return UTC
    match = _OFFSET.match(cleaned)
    if not match:
        raise ValueError(f"{name!r} is not a UTC offset such as '+07:00' or 'UTC'")
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta >= timedelta(hours=24):
        raise ValueError(f"{name!r} is not a UTC offset (more than 23:59)")
    return timezone(-delta if sign == "-" else delta)


def _from_epoch(number: float) -> datetime | None:
    if not math.isfinite(number):
        return None
    low, high = _EPOCH_SECONDS
    for scale in (1, 1000):
        if low <= number / scale < high:
            return datetime.fromtimestamp(number / scale, UTC)
    return None


def published(value: object, assumed_zone: timezone | None = None) -> object:
    """A publication time as ISO 8601 text, from the formats tools write; a value it cannot read is returned as
    it is, for validation to name."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        instant = _from_epoch(float(value))
        return instant.isoformat() if instant else value
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.isdigit() and len(text) in (10, 13):
        instant = _from_epoch(float(text))
        return instant.isoformat() if instant else value
    parsed: datetime | None = None
    for parse in (
        lambda raw: datetime.fromisoformat(raw),
        lambda raw: datetime.strptime(raw, _TWITTER_TIME),
        parsedate_to_datetime,
    ):
        try:
            parsed = parse(text)
        except (ValueError, TypeError, IndexError):
            continue
        break
    if parsed is None:
        return value
    if parsed.tzinfo is None:
        if assumed_zone is None:
            return value
        parsed = parsed.replace(tzinfo=assumed_zone)
    return parsed.isoformat()


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> object:
    for key in keys:
        if record.get(key) not in (None, ""):
            return record[key]
    return None


def count(value: object) -> object:
    """A count as a whole number: 12, 12.0 and "12" are 12; "1,234" is 1234; anything else as it is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().replace(",", "").isdigit():
        return int(value.strip().replace(",", ""))
    return value


def author(value: object) -> object:
    """An author object Sigap accepts from a handle or any tool's author object."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"handle": str(value)}
    if isinstance(value, str):
        return {"handle": value}
    if not isinstance(value, dict):
        return value
    shaped: dict[str, Any] = {}
    handle = _first(value, _HANDLE_KEYS)
    if handle is not None:
        shaped["handle"] = str(handle) if isinstance(handle, int | float) else handle
    followers = _first(value, _FOLLOWER_KEYS)
    if followers is not None:
        shaped["followers"] = count(followers)
    verified = value.get("verified")
    if verified is not None:
        shaped["verified"] = verified in (True, "true", "True", "1", 1)
    return shaped


def engagement(value: object) -> object:
    if not isinstance(value, dict):
        return value
    shaped: dict[str, Any] = {}
    for key, number in value.items():
        name = _ENGAGEMENT_KEYS.get(str(key).lower())
        if name and name not in shaped and number is not None:
            shaped[name] = count(number)
    return shaped


def language(value: object) -> object:
    if not isinstance(value, str):
        return value
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code or None


def location(value: object) -> object:
    if isinstance(value, str):
        return {"region": value.strip()[:100]} if value.strip() else None
    if isinstance(value, dict):
        shaped = {key: value[key] for key in ("country", "region", "city") if value.get(key) not in (None, "")}
        if isinstance(shaped.get("country"), str) and len(shaped["country"].strip()) != 2:
            # A country name rather than its ISO code: kept as the region, where it still informs scope.
            shaped.setdefault("region", shaped.pop("country"))
        return shaped or None
    return value


def spelled_as_sigap(mention: object) -> object:
    """A mention sent to POST /mentions with its values read as the mapping reads them (a channel's known name, an
    author's screen_name and followers_count, a time in a common format, a language tag, engagement under another
    name, a location as text). Field names stay Sigap's and unknown ones are left for validation to name: this
    door is Sigap's own schema, where a misspelt field is a mistake to report, not a value to drop."""
    if not isinstance(mention, dict):
        return mention
    read = dict(mention)
    named = channel(read.get("channel"))
    if named is not SourceChannel.OTHER and isinstance(named, SourceChannel):  # an unknown name stays to be named
        read["channel"] = named.value
    if "created_at" in read:
        read["created_at"] = published(read["created_at"])
    if isinstance(read.get("language"), str) and read["language"].strip():
        read["language"] = language(read["language"])
    if isinstance(read.get("location"), str):
        read["location"] = location(read["location"])
    for name, reading in (("author", author), ("engagement", engagement)):
        value = read.get(name)
        if isinstance(value, dict):
            known = _HANDLE_KEYS + _FOLLOWER_KEYS + ("verified",) if name == "author" else tuple(_ENGAGEMENT_KEYS)
            shaped = reading({key: item for key, item in value.items() if key in known})
            read[name] = {key: item for key, item in value.items() if key not in known} | (
                shaped if isinstance(shaped, dict) else {}
            )
    return read
