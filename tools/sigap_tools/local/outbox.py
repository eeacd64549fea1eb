"""`sigap outbox`: the e-mails the local stack "sent". moto's SES keeps every message it accepted; its server's
`/moto-api/data.json` lists them (subject, source, destinations, HTML body), which is all a reader needs."""

from __future__ import annotations

import email
import email.policy
import html
import json
import re
import urllib.request
from pathlib import Path
from typing import Any

from sigap_tools.local.state_file import StaleStateError, read_state

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t]*\n\s*\n\s*")


def sent_emails(ses_endpoint: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{ses_endpoint}/moto-api/data.json", timeout=10) as answer:  # noqa: S310 - local
        data = json.loads(answer.read())
    ses = data.get("ses") or {}
    messages: list[dict[str, Any]] = list(ses.get("Message", []))
    for raw in ses.get("RawMessage", []):  # statement e-mail is sent raw (its own List-Unsubscribe headers)
        parsed = email.message_from_string(str(raw.get("raw_data", "")), policy=email.policy.default)
        text = parsed.get_body(preferencelist=("html", "plain"))
        messages.append(
            {
                "source": raw.get("source"),
                "destinations": {"ToAddresses": [str(parsed["To"] or "")]},
                "subject": str(parsed["Subject"] or ""),
                "body": text.get_content() if text is not None else "",
                "raw_data": raw.get("raw_data"),
            }
        )
    return messages


def as_text(body: str) -> str:
    """The HTML body as readable text: paragraphs kept, tags dropped."""
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|h[1-6]|li|tr)>", "\n", body)
    text = re.sub(r"(?i)</t[hd]>", " ", text)  # table cells: "Teramati 14", not "Teramati14"
    return _SPACE.sub("\n\n", html.unescape(_TAG.sub("", text))).strip()


def print_outbox(state_dir: Path, limit: int, *, as_json: bool = False) -> int:
    try:
        state = read_state(state_dir)
    except StaleStateError as stale:
        print(stale)
        return 1
    if state is None:
        print("no local stack is running here: start one with 'sigap up'")
        return 1
    messages = sent_emails(state["endpoints"]["ses"])[-limit:]
    if as_json:
        for message in messages:
            print(json.dumps(message, ensure_ascii=False))
        return 0
    if not messages:
        print("The outbox is empty: no e-mail has been sent.")
    for message in messages:
        to = ", ".join((message.get("destinations") or {}).get("ToAddresses", []))
        print(f"From: {message.get('source')}\nTo: {to}\nSubject: {message.get('subject')}\n")
        print(as_text(str(message.get("body", ""))))
        print("-" * 72)
    return 0
