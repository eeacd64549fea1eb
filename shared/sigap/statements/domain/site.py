"""A tenant's public status site, made whole from its published statements each time: the page in each
language (static HTML, no JavaScript, a strict Content-Security-Policy, readable on a phone), Atom, RSS and JSON
Feed per language, and the JSON the page is made of. Only published versions appear, never an incident's
internal title; a promised update that has passed is shown as late."""

from __future__ import annotations

import base64
import hashlib
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FunctionLoader, select_autoescape
from markupsafe import Markup

from sigap.incidents.domain.model import Incident, IncidentState
from sigap.kernel.language import Language
from sigap.statements.domain.markdown import links_of, to_html
from sigap.statements.domain.models import PublishingSettings, Statement, StatementVersion

MAX_INCIDENTS = 20  # on the page; the JSON API and feeds carry the same, older ones are counted
MAX_UPDATES = 20  # per incident on the page
FEED_ENTRIES = 50
LANGUAGE_NAMES = {Language.INDONESIAN: "Bahasa Indonesia", Language.ENGLISH: "English"}
_MONTHS = {
    Language.INDONESIAN: "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split(),
    Language.ENGLISH: "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
}
WORDS: dict[Language, dict[str, str]] = {
    Language.INDONESIAN: {
        "status": "Status",
        "skip": "Langsung ke isi",
        "language": "Bahasa",
        "active_count": "{n} insiden sedang ditangani",
        "all_clear": "Tidak ada insiden yang sedang berlangsung",
        "history": "Riwayat insiden",
        "older": "{n} insiden lebih lama tersedia di",
        "contact": "Hubungi kami",
        "subscribe": "Berlangganan kabar lewat e-mail",
        "email": "Alamat e-mail",
        "subscribe_button": "Berlangganan",
        "subscribe_note": "Kami akan mengirim e-mail konfirmasi. Setiap e-mail berisi tautan berhenti berlangganan.",
        "feeds": "Umpan",
        "generated": "Diperbarui",
        "started": "dimulai",
        "resolved_at": "selesai",
        "late": "Pembaruan yang dijanjikan pukul {time} terlambat. Kami sedang menyiapkannya.",
        "next": "Pembaruan berikutnya paling lambat {time}.",
        "correction": "Koreksi",
        "only_in": "hanya tersedia dalam bahasa Inggris",
        "evidence": "Bukti",
        "investigating": "Sedang diselidiki",
        "identified": "Penyebab diketahui",
        "monitoring": "Dipantau",
        "resolved": "Selesai",
    },
    Language.ENGLISH: {
        "status": "Status",
        "skip": "Skip to content",
        "language": "Language",
        "active_count": "{n} incident(s) being handled",
        "all_clear": "No incident in progress",
        "history": "Past incidents",
        "older": "{n} older incident(s) are in the",
        "contact": "How to reach us",
        "subscribe": "Get updates by e-mail",
        "email": "E-mail address",
        "subscribe_button": "Subscribe",
        "subscribe_note": "We will send a confirmation e-mail. Every e-mail has an unsubscribe link.",
        "feeds": "Feeds",
        "generated": "Updated",
        "started": "started",
        "resolved_at": "resolved",
        "late": "The update promised for {time} is late. We are preparing it.",
        "next": "Next update by {time}.",
        "correction": "Correction",
        "only_in": "only available in Indonesian",
        "evidence": "Evidence",
        "investigating": "Investigating",
        "identified": "Identified",
        "monitoring": "Monitoring",
        "resolved": "Resolved",
    },
}


@dataclass(frozen=True)
class SiteFile:
    body: bytes
    content_type: str


@dataclass(frozen=True)
class SiteInput:
    tenant_id: str
    tenant_name: str
    settings: PublishingSettings
    incidents: list[tuple[Incident, list[Statement]]]
    now: datetime
    site_url: str = ""
    subscribe_url: str = ""
    api_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _template_source(name: str) -> str:
    return resources.files("sigap.statements.domain").joinpath("pages", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FunctionLoader(_template_source), autoescape=select_autoescape(default=True), trim_blocks=True
    )


@lru_cache(maxsize=1)
def _style() -> tuple[str, str]:
    css = _template_source("status.css").strip()
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return css, f"'sha256-{digest}'"


def _zone(settings: PublishingSettings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def time_text(moment: datetime, language: Language, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    separator = "." if language is Language.INDONESIAN else ":"
    clock = f"{local:%H}{separator}{local:%M}"
    return f"{local.day} {_MONTHS[language][local.month - 1]} {local.year} {clock} {local.tzname()}"


def csp(subscribe_url: str) -> str:
    _, style_hash = _style()
    origin = ""
    if subscribe_url:
        parts = urlsplit(subscribe_url)
        origin = f" {parts.scheme}://{parts.netloc}"
    return (
        f"default-src 'none'; style-src {style_hash}; img-src 'self'; base-uri 'none'; "
        f"form-action 'self'{origin}; upgrade-insecure-requests"
    )


@dataclass(frozen=True)
class _Update:
    statement: Statement
    version: StatementVersion


def _updates(statements: list[Statement]) -> list[_Update]:
    found = [_Update(s, v) for s in statements for v in s.published()]
    return sorted(found, key=lambda u: u.version.published_at or u.version.created_at, reverse=True)


def _public_incidents(site: SiteInput) -> list[tuple[Incident, list[_Update]]]:
    shown = [(incident, _updates(statements)) for incident, statements in site.incidents]
    shown = [(incident, updates) for incident, updates in shown if updates]
    # Active first (newest update first), then resolved ones, newest first.
    return sorted(
        shown,
        key=lambda pair: (
            pair[0].state is IncidentState.RESOLVED,
            -(pair[1][0].version.published_at or pair[0].opened_at).timestamp(),
        ),
    )


def _text_in(version: StatementVersion, language: Language) -> tuple[Language, str, str]:
    text = version.content.text(language)
    if text is not None:
        return language, text.title, text.body
    other = version.content.languages()[0]
    fallback = version.content.text(other)
    assert fallback is not None
    return other, fallback.title, fallback.body


def _anchor(update: _Update) -> str:
    return f"{update.statement.statement_id}-v{update.version.number}"


def _promise(incident: Incident, updates: list[_Update], now: datetime) -> datetime | None:
    if incident.state is IncidentState.RESOLVED or not updates:
        return None
    return updates[0].version.content.next_update_at


def _incident_view(
    incident: Incident, updates: list[_Update], language: Language, zone: ZoneInfo, now: datetime
) -> dict[str, Any]:
    words = WORDS[language]
    latest_lang, latest_title, _ = _text_in(updates[0].version, language)
    promise = _promise(incident, updates, now)
    shown = []
    for update in updates[:MAX_UPDATES]:
        used, title, body = _text_in(update.version, language)
        published = update.version.published_at or update.version.created_at
        shown.append(
            {
                "anchor": _anchor(update),
                "title": title,
                "html": Markup(to_html(body)),  # noqa: S704 - markdown-it output sanitised by nh3
                "links": links_of(body),
                "at_iso": published.isoformat(),
                "at_text": time_text(published, language, zone),
                "correction": update.version.content.correction,
                "correction_note": update.version.content.correction_note,
                "missing_language": used is not language,
            }
        )
    return {
        "id": incident.incident_id,
        "title": latest_title,
        "state": incident.state.value,
        "state_text": words[incident.state.value],
        "resolved": incident.state is IncidentState.RESOLVED,
        "opened_iso": incident.opened_at.isoformat(),
        "opened_text": time_text(incident.opened_at, language, zone),
        "resolved_iso": incident.resolved_at.isoformat() if incident.resolved_at else "",
        "resolved_text": time_text(incident.resolved_at, language, zone) if incident.resolved_at else "",
        "promise": None
        if promise is None
        else {"late": now > promise, "text": time_text(promise, language, zone), "iso": promise.isoformat()},
        "updates": shown,
        "title_language": latest_lang.value,
    }


def _page(site: SiteInput, language: Language, public: list[tuple[Incident, list[_Update]]]) -> str:
    zone = _zone(site.settings)
    views = [_incident_view(i, u, language, zone, site.now) for i, u in public[:MAX_INCIDENTS]]
    style, _ = _style()
    prefix = "" if language is Language.INDONESIAN else "../"
    hrefs = {
        (Language.INDONESIAN, Language.INDONESIAN): "./",
        (Language.INDONESIAN, Language.ENGLISH): "en/",
        (Language.ENGLISH, Language.INDONESIAN): "../",
        (Language.ENGLISH, Language.ENGLISH): "./",
    }
    languages = [
        {"code": other.value, "name": LANGUAGE_NAMES[other], "href": hrefs[(language, other)]} for other in Language
    ]
    contact = Markup(to_html(site.settings.contact)) if site.settings.contact else ""  # noqa: S704 - sanitised
    return (
        _environment()
        .get_template("status.html.j2")
        .render(
            lang=language.value,
            w=WORDS[language],
            title=site.settings.page_title or site.tenant_name,
            csp=csp(site.subscribe_url),
            style=Markup(style),  # noqa: S704 - our own stylesheet, hashed into the CSP
            languages=languages,
            active=[v for v in views if not v["resolved"]],
            history=[v for v in views if v["resolved"]],
            older=max(0, len(public) - MAX_INCIDENTS),
            contact=contact,
            subscribe_url=site.subscribe_url,
            feeds={"atom": "feed.atom", "rss": "feed.rss", "json": "feed.json", "api": prefix + "status.json"},
            now_iso=site.now.isoformat(),
            now_text=time_text(site.now, language, zone),
        )
    )


def status_document(site: SiteInput) -> dict[str, Any]:
    """The JSON API: every public incident with every published version in both languages."""
    public = _public_incidents(site)
    incidents = []
    for incident, updates in public:
        promise = _promise(incident, updates, site.now)
        incidents.append(
            {
                "id": incident.incident_id,
                "state": incident.state.value,
                "opened_at": incident.opened_at.isoformat(),
                "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
                "next_update_at": promise.isoformat() if promise else None,
                "next_update_late": bool(promise and site.now > promise),
                "updates": [
                    {
                        "statement_id": update.statement.statement_id,
                        "version": update.version.number,
                        "published_at": (update.version.published_at or update.version.created_at).isoformat(),
                        "correction": update.version.content.correction,
                        "correction_note": update.version.content.correction_note or None,
                        "first_language": update.version.content.first.value,
                        "texts": {
                            language.value: {
                                "title": text.title,
                                "markdown": text.body,
                                "html": to_html(text.body),
                                "links": [{"label": label, "url": url} for label, url in links_of(text.body)],
                            }
                            for language in update.version.content.languages()
                            if (text := update.version.content.text(language)) is not None
                        },
                    }
                    for update in updates
                ],
            }
        )
    return {
        "tenant": site.tenant_id,
        "title": site.settings.page_title or site.tenant_name,
        "generated_at": site.now.isoformat(),
        "active": sum(1 for incident, _ in public if incident.state is not IncidentState.RESOLVED),
        "incidents": incidents,
    }


def _entries(site: SiteInput, language: Language) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for incident, updates in _public_incidents(site):
        for update in updates:
            _, title, body = _text_in(update.version, language)
            published = update.version.published_at or update.version.created_at
            prefix = f"[{WORDS[language]['correction']}] " if update.version.content.correction else ""
            entries.append(
                {
                    "id": f"tag:sigap,2026:{site.tenant_id}/{_anchor(update)}",
                    "title": prefix + title,
                    "html": to_html(body),
                    "published": published,
                    "url": _page_url(site, language) + "#" + _anchor(update),
                    "incident": incident.incident_id,
                }
            )
    entries.sort(key=lambda entry: entry["published"], reverse=True)
    return entries[:FEED_ENTRIES]


def _page_url(site: SiteInput, language: Language) -> str:
    base = site.site_url.rstrip("/") + "/"
    return base if language is Language.INDONESIAN else base + "en/"


def atom(site: SiteInput, language: Language) -> bytes:
    ns = "http://www.w3.org/2005/Atom"
    feed = ET.Element("feed", {"xmlns": ns, "xml:lang": language.value})
    entries = _entries(site, language)
    ET.SubElement(feed, "id").text = f"tag:sigap,2026:{site.tenant_id}/{language.value}"
    ET.SubElement(feed, "title").text = site.settings.page_title or site.tenant_name
    ET.SubElement(feed, "updated").text = (entries[0]["published"] if entries else site.now).isoformat()
    ET.SubElement(feed, "link", {"rel": "alternate", "href": _page_url(site, language)})
    ET.SubElement(feed, "link", {"rel": "self", "href": _page_url(site, language) + "feed.atom"})
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
    ET.SubElement(channel, "link").text = _page_url(site, language)
    ET.SubElement(channel, "description").text = WORDS[language]["history"]
    ET.SubElement(channel, "language").text = language.value
    ET.SubElement(
        channel,
        "atom:link",
        {"href": _page_url(site, language) + "feed.rss", "rel": "self", "type": "application/rss+xml"},
    )
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(site.now)
    for entry in _entries(site, language):
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
        "home_page_url": _page_url(site, language),
        "feed_url": _page_url(site, language) + "feed.json",
        "language": language.value,
        "items": [
            {
                "id": entry["id"],
                "url": entry["url"],
                "title": entry["title"],
                "content_html": entry["html"],
                "date_published": entry["published"].isoformat(),
            }
            for entry in _entries(site, language)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def build_site(site: SiteInput) -> dict[str, SiteFile]:
    """Every file of the tenant's site, keyed by its path under the tenant's folder."""
    public = _public_incidents(site)
    files: dict[str, SiteFile] = {
        "status.json": SiteFile(
            json.dumps(status_document(site), ensure_ascii=False).encode("utf-8"), "application/json"
        )
    }
    for language in Language:
        folder = "" if language is Language.INDONESIAN else "en/"
        files[folder + "index.html"] = SiteFile(
            _page(site, language, public).encode("utf-8"), "text/html; charset=utf-8"
        )
        files[folder + "feed.atom"] = SiteFile(atom(site, language), "application/atom+xml; charset=utf-8")
        files[folder + "feed.rss"] = SiteFile(rss(site, language), "application/rss+xml; charset=utf-8")
        files[folder + "feed.json"] = SiteFile(json_feed(site, language), "application/feed+json; charset=utf-8")
    return files
