"""What publishing sends: the staff e-mail, each subscriber's e-mail (with its one-click unsubscribe), and the
message for a chat channel or webhook, in each reader's language."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from sigap.kernel.language import Language
from sigap.outbound.domain.models import (
    Channel,
    Link,
    OutboundMessage,
)
from sigap.statements.domain.markdown import links_of, to_html, to_text
from sigap.statements.domain.models import (
    PublishingSettings,
    Statement,
    StatementVersion,
    Subscriber,
)
from sigap.statements.domain.publisher_ports import PublisherPorts
from sigap.statements.domain.site_content import time_text
from sigap.statements.domain.subscribers import unsubscribe_token


def _texts(version: StatementVersion, language: Language) -> tuple[Language, str, str]:
    text = version.content.text(language)
    if text is None:
        language = version.content.first
        text = version.content.text(language)
    assert text is not None
    return language, text.title, text.body


_EMAIL_WORDS = {
    Language.INDONESIAN: {
        "internal": "[INTERNAL — belum publik]",
        "page": "Halaman status",
        "next": "Pembaruan berikutnya",
        "unsubscribe": "Berhenti berlangganan",
        "correction": "[Koreksi]",
        "staff_note": "Anda menerima ini lebih dulu sebagai staf; pernyataan ini akan segera dipublikasikan.",
        "why": "Anda menerima e-mail ini karena berlangganan kabar di halaman status ini.",
    },
    Language.ENGLISH: {
        "internal": "[INTERNAL — not yet public]",
        "page": "Status page",
        "next": "Next update",
        "unsubscribe": "Unsubscribe",
        "correction": "[Correction]",
        "staff_note": "You are getting this first, as staff; the statement goes public right after.",
        "why": "You get this e-mail because you subscribed to updates on this status page.",
    },
}


def email_content(
    version: StatementVersion,
    language: Language,
    settings: PublishingSettings,
    site_url: str,
    *,
    internal: bool,
    unsubscribe_url: str | None = None,
) -> tuple[str, str, str]:
    """(subject, text, HTML) of a statement e-mail; the Markdown sanitised into the HTML."""
    used, title, body = _texts(version, language)
    words = _EMAIL_WORDS[used]
    prefix = (words["internal"] + " " if internal else "") + (
        words["correction"] + " " if version.content.correction else ""
    )
    zone = ZoneInfo(settings.timezone)
    lines = [title, ""]
    if internal:
        lines += [words["staff_note"], ""]
    lines += [to_text(body), ""]
    promise = version.content.next_update_at
    if promise is not None:
        lines.append(f"{words['next']}: {time_text(promise, used, zone)}")
    lines.append(f"{words['page']}: {site_url}")
    html_parts = [f"<h1>{_escape(title)}</h1>"]
    if internal:
        html_parts.append(f"<p><strong>{_escape(words['staff_note'])}</strong></p>")
    html_parts.append(to_html(body))
    if promise is not None:
        html_parts.append(f"<p>{_escape(words['next'])}: {_escape(time_text(promise, used, zone))}</p>")
    html_parts.append(f'<p><a href="{_escape(site_url)}">{_escape(words["page"])}</a></p>')
    if unsubscribe_url:
        lines += ["", words["why"], f"{words['unsubscribe']}: {unsubscribe_url}"]
        html_parts.append(
            f'<p style="color:#666;font-size:12px">{_escape(words["why"])} '
            f'<a href="{_escape(unsubscribe_url)}">{_escape(words["unsubscribe"])}</a></p>'
        )
    html = f'<!doctype html><html lang="{used.value}"><body>{"".join(html_parts)}</body></html>'
    return (prefix + title)[:200], "\n".join(lines), html


def _escape(text: str) -> str:
    return escape(text, quote=True)


def mail_staff(
    statement: Statement,
    version: StatementVersion,
    recipients: list[str],
    settings: PublishingSettings,
    ports: PublisherPorts,
) -> str:
    subject, text, html = email_content(version, version.content.first, settings, ports.links.site_url, internal=True)
    return ports.mailer.send(
        recipients, subject, text, html, {}, {"sigap-message": "statement-staff", "tenant": statement.tenant_id}
    )


_UNSUBSCRIBE_MARK = "https://unsubscribe.sigap.invalid/mark"


class SubscriberMail:
    """A statement version's subscriber e-mail, rendered once per language per task; each recipient's copy
    differs only in its unsubscribe link (the token is URL-safe, so it goes into text and HTML as it is)."""

    def __init__(self, statement: Statement, version: StatementVersion, ports: PublisherPorts) -> None:
        self._statement = statement
        self._version = version
        self._ports = ports
        self._settings = ports.store.settings(statement.tenant_id)
        self._rendered: dict[Language, tuple[str, str, str]] = {}

    def send(self, subscriber: Subscriber, now: datetime) -> str:
        tenant_id = self._statement.tenant_id
        if subscriber.language not in self._rendered:
            self._rendered[subscriber.language] = email_content(
                self._version,
                subscriber.language,
                self._settings,
                self._ports.links.site_url,
                internal=False,
                unsubscribe_url=_UNSUBSCRIBE_MARK,
            )
        subject, text, html = self._rendered[subscriber.language]
        token = unsubscribe_token(self._ports.link_key, tenant_id, subscriber.email, now)
        unsubscribe = self._ports.links.unsubscribe_url(tenant_id, token)
        if subscriber.language is Language.ENGLISH:
            unsubscribe += "?lang=en"  # its page answers in the subscriber's language
        # RFC 8058: a mail client may unsubscribe with one POST of "List-Unsubscribe=One-Click" to this URL.
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        return self._ports.mailer.send(
            [subscriber.email],
            subject,
            text.replace(_UNSUBSCRIBE_MARK, unsubscribe),
            html.replace(_UNSUBSCRIBE_MARK, unsubscribe),
            headers,
            {"sigap-message": "statement", "tenant": tenant_id},
        )


def channel_message(
    statement: Statement, version: StatementVersion, channel: Channel, ports: PublisherPorts, now: datetime
) -> OutboundMessage:
    language = channel.language or version.content.first
    used, title, body = _texts(version, language)
    links = [Link(label=label, url=url) for label, url in links_of(body)]
    page = Link(label="Status", url=ports.links.site_url)
    return OutboundMessage(
        message_id=f"{statement.statement_id}-v{version.number}",
        tenant_id=statement.tenant_id,
        kind="statement",
        language=used,
        title=("[Koreksi] " if used is Language.INDONESIAN else "[Correction] ") * version.content.correction + title,
        # The page's address in the text itself: every channel shows the intro, not every one its links.
        intro=f"{to_text(body)[:2400]}\n\n{page.label}: {page.url}",
        items=[],
        links=[*links[:5], page],
        created_at=version.published_at or now,
        payload={
            "statement_id": statement.statement_id,
            "incident_id": statement.incident_id,
            "version": version.number,
            "correction": version.content.correction,
            "published_at": (version.published_at or now).isoformat(),
            "next_update_at": version.content.next_update_at.isoformat() if version.content.next_update_at else None,
            "texts": {
                lang.value: {"title": text.title, "markdown": text.body}
                for lang in version.content.languages()
                if (text := version.content.text(lang)) is not None
            },
            "status_page": ports.links.site_url,
        },
    )
