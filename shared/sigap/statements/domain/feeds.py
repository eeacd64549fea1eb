"""A status site's feeds, one of each per language: Atom, RSS 2.0 and JSON Feed 1.1, with the same newest
entries: each published version of each public incident, a correction marked as one."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from email.utils import format_datetime
from typing import Any

from sigap.kernel.language import Language
from sigap.statements.domain.markdown import to_html
from sigap.statements.domain.site_content import WORDS, SiteInput, anchor, page_url, public_incidents, text_in

FEED_ENTRIES = 50


def feed_entries(site: SiteInput, language: Language) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for incident, updates in public_incidents(site):
        for update in updates:
            _, title, body = text_in(update.version, language)
            published = update.version.published_at or update.version.created_at
            prefix = f"[{WORDS[language]['correction']}] " if update.version.content.correction else ""
            entries.append(
                {
                    "id": f"tag:sigap,2026:{site.tenant_id}/{anchor(update)}",
                    "title": prefix + title,
                    "html": to_html(body),
                    "published": published,
                    "url": page_url(site, language) + "#" + anchor(update),
                    "incident": incident.incident_id,
                }
            )
    entries.sort(key=lambda entry: entry["published"], reverse=True)
    return entries[:FEED_ENTRIES]


def atom(site: SiteInput, language: Language) -> bytes:
    ns = "http://www.w3.org/2005/Atom"
    feed = ET.Element("feed", {"xmlns": ns, "xml:lang": language.value})
    entries = feed_entries(site, language)
    ET.SubElement(feed, "id").text = f"tag:sigap,2026:{site.tenant_id}/{language.value}"
    ET.SubElement(feed, "title").text = site.settings.page_title or site.tenant_name
    ET.SubElement(feed, "updated").text = (entries[0]["published"] if entries else site.now).isoformat()
    ET.SubElement(feed, "link", {"rel": "alternate", "href": page_url(site, language)})
    ET.SubElement(feed, "link", {"rel": "self", "href": page_url(site, language) + "feed.atom"})
    author = ET.SubElement(feed, "author")
    ET.SubElement(author, "name").text = site.tenant_name
    for entry in entries:
        item = ET.SubElement(feed, "entry")
        ET.SubElement(item, "id").text = entry["id"]
        ET.SubElement(item, "title").text = entry["title"]
        ET.SubElement(item, "updated").text = entry["published"].isoformat()
        ET.SubElement(item, "published").text = entry["published"].isoformat()
        ET.SubElement(item, "link", {"rel": "alternate", "href": entry["url"]})
        ET.SubElement(item, "content", {"type": "html"}).text = entry["html"]
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(
        ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    )


def rss(site: SiteInput, language: Language) -> bytes:
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = site.settings.page_title or site.tenant_name
    ET.SubElement(channel, "link").text = page_url(site, language)
    ET.SubElement(channel, "description").text = WORDS[language]["history"]
    ET.SubElement(channel, "language").text = language.value
    ET.SubElement(
        channel,
        "atom:link",
        {"href": page_url(site, language) + "feed.rss", "rel": "self", "type": "application/rss+xml"},
    )
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(site.now)
    for entry in feed_entries(site, language):
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = entry["title"]
        ET.SubElement(item, "link").text = entry["url"]
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = entry["id"]
        ET.SubElement(item, "pubDate").text = format_datetime(entry["published"])
        ET.SubElement(item, "description").text = entry["html"]
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(
        ET.tostring(root, encoding="utf-8", xml_declaration=False)
    )


def json_feed(site: SiteInput, language: Language) -> bytes:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.settings.page_title or site.tenant_name,
        "home_page_url": page_url(site, language),
        "feed_url": page_url(site, language) + "feed.json",
        "language": language.value,
        "items": [
            {
                "id": entry["id"],
                "url": entry["url"],
                "title": entry["title"],
                "content_html": entry["html"],
                "date_published": entry["published"].isoformat(),
            }
            for entry in feed_entries(site, language)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
