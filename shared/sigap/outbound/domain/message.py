"""One outbound message, rendered for each channel within its limits: e-mail (HTML and plain text), Slack
Block Kit, a Teams Adaptive Card, a Standard Webhooks JSON body and an SNS text. Pure functions."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sigap.kernel.language import Language
from sigap.outbound.domain.models import OutboundMessage

if TYPE_CHECKING:
    from jinja2 import Template

SLACK_MAX_BLOCKS = 50
SLACK_SECTION_CHARS = 3000
SLACK_MESSAGE_CHARS = 12_000  # `msg_blocks_too_long` has been seen near 13,000
TEAMS_MAX_BYTES = 26_000  # Teams takes about 28 KB a message
SNS_SUBJECT_CHARS = 100
SNS_MESSAGE_CHARS = 1400  # an SMS subscriber gets ~10 segments; e-mail subscribers see the same text

_WORDS = {
    Language.ENGLISH: {
        "severity": "Severity",
        "scope": "Scope",
        "status": "Status",
        "client": "Brand",
        "since": "Since",
        "quotes": "What people are saying",
        "more": "and {n} more",
        "footer": "Sent by Sigap. Every alert and delivery is kept: see the notification history in the API.",
    },
    Language.INDONESIAN: {
        "severity": "Tingkat",
        "scope": "Cakupan",
        "status": "Status",
        "client": "Merek",
        "since": "Sejak",
        "quotes": "Yang dikatakan orang",
        "more": "dan {n} lainnya",
        "footer": "Dikirim oleh Sigap. Setiap peringatan dan pengiriman disimpan: lihat riwayat notifikasi di API.",
    },
}
_VALUES = {
    Language.INDONESIAN: {
        "critical": "kritis",
        "warning": "peringatan",
        "info": "info",
        "local": "lokal",
        "national": "nasional",
        "global": "global",
        "firing": "aktif",
        "resolved": "selesai",
        "acknowledged": "ditangani",
    }
}
_EMOJI = {"critical": ":red_circle:", "warning": ":large_orange_circle:", "info": ":large_blue_circle:"}
_COLOURS = {"critical": "Attention", "warning": "Warning", "info": "Accent"}


def word(language: Language, key: str) -> str:
    return _WORDS[language][key]


def value(language: Language, raw: str | None) -> str:
    if raw is None:
        return ""
    return _VALUES.get(language, {}).get(raw, raw)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_HTML_SOURCE = """<!doctype html>
<html lang="{{ m.language.value }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ m.title }}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:640px;margin:0 auto;padding:16px">
<h1 style="font-size:20px;margin:0 0 8px">{{ m.title }}</h1>
{% if m.intro %}<p style="margin:0 0 16px">{{ m.intro }}</p>{% endif %}
{% for item in m.items %}
<div style="border-left:4px solid {{ colour(item.severity) }};padding:8px 12px;margin:0 0 16px;background:#fafafa">
<h2 style="font-size:16px;margin:0 0 4px">{{ item.title }}</h2>
<p style="margin:0 0 6px;color:#555">{% if item.client %}{{ w('client') }}: <b>{{ item.client }}</b> · {% endif %}
{{ w('status') }}: {{ v(item.status) }}{% if item.severity %} · {{ w('severity') }}: {{ v(item.severity) }}{% endif %}
{% if item.scope %} · {{ w('scope') }}: {{ v(item.scope) }}{% endif %}</p>
{% if item.summary %}<p style="margin:0 0 6px">{{ item.summary }}</p>{% endif %}
{% if item.facts %}<table style="border-collapse:collapse;margin:0 0 6px">{% for name, text in item.facts %}
<tr><td style="padding:2px 8px 2px 0;color:#555">{{ name }}</td><td style="padding:2px 0">{{ text }}</td></tr>
{% endfor %}</table>{% endif %}
{% if item.quotes %}<p style="margin:6px 0 2px;color:#555">{{ w('quotes') }}:</p>
{% for quote in item.quotes %}<blockquote style="margin:0 0 4px 8px;color:#333">“{{ quote }}”</blockquote>{% endfor %}
{% endif %}
{% for link in item.links %}<a href="{{ link.url }}" style="display:inline-block;margin:6px 8px 0 0;padding:6px 12px;
background:#0b5cad;color:#fff;text-decoration:none;border-radius:4px">{{ link.label }}</a>{% endfor %}
</div>
{% endfor %}
{% for link in m.links %}<p><a href="{{ link.url }}">{{ link.label }}</a></p>{% endfor %}
<p style="color:#777;font-size:12px">{{ w('footer') }}</p>
</body></html>"""
_HTML_COLOURS = {"critical": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


@lru_cache(maxsize=1)
def _html_template() -> Template:
    # Imported on the first e-mail, not with the module: most invocations of the functions that import this one
    # (the notifications API, the notifier, delivery, reminders) send no e-mail, and jinja2 is about a tenth of
    # their cold start.
    from jinja2 import Environment, select_autoescape

    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True)
    return environment.from_string(_HTML_SOURCE)


def email_parts(message: OutboundMessage) -> tuple[str, str, str]:
    """(subject, plain text, HTML) in the message's language; user text escaped in the HTML."""
    language = message.language
    html = _html_template().render(
        m=message,
        w=lambda key: word(language, key),
        v=lambda raw: value(language, raw),
        colour=lambda severity: _HTML_COLOURS.get(severity or "", "#777"),
    )
    lines = [message.title, ""]
    if message.intro:
        lines += [message.intro, ""]
    for item in message.items:
        header = f"* {item.title}"
        lines.append(header)
        details = [f"{word(language, 'status')}: {value(language, item.status)}"]
        if item.client:
            details.insert(0, f"{word(language, 'client')}: {item.client}")
        if item.severity:
            details.append(f"{word(language, 'severity')}: {value(language, item.severity)}")
        if item.scope:
            details.append(f"{word(language, 'scope')}: {value(language, item.scope)}")
        lines.append("  " + " | ".join(details))
        if item.summary:
            lines.append(f"  {item.summary}")
        lines.extend(f"  {name}: {text}" for name, text in item.facts)
        lines.extend(f'  "{quote}"' for quote in item.quotes)
        lines.extend(f"  {link.label}: {link.url}" for link in item.links)
        lines.append("")
    lines.extend(f"{link.label}: {link.url}" for link in message.links)
    lines += ["", word(language, "footer")]
    return _clip(message.title.replace("\n", " "), 200), "\n".join(lines), html


def _mrkdwn(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: OutboundMessage) -> dict[str, Any]:
    """Block Kit within Slack's limits: ≤ 50 blocks, ≤ 3,000 characters a section, ≤ ~12,000 in all."""
    language = message.language
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(message.title, 150), "emoji": True}}
    ]
    if message.intro:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(_mrkdwn(message.intro), 3000)}})
    used = sum(len(json.dumps(block)) for block in blocks)
    shown = 0
    for item in message.items:
        parts = [f"{_EMOJI.get(item.severity or '', ':white_circle:')} *{_mrkdwn(item.title)}*"]
        meta = [value(language, item.status)]
        if item.client:
            meta.insert(0, f"{word(language, 'client')}: *{_mrkdwn(item.client)}*")
        if item.severity:
            meta.append(f"{word(language, 'severity')}: {value(language, item.severity)}")
        if item.scope:
            meta.append(f"{word(language, 'scope')}: {value(language, item.scope)}")
        parts.append(" · ".join(meta))
        if item.summary:
            parts.append(_mrkdwn(item.summary))
        parts.extend(f"• {_mrkdwn(name)}: {_mrkdwn(text)}" for name, text in item.facts)
        parts.extend(f"> {_mrkdwn(quote)}" for quote in item.quotes[:2])
        item_blocks: list[dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip("\n".join(parts), SLACK_SECTION_CHARS)}}
        ]
        if item.links:
            item_blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": _clip(link.label, 75)},
                            "url": link.url,
                        }
                        for link in item.links[:5]
                    ],
                }
            )
        size = sum(len(json.dumps(block)) for block in item_blocks)
        if len(blocks) + len(item_blocks) > SLACK_MAX_BLOCKS - 2 or used + size > SLACK_MESSAGE_CHARS - 500:
            break
        blocks.extend(item_blocks)
        used += size
        shown += 1
    if shown < len(message.items):
        more = word(language, "more").format(n=len(message.items) - shown)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": word(language, "footer")}]})
    return {"text": _clip(message.title, 300), "blocks": blocks}


def teams_payload(message: OutboundMessage) -> dict[str, Any]:
    """A Workflows webhook message with one Adaptive Card, kept under ~26 KB."""
    language = message.language
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": message.title, "weight": "Bolder", "size": "Large", "wrap": True}
    ]
    if message.intro:
        body.append({"type": "TextBlock", "text": message.intro, "wrap": True})
    actions: list[dict[str, Any]] = []
    shown = 0
    for item in message.items:
        facts = []
        if item.client:
            facts.append({"title": word(language, "client"), "value": item.client})
        facts.append({"title": word(language, "status"), "value": value(language, item.status)})
        if item.severity:
            facts.append({"title": word(language, "severity"), "value": value(language, item.severity)})
        if item.scope:
            facts.append({"title": word(language, "scope"), "value": value(language, item.scope)})
        facts.extend({"title": name, "value": text} for name, text in item.facts)
        block: list[dict[str, Any]] = [
            {
                "type": "TextBlock",
                "text": item.title,
                "weight": "Bolder",
                "color": _COLOURS.get(item.severity or "", "Default"),
                "wrap": True,
                "separator": True,
            },
            {"type": "FactSet", "facts": facts},
        ]
        if item.summary:
            block.append({"type": "TextBlock", "text": item.summary, "wrap": True})
        block.extend({"type": "TextBlock", "text": f"“{q}”", "isSubtle": True, "wrap": True} for q in item.quotes[:2])
        block.extend(
            {"type": "ActionSet", "actions": [{"type": "Action.OpenUrl", "title": link.label, "url": link.url}]}
            for link in item.links[:3]
        )
        if len(json.dumps(body + block)) > TEAMS_MAX_BYTES - 2000:
            break
        body.extend(block)
        shown += 1
    if shown < len(message.items):
        body.append({"type": "TextBlock", "text": word(language, "more").format(n=len(message.items) - shown)})
    actions.extend({"type": "Action.OpenUrl", "title": link.label, "url": link.url} for link in message.links[:3])
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def webhook_body(message: OutboundMessage) -> dict[str, Any]:
    """The Standard Webhooks body: a type, a timestamp and the data (the notification, machine-readable)."""
    return {
        "type": f"sigap.notification.{message.kind}",
        "timestamp": message.created_at.isoformat(),
        "data": {
            "notification_id": message.message_id,
            "tenant_id": message.tenant_id,
            "title": message.title,
            "language": message.language.value,
            "items": [item.model_dump(mode="json") for item in message.items],
        }
        | message.payload,
    }


def sns_parts(message: OutboundMessage) -> tuple[str, str]:
    """(subject ≤ 100 ASCII-safe characters, text ≤ 1,400 characters) for SMS, pagers and e-mail subscribers."""
    language = message.language
    lines = [message.title]
    for item in message.items:
        label = f"[{item.client}] " if item.client else ""
        lines.append(f"- {label}{item.title} ({value(language, item.severity)}, {value(language, item.status)})")
        lines.extend(f"  {link.label}: {link.url}" for link in item.links[:1])
    subject = " ".join(message.title.split())
    return _clip(subject, SNS_SUBJECT_CHARS), _clip("\n".join(lines), SNS_MESSAGE_CHARS)
