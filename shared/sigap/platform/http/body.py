"""Reading a request body before Powertools does: bytes to UTF-8 text to JSON, with every way that can fail
answered as a 4xx naming the problem.

Powertools decodes and parses the body inside its validation middleware, where a binary body raises
UnicodeDecodeError, a 100,000-deep array RecursionError and a 5,000-digit number ValueError: each a 500. Here
each is a `BodyProblem`, and the body Powertools then sees is plain JSON text with a JSON content type.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

# JSON nested deeper than this is refused: no mention needs it, and DynamoDB's own documents stop at 32.
MAX_DEPTH = 32
# Media types a JSON body may be sent as: JSON itself (any case, any parameters, any +json type), and the
# text/plain and no type at all that simple HTTP clients and shell scripts send. `curl -d` labels every body
# application/x-www-form-urlencoded: such a body is read as JSON too, and refused (415) only if it is not JSON.
_JSON_TYPES = ("application/json", "text/plain", "")
_FORM = "application/x-www-form-urlencoded"
FORM_MEDIA_TYPE = _FORM


@dataclass(frozen=True)
class BodyProblem(Exception):  # noqa: N818 - an answer to give, not a fault
    status: HTTPStatus
    code: str
    message: str


def form_as_json(raw: bytes) -> bytes:
    """An HTML form's fields (application/x-www-form-urlencoded) as a JSON object; a repeated field keeps its
    last value. A body that is JSON already (curl's -d labels JSON as a form) is left as it is."""
    if raw.lstrip()[:1] in (b"{", b"["):
        return raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyProblem(
            HTTPStatus.BAD_REQUEST, "malformed_body", f"the form is not UTF-8 text (byte {exc.start} is not)"
        ) from exc
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, max_num_fields=50))
    except ValueError as exc:
        raise BodyProblem(HTTPStatus.BAD_REQUEST, "malformed_body", "the form has more than 50 fields") from exc
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_media_type(content_type: str | None) -> bool:
    kind = media_type(content_type)
    return kind in _JSON_TYPES or kind.endswith("+json")


def body_bytes(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BodyProblem(
                HTTPStatus.BAD_REQUEST, "malformed_body", "the body's base64 encoding is invalid"
            ) from exc
    return str(body).encode("utf-8", "surrogatepass")


def json_text(raw: bytes, content_type: str | None, reshape: Callable[[Any], Any] | None = None) -> str:
    """The body as JSON text, checked to parse, nest at most MAX_DEPTH levels and hold only valid Unicode;
    `reshape`, if given, rewrites the parsed value first (a route's alternative shapes made its canonical one)."""
    refusal = BodyProblem(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        f"the body must be JSON (Content-Type: application/json), not {media_type(content_type)!r}",
    )
    form = media_type(content_type) == _FORM
    if not (is_json_media_type(content_type) or form):
        raise refusal
    if form and raw.lstrip()[:1] not in (b"{", b"["):
        raise refusal  # real form data (a=1&b=2), not JSON that curl labelled as a form
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyProblem(
            HTTPStatus.BAD_REQUEST, "malformed_body", f"the body is not UTF-8 text (byte {exc.start} is not)"
        ) from exc
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise _too_deep() from exc
    except ValueError as exc:  # JSONDecodeError, and integers past Python's 4,300-digit limit
        raise BodyProblem(HTTPStatus.BAD_REQUEST, "malformed_json", f"the body is not valid JSON: {exc}") from exc
    _check_nesting_and_text(value)
    if reshape is None:
        return text
    reshaped = reshape(value)
    return text if reshaped is value else json.dumps(reshaped, ensure_ascii=False)


def _too_deep() -> BodyProblem:
    return BodyProblem(HTTPStatus.BAD_REQUEST, "too_deep", f"the body nests JSON more than {MAX_DEPTH} levels deep")


def _check_nesting_and_text(value: Any) -> None:
    # Iterative, so the check itself cannot overflow the stack.
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict):
            if depth > MAX_DEPTH:
                raise _too_deep()
            pending.extend((key, depth) for key in node)
            pending.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            if depth > MAX_DEPTH:
                raise _too_deep()
            pending.extend((child, depth + 1) for child in node)
        elif isinstance(node, str) and not node.isascii():
            try:
                node.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise BodyProblem(
                    HTTPStatus.BAD_REQUEST,
                    "malformed_json",
                    "the body holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which is not text",
                ) from exc


def header(event: Mapping[str, Any], name: str) -> str | None:
    headers = event.get("headers") or {}
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return None
