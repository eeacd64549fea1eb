"""A feed's items as mentions: RSS 0.9x/1.0/2.0 and Atom read by feedparser (liberal about the malformed feeds real
sites serve), JSON Feed 1.0/1.1 read here (feedparser does not read it). Pure: the bytes come from `feed_fetch`.

An item's mention id is a hash of its link (so one article reached through two feeds of a tenant, say a news
site's own feed and a search feed, is one mention), else of its guid within the feed, else of its title and date.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import feedparser
from pydantic import HttpUrl, TypeAdapter, ValidationError

from sigap.ingest.mapping import lenient
from sigap.kernel.kinds import SourceChannel
from sigap.kernel.models import MAX_TEXT_CHARS, MentionIn, problems_of
from sigap.sources.email_message import html_text

ID_PREFIX = "feed:"
_JSON_FEED_VERSION = "https://jsonfeed.org/version/"
_MAX_TITLE_CHARS = 500
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


class NotAFeedError(ValueError):
    """The answer is not a feed Sigap can read: why, in words a tenant can act on."""


@dataclass(frozen=True)
class FeedItem:
    identity: str  # what makes it this item: its link, else its guid within the feed, else its title and date
    title: str
    text: str
    link: str | None
    published: datetime | None
    author: str | None
    language: str | None


@dataclass
class ReadFeed:
    format: str  # "rss20", "atom10", "json1.1", ...
    title: str
    items: list[FeedItem] = field(default_factory=list)
    warning: str | None = None  # a malformed feed feedparser read anyway


def read_feed(body: bytes, *, content_type: str, url: str) -> ReadFeed:
    """Every item of a feed, or NotAFeedError (an HTML page, an error page, nothing)."""
    if not body.strip():
        raise NotAFeedError("the answer was empty")
    if "json" in content_type.lower() or body.lstrip()[:1] == b"{":
        return _json_feed(body, url)
    # A file-like object, never bytes or a string: feedparser would open a string that looks like a URL or a
    # path (a feed of "/etc/passwd" must be read as text, not as the file it names).
    parsed: Any = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-type": content_type or "application/xml", "content-location": url},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    if not parsed.version:
        reason = parsed.get("bozo_exception")
        looks_html = b"<html" in body[:2048].lower()
        raise NotAFeedError(
            "the answer is an HTML page, not a feed: use the feed's own URL (often linked as RSS or Atom)"
            if looks_html
            else f"the answer is not RSS, Atom or JSON Feed{f': {reason}' if reason else ''}"
        )
    feed = parsed.feed
    read = ReadFeed(
        format=str(parsed.version),
        title=_plain(feed.get("title", ""), feed.get("title_detail")),
        warning=str(parsed.get("bozo_exception")) if parsed.bozo else None,
    )
    language = feed.get("language")
    for entry in parsed.entries:
        content = entry.get("content") or []
        body_html = max((part.get("value", "") for part in content), key=len, default="") or entry.get("summary", "")
        title = _plain(entry.get("title", ""), entry.get("title_detail"))
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        read.items.append(
            FeedItem(
                identity=_identity(entry.get("link"), entry.get("id"), title, published, url),
                title=title,
                text=html_text(body_html) if body_html else "",
                link=entry.get("link") or None,
                published=_utc(published),
                author=entry.get("author") or None,
                language=entry.get("language") or language,
            )
        )
    return read


def _json_feed(body: bytes, url: str) -> ReadFeed:
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise NotAFeedError(f"the answer is not JSON: {exc}") from exc
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(_JSON_FEED_VERSION):
        raise NotAFeedError(f"a JSON answer without a JSON Feed version ({_JSON_FEED_VERSION}1.1)")
    items = document.get("items")
    if not isinstance(items, list):
        raise NotAFeedError("a JSON Feed without an items list")
    read = ReadFeed(format="json" + version.removeprefix(_JSON_FEED_VERSION), title=_text(document.get("title")))
    feed_author = _json_author(document)
    for item in items:
        if not isinstance(item, dict):
            continue
        title = _text(item.get("title"))
        html = _text(item.get("content_html"))
        text = _text(item.get("content_text")) or (html_text(html) if html else "") or _text(item.get("summary"))
        link = _text(item.get("url")) or _text(item.get("external_url")) or None
        published_text = item.get("date_published") or item.get("date_modified")
        published = _json_time(published_text)
        read.items.append(
            FeedItem(
                identity=_identity(link, _text(item.get("id")), title, published_text, url),
                title=title,
                text=text,
                link=link,
                published=published,
                author=_json_author(item) or feed_author,
                language=_text(item.get("language")) or _text(document.get("language")) or None,
            )
        )
    return read


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _json_author(holder: dict[str, Any]) -> str | None:
    authors = holder.get("authors")
    first = authors[0] if isinstance(authors, list) and authors else holder.get("author")
    return _text(first.get("name")) or None if isinstance(first, dict) else None


def _json_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return instant.astimezone(UTC) if instant.tzinfo else None


def _plain(text: str, detail: Any) -> str:
    kind = detail.get("type", "") if detail else ""
    return (html_text(text) if "html" in kind else text).strip()[:_MAX_TITLE_CHARS]


def _utc(parsed: time.struct_time | None) -> datetime | None:
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _identity(link: object, guid: object, title: str, published: object, feed_url: str) -> str:
    if isinstance(link, str) and link.strip().lower().startswith(("http://", "https://")):
        parts = urlsplit(link.strip())
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))
    if isinstance(guid, str) and guid.strip():
        return f"{feed_url} {guid.strip()}"
    return f"{feed_url} {title} {published}"


def item_id(item: FeedItem) -> str:
    return ID_PREFIX + hashlib.blake2b(item.identity.encode(), digest_size=12).hexdigest()


@dataclass
class FeedMentions:
    mentions: list[MentionIn] = field(default_factory=list)
    too_old: list[str] = field(default_factory=list)  # ids published before the source's backfill window
    problems: dict[str, str] = field(default_factory=dict)  # id: why the item cannot be a mention

    @property
    def ids(self) -> list[str]:
        return [mention.id for mention in self.mentions] + self.too_old + list(self.problems)


def feed_mentions(
    read: ReadFeed,
    *,
    source: str,
    channel: SourceChannel,
    feed_url: str,
    fetched_at: datetime,
    not_before: datetime,
    audience: int | None = None,
    verified: bool = False,
) -> FeedMentions:
    """The feed's items as mentions of `source`, each with the outlet's `audience` (what the source says of it);
    an item published before `not_before` is left out (a feed's first read would otherwise bring months of old
    posts into today's baselines)."""
    result = FeedMentions()
    author = read.title or urlsplit(feed_url).hostname or feed_url
    for item in read.items:
        mention_id = item_id(item)
        if item.published is not None and item.published < not_before:
            result.too_old.append(mention_id)
            continue
        text = item.title
        if item.text and not item.text.startswith(item.title):
            text = f"{item.title}\n\n{item.text}" if item.title else item.text
        elif item.text:
            text = item.text
        try:
            result.mentions.append(
                MentionIn.model_validate(
                    {
                        "id": mention_id,
                        "source": source,
                        "channel": channel,
                        "url": _link(item.link),
                        "text": text[:MAX_TEXT_CHARS],
                        # A date in the future (a wrong clock, a scheduled post) is when Sigap saw it.
                        "created_at": min(item.published, fetched_at) if item.published else fetched_at,
                        "author": {
                            "handle": (item.author or author)[:256],
                            "followers": audience,
                            "verified": verified,
                        },
                        "language": _language(item.language),
                        "raw": {"feed": feed_url, "title": item.title, "link": item.link},
                    }
                )
            )
        except ValidationError as exc:
            label = item.link or item.title or mention_id
            result.problems[mention_id] = f"item {label[:200]}: {problems_of(exc)}"
    return result


def _link(link: str | None) -> str | None:
    """The item's link if it is a web address a mention can carry (a feed's odd link never costs its item)."""
    if not link or len(link) > 2048 or not link.startswith(("http://", "https://")):
        return None
    try:
        _URL.validate_python(link)
    except ValidationError:
        return None
    return link


def _language(tag: str | None) -> str | None:
    code = lenient.language(tag) if tag else None
    return code if isinstance(code, str) and _LANGUAGE.match(code) else None
