"""The doors the demo's mentions come through, as they would for a real brand: social, forum and review posts
from a listening tool's webhook (Sprinklr's envelope, signed with Standard Webhooks), contact-centre tickets from
a help desk's webhook (Zendesk's shape, the body's HMAC in a header), the hoax's forwarded e-mails as mail to the
local SMTP server (the e-mail door), and blog posts and news items published as an RSS and an Atom feed on a local
site that Sigap reads (the feed door)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import smtplib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from standardwebhooks import Webhook

from sigap_tools.client import ApiAnswer, SigapClient
from sigap_tools.local.feed_site import FeedSite

LISTENING_TOOL = "listening-tool"  # the scenario's source names, kept as the sources' names
CONTACT_CENTRE = "contact-centre"
INBOUND_EMAIL = "inbound-email"
FEED_POLLER = "feed-poller"  # the scenario's name for blog and news items
FEEDS = {"blog": ("blogs", "/blogs/teh-segar.rss"), "news": ("news", "/news/atom.xml")}  # channel: (source, path)
_FORWARDS = re.compile(r"^(?:\s*(?:fwd?|fw)\s*:\s*)+", re.IGNORECASE)
_SPRINKLR_NETWORK = {"social": "TWITTER", "forum": "FORUM", "review": "REVIEW"}


def _sprinklr_event(mention: dict[str, Any]) -> dict[str, Any]:
    author = mention.get("author") or {}
    engagement = mention.get("engagement") or {}
    at = datetime.fromisoformat(mention["created_at"])
    return {
        "id": f"evt-{mention['id']}",
        "type": "message.created",
        "eventTime": int(at.timestamp() * 1000),
        "payload": {
            "id": mention["id"],
            "snType": _SPRINKLR_NETWORK[mention["channel"]],
            "createdTime": int(at.timestamp() * 1000),
            "content": {"text": mention["text"]},
            "senderProfile": {"username": author.get("handle"), "followers": author.get("followers")},
            "likes": engagement.get("likes", 0),
            "shares": engagement.get("shares", 0),
            "comments": engagement.get("comments", 0),
        },
    }


def _email(mention: dict[str, Any], recipient: str) -> bytes:
    """A forwarded copy as a mail client sends it: the forwards on the subject, the forwarded text as the body."""
    text = str(mention["text"])
    body = _FORWARDS.sub("", text)
    handle = str((mention.get("author") or {}).get("handle") or "someone").lstrip("@")
    message = EmailMessage()
    message["From"] = handle if "@" in handle else f"{handle}@mail.example"
    message["To"] = recipient
    message["Subject"] = " ".join(text.splitlines()[0].split())[:78]
    message["Date"] = format_datetime(datetime.fromisoformat(mention["created_at"]))
    message["Message-ID"] = f"<{mention['id']}@demo.sigap.local>"
    message.set_content(body)
    return bytes(message)


def _link(mention: dict[str, Any]) -> str:
    # A repeated round (--repeat) is a new post at a new address, as it would be on a real blog.
    url = str(mention.get("url") or f"https://feeds.example/{mention['id']}")
    round_number = re.search(r"-r(\d+)$", str(mention["id"]))
    return f"{url}?round={round_number.group(1)}" if round_number else url


def _outlet(items: list[dict[str, Any]]) -> dict[str, Any]:
    """What the brand knows of the outlets a feed brings (a feed says nothing of its audience): the scenario's
    news desks are verified, national audiences; its blog search spans blogs of every size, so none is given."""
    authors = [m.get("author") or {} for m in items]
    if not all(author.get("verified") for author in authors):
        return {}
    audiences = sorted(int(author.get("followers") or 0) for author in authors)
    return {"audience": audiences[len(audiences) // 2], "verified": True}


def _rss(items: list[dict[str, Any]]) -> str:
    """Blog posts as a blog search's RSS 2.0 feed would list them: title, link, writer, date, text."""
    entries = "".join(
        f"<item><title>{escape(str(m['text']).split('. ')[0][:120])}</title><link>{escape(_link(m))}</link>"
        f"<guid>{escape(_link(m))}</guid><dc:creator>{escape(str((m.get('author') or {}).get('handle') or ''))}"
        f"</dc:creator><pubDate>{format_datetime(datetime.fromisoformat(m['created_at']))}</pubDate>"
        f"<description>{escape(str(m['text']))}</description></item>"
        for m in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>Blog search: teh segar</title><language>id</language>{entries}</channel></rss>"
    )


def _atom(items: list[dict[str, Any]]) -> str:
    """News items as a news site's Atom feed: the headline as title, the lead as summary."""
    entries = "".join(
        f'<entry><id>{escape(_link(m))}</id><link href="{escape(_link(m))}"/>'
        f"<title>{escape(str(m['text']).split('. ')[0][:200])}</title>"
        f"<author><name>{escape(str((m.get('author') or {}).get('handle') or 'Redaksi'))}</name></author>"
        f"<updated>{datetime.fromisoformat(m['created_at']).isoformat()}</updated>"
        f"<summary>{escape('. '.join(str(m['text']).split('. ')[1:]))}</summary></entry>"
        for m in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="id">'
        f"<title>Berita: Teh Segar</title><id>urn:demo:news</id><updated>{datetime.now(UTC).isoformat()}</updated>"
        f"{entries}</feed>"
    )


def _zendesk_ticket(mention: dict[str, Any]) -> dict[str, Any]:
    author = mention.get("author") or {}
    return {
        "ticket": {
            "id": mention["id"],
            "description": mention["text"],
            "created_at": mention["created_at"],
            "requester": {"name": author.get("handle")},
        }
    }


@dataclass
class Doors:
    """The tenant's two webhook sources, registered through the API, and how many mentions came by each door."""

    client: SigapClient
    tenant_id: str
    smtp_port: int | None = None  # the local SMTP server: forwarded e-mails are mailed to it
    site: FeedSite | None = None  # the local site blog and news feeds are published on
    published: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # a feed source's items
    secrets: dict[str, str] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    def register(self) -> None:
        for body in (
            {"name": LISTENING_TOOL, "preset": "sprinklr", "description": "Sprinklr social listening"},
            {"name": CONTACT_CENTRE, "preset": "helpdesk", "verification": "hmac_header",
             "description": "Zendesk tickets from the contact centre"},
        ):  # fmt: skip
            answer = self.client.request("POST", f"/v1/tenants/{self.tenant_id}/sources", body=body)
            if answer.status != 201:
                raise RuntimeError(f"registering the {body['name']} source failed: {answer.status} {answer.body}")
            self.secrets[str(body["name"])] = str(answer.body["secret"])

    def door_of(self, mention: dict[str, Any]) -> str:
        if mention.get("source") == LISTENING_TOOL and mention.get("channel") in _SPRINKLR_NETWORK:
            return LISTENING_TOOL
        if mention.get("source") == CONTACT_CENTRE:
            return CONTACT_CENTRE
        if mention.get("source") == INBOUND_EMAIL and self.smtp_port is not None:
            return INBOUND_EMAIL
        if mention.get("source") == FEED_POLLER and mention.get("channel") in FEEDS and self.site is not None:
            return FEEDS[mention["channel"]][0]
        return "api"

    def publish(self, mention: dict[str, Any]) -> None:
        """A blog post or news item, kept for its feed (published once every item is in)."""
        self.published.setdefault(self.door_of(mention), []).append(mention)

    def read_feeds(self, timeout: float = 300) -> int:
        """Publishes each feed on the local site, registers it as a feed source, asks Sigap to read it now and
        waits until its items are accepted: how many were."""
        assert self.site is not None
        expected: dict[str, int] = {}
        done: dict[str, int] = {}
        for channel, (name, feed_path) in FEEDS.items():
            path = f"/{self.tenant_id}{feed_path}"  # each brand follows its own blogs and news
            items = self.published.get(name, [])
            if not items:
                continue
            body, kind = (
                (_rss(items), "application/rss+xml") if channel == "blog" else (_atom(items), "application/atom+xml")
            )
            self.site.publish(path, body, f"{kind}; charset=utf-8")
            source = {
                "name": name,
                "kind": "feed",
                "channel": channel,
                "feed": {"url": self.site.url(path), "poll_minutes": 5} | _outlet(items),
                "description": "Blog search: teh segar" if channel == "blog" else "News: Teh Segar",
            }
            for method, route, body_ in (("POST", "", source), ("POST", f"/{name}/read", None)):
                answer = self.client.request(method, f"/v1/tenants/{self.tenant_id}/sources{route}", body=body_)
                if answer.status not in (201, 202):
                    raise RuntimeError(f"the {name} feed source failed: {answer.status} {answer.body}")
            expected[name] = len(items)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = self.health()
            done = {name: health.get(name, {}).get("accepted", 0) for name in expected}
            if all(done[name] >= count for name, count in expected.items()):
                break
            time.sleep(0.5)
        for name in expected:
            self.counts[name] += done[name]
        return sum(done.values())

    def mail(self, mentions: list[dict[str, Any]]) -> int:
        """Forwarded e-mails sent to the local SMTP server, one message each: how many it accepted."""
        assert self.smtp_port is not None
        recipient = f"{self.tenant_id}+{INBOUND_EMAIL}@sigap.local"
        accepted = 0
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=60) as smtp:
            for mention in mentions:
                refused = smtp.sendmail("demo@mail.example", [recipient], _email(mention, recipient))
                accepted += 0 if refused else 1
        self.counts[INBOUND_EMAIL] += accepted
        return accepted

    def post(self, mention: dict[str, Any]) -> ApiAnswer:
        """One mention through its door's webhook, signed as that tool signs."""
        door = self.door_of(mention)
        path = f"/v1/hooks/{self.tenant_id}/{door}"
        if door == LISTENING_TOOL:
            body = json.dumps(_sprinklr_event(mention))
            message_id, now = f"msg_{uuid.uuid4().hex}", datetime.now(UTC)
            headers = {
                "webhook-id": message_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": Webhook(self.secrets[door]).sign(message_id, now, body),
            }
        else:
            body = json.dumps(_zendesk_ticket(mention))
            digest = hmac.new(self.secrets[door].encode(), body.encode(), hashlib.sha256).hexdigest()
            headers = {"x-signature": f"sha256={digest}"}
        answer = self.client.without_key().request("POST", path, raw=body.encode(), headers=headers)
        if answer.status == 202:
            self.counts[door] += len(answer.body["accepted"])
        return answer

    def health(self) -> dict[str, dict[str, Any]]:
        answer = self.client.request("GET", f"/v1/tenants/{self.tenant_id}/sources")
        return {source["name"]: source["health"] for source in answer.body.get("sources", [])}
