"""The console's pages: server-rendered HTML (no script), escaped by Jinja's autoescape, in the language the
browser prefers (Bahasa Indonesia or English)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FunctionLoader, select_autoescape

from sigap.console.sessions import Session
from sigap.detection.domain.models import Alert
from sigap.detection.domain.rule_names import rule_name
from sigap.kernel.language import Language

WORDS: dict[Language, dict[str, str]] = {
    Language.ENGLISH: {
        "sign_in": "Sign in",
        "sign_in_title": "Sign in to Sigap",
        "sign_out": "Sign out",
        "email": "E-mail address",
        "password": "Password",
        "invited": "Invited by e-mail? Sign in with the temporary password it gave you; you will choose your own.",
        "choose_password": "Choose your own password to finish signing in.",
        "new_password": "New password",
        "new_password_title": "Choose a password",
        "save_and_sign_in": "Save and sign in",
        "home_title": "Your tenants",
        "your_roles": "You have a role on:",
        "no_roles": "You have no role on any tenant yet: ask an admin of your brand or agency to invite you.",
        "clients": "Clients",
        "links_open_here": "The links in Sigap's alert messages open their alert here.",
        "home": "Back to your tenants",
        "acknowledgement": "Acknowledgement",
        "acknowledged_by": "Acknowledged by %s at %s.",
        "not_acknowledged": "Nobody has acknowledged this alert yet.",
        "evidence": "Evidence",
        "observed": "Observed",
        "expected": "Expected",
        "threshold": "Fires at",
        "window": "Window",
        "mentions": "Mentions",
        "authors": "authors",
        "negative_share": "Negative",
        "usually": "usually",
        "fired": "Fired",
        "last_seen": "Last seen",
        "resolved": "Resolved",
        "scope": "Scope",
        "stories": "Stories",
        "channels": "Channels",
        "sources": "Sources",
        "signals": "Crisis signals",
        "samples": "Sample mentions",
        "timeline": "Timeline",
        "problem_title": "This page cannot be shown",
    },
    Language.INDONESIAN: {
        "sign_in": "Masuk",
        "sign_in_title": "Masuk ke Sigap",
        "sign_out": "Keluar",
        "email": "Alamat e-mail",
        "password": "Kata sandi",
        "invited": "Diundang lewat e-mail? Masuk dengan kata sandi sementara dari e-mail itu; lalu pilih sendiri.",
        "choose_password": "Pilih kata sandi Anda sendiri untuk menyelesaikan proses masuk.",
        "new_password": "Kata sandi baru",
        "new_password_title": "Pilih kata sandi",
        "save_and_sign_in": "Simpan dan masuk",
        "home_title": "Tenant Anda",
        "your_roles": "Anda punya peran di:",
        "no_roles": "Anda belum punya peran di tenant mana pun: minta admin merek atau agensi Anda mengundang Anda.",
        "clients": "Klien",
        "links_open_here": "Tautan di pesan peringatan Sigap membuka peringatannya di sini.",
        "home": "Kembali ke tenant Anda",
        "acknowledgement": "Penanganan",
        "acknowledged_by": "Ditangani oleh %s pada %s.",
        "not_acknowledged": "Belum ada yang menangani peringatan ini.",
        "evidence": "Bukti",
        "observed": "Teramati",
        "expected": "Biasanya",
        "threshold": "Berbunyi pada",
        "window": "Jendela",
        "mentions": "Sebutan",
        "authors": "penulis",
        "negative_share": "Negatif",
        "usually": "biasanya",
        "fired": "Mulai",
        "last_seen": "Terakhir terlihat",
        "resolved": "Selesai",
        "scope": "Cakupan",
        "stories": "Cerita",
        "channels": "Kanal",
        "sources": "Sumber",
        "signals": "Sinyal krisis",
        "samples": "Contoh sebutan",
        "timeline": "Riwayat",
        "problem_title": "Halaman ini tidak dapat ditampilkan",
    },
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


def _template_source(name: str) -> str:
    return resources.files("sigap.console").joinpath("pages", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FunctionLoader(_template_source), autoescape=select_autoescape(default=True), trim_blocks=True
    )


def _utc(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def render(name: str, language: Language, title_word: str, session: Session | None, **values: Any) -> str:
    words = WORDS[language]
    context = {"lang": language.value, "words": words, "signed_in": session, "utc": _utc}
    return _environment().get_template(name).render(context | {"title": words.get(title_word, title_word)} | values)


def alert_page(alert: Alert, tenant_name: str, language: Language, session: Session) -> str:
    title = f"{rule_name(alert.rule, language)}: {alert.subject}"
    return render(
        "alert.html.j2", language, title, session, alert=alert, evidence=alert.evidence, tenant_name=tenant_name
    )
