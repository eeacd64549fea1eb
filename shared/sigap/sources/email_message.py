"""Reading an e-mail as the mentions it carries, with the standard library's `email` package (RFC 5322 and MIME,
its default policy) and `html.parser` for HTML-only mail: no third-party parser is needed for what is read here.

- the sender, the subject, the date, `List-Id` (and `List-Post`, `Mailing-List`) naming the mailing list it came
  through;
- the text written in this message, without a signature ("-- " and the lines under it, "Sent from my ...") or
  quoted replies ("On ... wrote:" and "> " lines);
- each **forwarded layer**: Gmail's "---------- Forwarded message ---------", Outlook's "-----Original
  Message-----" and "From: ... Sent: ..." blocks, Apple Mail's "Begin forwarded message:", a "> "-quoted forward,
  and a forwarded `message/rfc822` attachment, down to the original: its text, its author, and the forward depth
  (at least the number of "Fwd:"/"FW:" on the subject). A hoax forwarded ten times is then ten mentions with the
  same original text (one story), each by the person who forwarded it;
- digests: a `multipart/digest` and a plain-text digest (RFC 1153: messages between lines of 30 dashes) are one
  mention per message, a broken part reported and the rest kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser, Parser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

MAX_PARTS = 200  # messages in one digest, forwards in one chain: beyond this, the rest is reported, not read
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024  # a forwarded message or text part larger than this is skipped and counted

_FORWARD_PREFIX = re.compile(r"^\s*(?:(?:fwd?|fw|tr|wg|rv|i)\s*:\s*)", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|sv|balas)\s*:\s*)", re.IGNORECASE)
_FORWARD_MARKERS = re.compile(
    r"^[ \t>]*(?:-{2,}\s*(?:forwarded message|original message|pesan yang diteruskan|pesan asli)\s*-{2,}"
    r"|begin forwarded message:|-{5,}\s*forwarded by .*)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(r"^[ \t>]*(from|dari|sent|date|tanggal|to|kepada|cc|subject|subjek|perihal)\s*:\s*(.*)$",
                          re.IGNORECASE)  # fmt: skip
_REPLY_INTRO = re.compile(r"^\s*(?:on .{5,200} wrote:|pada .{5,200} menulis:)\s*$", re.IGNORECASE | re.MULTILINE)
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)
_MOBILE = re.compile(r"^\s*(?:sent from my .{1,40}|dikirim dari .{1,40}|get outlook for .{1,40})\s*$",
                     re.IGNORECASE | re.MULTILINE)  # fmt: skip
_DIGEST_SEPARATOR = re.compile(r"^-{30}\s*$", re.MULTILINE)


@dataclass
class EmailMention:
    """One message read as a mention: what it says and who wrote it, and where it came from."""

    message_id: str
    sender: str
    subject: str
    text: str  # the original's subject and text: what was forwarded, without the forwarders' additions
    sent_at: datetime | None
    list_id: str | None
    forward_depth: int
    original_author: str | None
    note: str = ""  # the forwarder's own words, if any ("Bener gak nih?")


@dataclass
class ReadEmail:
    mentions: list[EmailMention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped_attachments: int = 0


class _Text(HTMLParser):
    """An HTML body's text: block elements become line breaks, scripts and styles are dropped."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    reader = _Text()
    reader.feed(html)
    reader.close()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in "".join(reader.parts).splitlines())).strip()


def read_email(raw: bytes) -> ReadEmail:
    """Every mention an e-mail carries (one, or one per digest message), and what could not be read."""
    read = ReadEmail()
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:
        read.problems.append(f"not an e-mail message: {exc}")
        return read
    _read_message(message, read, depth=0)
    return read


def _read_message(message: EmailMessage, read: ReadEmail, depth: int, through: str | None = None) -> None:
    """`through`: the list a digest came from, which its messages came through too."""
    through = _list_of(message) or through
    if depth > 3 or len(read.mentions) >= MAX_PARTS:
        read.problems.append("more messages than one e-mail may carry: the rest were not read")
        return
    if message.get_content_type() == "multipart/digest":
        for index, part in enumerate(message.iter_parts()):
            inner = _attached_message(part, read)
            if inner is None:
                read.problems.append(f"digest part {index + 1} is not a message")
                continue
            _read_message(inner, read, depth + 1, through)
        return
    body = _body_text(message, read)
    if _is_plain_digest(message, body):
        for index, chunk in enumerate(_DIGEST_SEPARATOR.split(body)[1:]):
            part = Parser(policy=policy.default).parsestr(chunk.strip("\n") + "\n")
            if not part.get("from"):
                if chunk.strip() and not chunk.strip().lower().startswith("end of"):
                    read.problems.append(f"digest message {index + 1} has no From: header")
                continue
            _read_message(part, read, depth + 1, through)
        return
    if not any(message.get(name) for name in ("from", "date", "subject", "message-id")):
        read.problems.append("no From, Date, Subject or Message-ID header: not an e-mail message")
        return
    mention = _mention_of(message, body, read, through)
    if mention is None:
        read.problems.append(f"message {message.get('message-id', '(no Message-ID)')} has no text")
    else:
        read.mentions.append(mention)


def _attached_message(part: MIMEPart, read: ReadEmail) -> EmailMessage | None:
    if part.get_content_type() != "message/rfc822":
        return None
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, EmailMessage):
        return None
    if len(inner.as_bytes()) > MAX_ATTACHMENT_BYTES:
        read.skipped_attachments += 1
        return None
    return inner


def _body_text(message: EmailMessage, read: ReadEmail) -> str:
    """The message's own text: its plain part (or its HTML part as text), attachments other than a forwarded
    message left aside (counted when too large to look at)."""
    for part in message.walk():
        if part.get_content_disposition() == "attachment" and part.get_content_type() != "message/rfc822":
            size = len(part.get_payload(decode=True) or b"")
            if size > MAX_ATTACHMENT_BYTES:
                read.skipped_attachments += 1
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, UnicodeDecodeError, AssertionError):
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    text = html_text(content) if body.get_content_type() == "text/html" else str(content)
    return text.replace("\r\n", "\n")


def _is_plain_digest(message: EmailMessage, body: str) -> bool:
    return "digest" in str(message.get("subject", "")).lower() and len(_DIGEST_SEPARATOR.findall(body)) >= 2


def _without_signature(text: str) -> str:
    for pattern in (_SIGNATURE, _MOBILE):
        found = pattern.search(text)
        if found:
            text = text[: found.start()]
    return text.strip()


def _unquoted(text: str) -> str:
    return "\n".join(re.sub(r"^> ?", "", line) for line in text.splitlines())


@dataclass
class _Layer:
    author: str | None
    subject: str | None
    text: str


def _layers(text: str) -> tuple[str, list[_Layer]]:
    """The message's own words, and each forwarded layer below them (outermost first)."""
    layers: list[_Layer] = []
    own: str | None = None
    rest = text
    for _ in range(MAX_PARTS):
        marker = _FORWARD_MARKERS.search(rest)
        header_block = None if marker else _outlook_header_block(rest)
        if marker is None and header_block is None:
            break
        start, end = (marker.start(), marker.end()) if marker else header_block  # type: ignore[misc]
        before, after = rest[:start], rest[end:]
        if own is None:
            own = before
        elif layers:
            layers[-1].text = before
        if after.lstrip().startswith(">") and all(
            line.startswith(">") or not line.strip() for line in after.strip().splitlines()[:3]
        ):
            after = _unquoted(after)
        author, subject, after = _forwarded_headers(after)
        layers.append(_Layer(author=author, subject=subject, text=after))
        rest = after
    if own is None:
        own = text
    return own, layers


def _outlook_header_block(text: str) -> tuple[int, int] | None:
    """An Outlook-style forward with no marker line: 'From: ...' then 'Sent:' or 'Date:' within the next lines."""
    lines = text.splitlines(keepends=True)
    offset = 0
    for index, line in enumerate(lines):
        found = _HEADER_LINE.match(line.rstrip("\n"))
        if found and found.group(1).lower() in ("from", "dari") and index > 0:
            following = [_HEADER_LINE.match(other.rstrip("\n")) for other in lines[index + 1 : index + 4]]
            names = {match.group(1).lower() for match in following if match}
            if names & {"sent", "date", "tanggal"}:
                return offset, offset
        offset += len(line)
    return None


def _forwarded_headers(text: str) -> tuple[str | None, str | None, str]:
    """The 'From:/Date:/Subject:/To:' block that opens a forwarded layer, and the text under it."""
    author = subject = None
    lines = text.lstrip("\n").splitlines()
    index = 0
    while index < len(lines) and index < 12:
        found = _HEADER_LINE.match(lines[index])
        if not found:
            if lines[index].strip() or index == 0:
                break
            index += 1
            continue
        name, value = found.group(1).lower(), found.group(2).strip()
        if name in ("from", "dari") and author is None:
            author = parseaddr(value)[1] or value or None
        elif name in ("subject", "subjek", "perihal") and subject is None:
            subject = value
        index += 1
    return author, subject, "\n".join(lines[index:])


def _bare_subject(subject: str) -> tuple[str, int]:
    """The subject without its "Fwd:"/"Re:" prefixes, and how many forwards they say it went through."""
    forwards = 0
    while True:
        forwarded = _FORWARD_PREFIX.match(subject)
        replied = _REPLY_PREFIX.match(subject) if not forwarded else None
        if not forwarded and not replied:
            return subject.strip(), forwards
        forwards += 1 if forwarded else 0
        subject = subject[(forwarded or replied).end() :]  # type: ignore[union-attr]


def _mention_of(message: EmailMessage, body: str, read: ReadEmail, through: str | None) -> EmailMention | None:
    sender = parseaddr(str(message.get("from", "")))[1] or str(message.get("from", "")).strip() or "unknown"
    subject, subject_forwards = _bare_subject(str(message.get("subject", "") or ""))
    own, layers = _layers(body)
    attached = [inner for part in message.iter_attachments() if (inner := _attached_message(part, read))]
    for inner in attached[:1]:  # a message forwarded as an attachment: its own layers continue the chain
        inner_subject, _ = _bare_subject(str(inner.get("subject", "") or ""))
        inner_own, inner_layers = _layers(_body_text(inner, read))
        layers.append(_Layer(parseaddr(str(inner.get("from", "")))[1] or None, inner_subject, inner_own))
        layers.extend(inner_layers)
    original = layers[-1] if layers else None
    original_text = _without_signature(_reply_text(original.text if original else own))
    original_subject = _bare_subject(original.subject)[0] if original and original.subject else subject
    note = _without_signature(_reply_text(own)) if layers else ""
    if not original_text and not original_subject:
        return None
    text = original_text if original_text.startswith(original_subject) else f"{original_subject}\n\n{original_text}"
    return EmailMention(
        message_id=str(message.get("message-id", "") or "").strip().strip("<>") or _content_id(sender, text),
        sender=sender,
        subject=subject,
        text=text.strip(),
        sent_at=_date(message),
        list_id=through,
        forward_depth=max(len(layers), subject_forwards),
        original_author=original.author if original else None,
        note=note,
    )


def _reply_text(text: str) -> str:
    """A reply's own words: what comes before 'On ... wrote:' and the '>' lines under it."""
    intro = _REPLY_INTRO.search(text)
    kept = text[: intro.start()] if intro else text
    return "\n".join(line for line in kept.splitlines() if not line.lstrip().startswith(">")).strip()


def _date(message: EmailMessage) -> datetime | None:
    try:
        value = parsedate_to_datetime(str(message.get("date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else None


def _list_of(message: EmailMessage) -> str | None:
    for header in ("list-id", "list-post", "mailing-list", "x-mailing-list"):
        value = message.get(header)
        if value:
            found = re.search(r"<([^>]+)>", str(value))
            return (found.group(1) if found else str(value)).strip()[:200]
    return None


def _content_id(sender: str, text: str) -> str:
    return hashlib.blake2b(f"{sender}\x00{text}".encode(), digest_size=12).hexdigest()


def recipients(message_bytes: bytes) -> list[str]:
    """The addresses a message was delivered to, most reliable first: Delivered-To, X-Original-To, the
    'for <address>' of Received lines (SES and most servers name the envelope recipient there), To and Cc."""
    headers = BytesParser(policy=policy.compat32).parsebytes(message_bytes, headersonly=True)
    found: list[str] = []
    for name in ("delivered-to", "x-original-to"):
        found += [address for _, address in getaddresses(headers.get_all(name, []))]
    for received in headers.get_all("received", []):
        found += re.findall(r"\bfor\s+<?([^\s<>;]+@[^\s<>;]+)>?", str(received))
    for name in ("to", "cc"):
        found += [address for _, address in getaddresses(headers.get_all(name, []))]
    return [address.lower() for address in found if "@" in address]
