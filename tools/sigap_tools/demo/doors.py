"""The doors the demo's mentions come through, as they would for a real brand: social, forum and review posts
from a listening tool's webhook (Sprinklr's envelope, signed with Standard Webhooks), contact-centre tickets from
a help desk's webhook (Zendesk's shape, the body's HMAC in a header), the hoax's forwarded e-mails as mail to the
local SMTP server (the e-mail door), and feed items through POST /mentions until the feed door exists."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import smtplib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from standardwebhooks import Webhook

from sigap_tools.client import ApiAnswer, SigapClient

LISTENING_TOOL = "listening-tool"  # the scenario's source names, kept as the sources' names
CONTACT_CENTRE = "contact-centre"
INBOUND_EMAIL = "inbound-email"
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
        return "api"

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
