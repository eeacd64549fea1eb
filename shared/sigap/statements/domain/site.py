"""A tenant's public status site, made whole from its published statements each time: the page in each
language (static HTML, no JavaScript, a strict Content-Security-Policy, readable on a phone), Atom, RSS and JSON
Feed per language, and the JSON the page is made of. Only published versions appear, never an incident's
internal title; a promised update that has passed is shown as late."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup

from sigap.incidents.domain.model import Incident, IncidentState
from sigap.kernel.language import Language
from sigap.statements.domain.feeds import atom, json_feed, rss
from sigap.statements.domain.markdown import links_of, to_html
from sigap.statements.domain.models import PublishingSettings
from sigap.statements.domain.site_content import (
    LANGUAGE_NAMES,
    MAX_INCIDENTS,
    MAX_UPDATES,
    WORDS,
    SiteFile,
    SiteInput,
    Update,
    anchor,
    public_incidents,
    text_in,
    time_text,
)

if TYPE_CHECKING:
    from jinja2 import Environment


def _template_source(name: str) -> str:
    return resources.files("sigap.statements.domain").joinpath("pages", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Imported on the first site built, not with the module: the statements API imports this for its public
    # JSON, which needs no page.
    from jinja2 import Environment, FunctionLoader, select_autoescape

    return Environment(
        loader=FunctionLoader(_template_source), autoescape=select_autoescape(default=True), trim_blocks=True
    )


@lru_cache(maxsize=64)
def _style(brand_colour: str = "") -> tuple[str, str]:
    """The page's style sheet (with the brand's colour as a bar across the top) and its hash for the CSP."""
    css = _template_source("status.css").strip()
    if brand_colour:
        css += f"\nbody{{border-top:.5rem solid {brand_colour}}}"
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return css, f"'sha256-{digest}'"


def _zone(settings: PublishingSettings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def csp(subscribe_url: str, brand_colour: str = "") -> str:
    _, style_hash = _style(brand_colour)
    origin = ""
    if subscribe_url:
        parts = urlsplit(subscribe_url)
        origin = f" {parts.scheme}://{parts.netloc}"
    return (
        f"default-src 'none'; style-src {style_hash}; img-src 'self'; base-uri 'none'; "
        f"form-action 'self'{origin}; upgrade-insecure-requests"
    )


def _promise(incident: Incident, updates: list[Update], now: datetime) -> datetime | None:
    if incident.state is IncidentState.RESOLVED or not updates:
        return None
    return updates[0].version.content.next_update_at


def _incident_view(
    incident: Incident, updates: list[Update], language: Language, zone: ZoneInfo, now: datetime
) -> dict[str, Any]:
    words = WORDS[language]
    latest_lang, latest_title, _ = text_in(updates[0].version, language)
    promise = _promise(incident, updates, now)
    shown = []
    for update in updates[:MAX_UPDATES]:
        used, title, body = text_in(update.version, language)
        published = update.version.published_at or update.version.created_at
        shown.append(
            {
                "anchor": anchor(update),
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


def _page(site: SiteInput, language: Language, public: list[tuple[Incident, list[Update]]]) -> str:
    zone = _zone(site.settings)
    views = [_incident_view(i, u, language, zone, site.now) for i, u in public[:MAX_INCIDENTS]]
    style, _ = _style(site.settings.brand_colour)
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
            csp=csp(site.subscribe_url, site.settings.brand_colour),
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
    public = public_incidents(site)
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


def build_site(site: SiteInput) -> dict[str, SiteFile]:
    """Every file of the tenant's site, keyed by its path under the tenant's folder."""
    public = public_incidents(site)
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
