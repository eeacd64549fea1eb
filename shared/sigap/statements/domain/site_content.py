"""What every part of a tenant's status site is made of: the published updates of its public incidents, newest
first, each in the language asked for (or the other one), their anchors and times, and the words of each language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sigap.incidents.domain.model import Incident, IncidentState
from sigap.kernel.language import Language
from sigap.statements.domain.models import PublishingSettings, Statement, StatementVersion

MAX_INCIDENTS = 20  # on the page; the JSON API and feeds carry the same, older ones are counted

MAX_UPDATES = 20  # per incident on the page

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


def time_text(moment: datetime, language: Language, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    separator = "." if language is Language.INDONESIAN else ":"
    clock = f"{local:%H}{separator}{local:%M}"
    return f"{local.day} {_MONTHS[language][local.month - 1]} {local.year} {clock} {local.tzname()}"


@dataclass(frozen=True)
class Update:
    statement: Statement
    version: StatementVersion


def updates_of(statements: list[Statement]) -> list[Update]:
    found = [Update(s, v) for s in statements for v in s.published()]
    return sorted(found, key=lambda u: u.version.published_at or u.version.created_at, reverse=True)


def public_incidents(site: SiteInput) -> list[tuple[Incident, list[Update]]]:
    shown = [(incident, updates_of(statements)) for incident, statements in site.incidents]
    shown = [(incident, updates) for incident, updates in shown if updates]
    # Active first (newest update first), then resolved ones, newest first.
    return sorted(
        shown,
        key=lambda pair: (
            pair[0].state is IncidentState.RESOLVED,
            -(pair[1][0].version.published_at or pair[0].opened_at).timestamp(),
        ),
    )


def text_in(version: StatementVersion, language: Language) -> tuple[Language, str, str]:
    text = version.content.text(language)
    if text is not None:
        return language, text.title, text.body
    other = version.content.languages()[0]
    fallback = version.content.text(other)
    assert fallback is not None
    return other, fallback.title, fallback.body


def anchor(update: Update) -> str:
    return f"{update.statement.statement_id}-v{update.version.number}"


def page_url(site: SiteInput, language: Language) -> str:
    base = site.site_url.rstrip("/") + "/"
    return base if language is Language.INDONESIAN else base + "en/"
