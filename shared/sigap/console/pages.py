"""The console's pages: server-rendered HTML (script only where typing gets an answer: the statement editor's
tone check, through the vendored htmx), escaped by Jinja's autoescape, in the language the browser prefers
(Bahasa Indonesia or English). Static files (the style sheet, htmx) are served by the console itself, so the
Content-Security-Policy allows nothing but this site."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FunctionLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from sigap.console.sessions import Session
from sigap.console.words import WORDS
from sigap.kernel.language import Language

STATIC_FILES = {
    "console.css": "text/css; charset=utf-8",
    "htmx.min.js": "text/javascript; charset=utf-8",
}


def preferred_language(accept_language: str | None) -> Language:
    """Bahasa Indonesia when the browser ranks it above English, else English."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith("id") or tag.startswith("in"):
            return Language.INDONESIAN
        if tag.startswith("en"):
            return Language.ENGLISH
    return Language.ENGLISH


@lru_cache(maxsize=len(STATIC_FILES))
def static_file(name: str) -> bytes:
    """A static file's bytes, read from the package once per sandbox (callers ask only for STATIC_FILES)."""
    return resources.files("sigap.console").joinpath("static", name).read_bytes()


@lru_cache(maxsize=1)
def asset_version() -> str:
    """Changes when a static file does: pages ask for `?v=<this>`, so browsers may cache the files for good."""
    digest = hashlib.sha256()
    for name in sorted(STATIC_FILES):
        digest.update(static_file(name))
    return digest.hexdigest()[:12]


def _template_source(name: str) -> str:
    return resources.files("sigap.console").joinpath("pages", name).read_text(encoding="utf-8")


@pass_context
def _local(context: Context, moment: datetime | str | None) -> str:
    """A time as the brand's people read it, in the page's zone (the brand's, from its publishing settings):
    '2026-12-04 11:50 WIB'. Takes the API's ISO 8601 text or a datetime."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            parsed = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    else:
        parsed = moment
    zone = context.get("zone") or UTC
    there = parsed.astimezone(zone) if parsed.tzinfo else parsed.replace(tzinfo=UTC).astimezone(zone)
    return f"{there:%Y-%m-%d %H:%M} {there.tzname()}"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FunctionLoader(_template_source), autoescape=select_autoescape(default=True), trim_blocks=True
    )
    environment.filters["local"] = _local
    environment.globals["asset_version"] = asset_version
    return environment


def render(name: str, language: Language, title_word: str, session: Session | None, **values: Any) -> str:
    words = WORDS[language]
    context = {"lang": language.value, "words": words, "signed_in": session, "here": "/console"}
    shared = context | {"title": words.get(title_word, title_word), "asset_version": asset_version()}
    return _environment().get_template(name).render(shared | values)
