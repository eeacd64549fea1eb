"""One mapping from any tool's JSON to Sigap's mentions, used by every door (signed webhooks, bulk import, the
backtest): JMESPath expressions (the `jmespath` package boto3 brings) name where each mention field is in a
record, and where the records are in a payload.

    Mapping(records="documents", fields={"id": "id", "text": "content || title", "created_at": "published_date"})

A payload that cannot be mapped says which field and which expression: "record 2: text: the expression
`content || title` found nothing". Values are read leniently (`lenient`): tools differ in spelling, not meaning.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, get_args

import jmespath
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sigap.ingest.mapping import lenient
from sigap.kernel.kinds import SourceChannel
from sigap.kernel.models import MAX_TEXT_CHARS, MENTION_ID_PATTERN, MentionIn

Target = Literal[
    "id",
    "text",
    "title",
    "created_at",
    "channel",
    "url",
    "language",
    "author",
    "author.handle",
    "author.followers",
    "author.verified",
    "engagement",
    "likes",
    "shares",
    "comments",
    "location",
    "country",
    "region",
    "city",
]
TARGETS: tuple[str, ...] = get_args(Target)
MAX_EXPRESSION_CHARS = 500
_ID = re.compile(MENTION_ID_PATTERN)


@lru_cache(maxsize=1024)
def compiled(expression: str) -> ParsedResult:
    """The parsed expression (parsing once per expression, not once per record)."""
    return jmespath.compile(expression)


class Mapping(BaseModel):
    """Where a tool's payload holds its mentions and each mention's fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    records: str | None = Field(
        default=None,
        max_length=MAX_EXPRESSION_CHARS,
        description="JMESPath to the records in a payload, e.g. 'documents'. Without it a JSON object is one "
        "record and a JSON array a list of them",
    )
    fields: dict[Target, str] = Field(
        description="Mention field → JMESPath expression evaluated on each record, e.g. {'text': 'content || "
        "title'}. `text` is required, and `created_at` unless received_time_if_missing; `id` defaults to a hash of "
        "the record's text, author, time and URL (so a resent record is still one mention)",
    )
    id_prefix: str = Field(
        default="",
        max_length=40,
        pattern=r"^[A-Za-z0-9._:-]*$",
        description="Put before every id, naming the tool's id space: 'zendesk:' keeps ticket 42 apart from "
        "another tool's mention 42, while the same record through a webhook and an import stays one mention",
    )
    timezone: str | None = Field(
        default=None,
        max_length=20,
        description="The UTC offset ('+07:00', 'UTC') of times the tool writes without one; without it such a "
        "time is refused",
    )
    received_time_if_missing: bool = Field(
        default=False,
        description="A record without a time is taken as published when received (tools that push as it happens)",
    )

    @field_validator("records")
    @classmethod
    def _records_expression(cls, value: str | None) -> str | None:
        if value is not None:
            _check_expression(value)
        return value

    @field_validator("fields")
    @classmethod
    def _field_expressions(cls, value: dict[str, str]) -> dict[str, str]:
        for name, expression in value.items():
            if len(expression) > MAX_EXPRESSION_CHARS:
                raise ValueError(f"{name}: the expression is longer than {MAX_EXPRESSION_CHARS} characters")
            try:
                _check_expression(expression)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from exc
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            lenient.zone(value)
        return value

    @model_validator(mode="after")
    def _required_fields(self) -> Mapping:
        if "text" not in self.fields and "title" not in self.fields:
            raise ValueError("fields: map 'text' (or 'title'): a mention without text cannot be scored")
        if "created_at" not in self.fields and not self.received_time_if_missing:
            raise ValueError("fields: map 'created_at', or set received_time_if_missing")
        return self


def _check_expression(expression: str) -> None:
    if not expression.strip():
        raise ValueError("the expression is empty")
    try:
        compiled(expression)
    except JMESPathError as exc:
        raise ValueError(f"`{expression}` is not a JMESPath expression ({exc})") from exc


class RecordProblem(BaseModel):
    """Why one record of a payload did not become a mention."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    record: int = Field(description="The record's position in the payload (from 0) or the file's line number")
    field: str = Field(description="The mention field, e.g. 'text' or 'author.followers'")
    expression: str | None = Field(description="The mapping's expression for that field, if it has one")
    problem: str

    def as_field_problem(self) -> tuple[str, str]:
        """The problem as an API error names a field: ('records[2].text', 'found nothing (expression `x`)')."""
        where = f" (expression `{self.expression}`)" if self.expression else ""
        return f"records[{self.record}].{self.field}", self.problem + where

    def line(self) -> str:
        where = f" (expression `{self.expression}`)" if self.expression else ""
        return f"record {self.record}: {self.field}{where}: {self.problem}"


@dataclass
class Mapped:
    mentions: list[MentionIn] = field(default_factory=list)
    rejected: list[RecordProblem] = field(default_factory=list)


class UnmappablePayloadError(ValueError):
    """The payload has no records where the mapping looks for them."""

    def __init__(self, problem: RecordProblem) -> None:
        super().__init__(problem.line())
        self.problem = problem


def records_of(payload: Any, mapping: Mapping) -> list[Any]:
    if mapping.records is None:
        return payload if isinstance(payload, list) else [payload]
    found = _search(mapping.records, payload)
    if isinstance(found, list):
        return found
    if isinstance(found, dict):
        return [found]
    problem = "found nothing in the payload" if found is None else f"found a {type(found).__name__}, not records"
    raise UnmappablePayloadError(RecordProblem(record=0, field="records", expression=mapping.records, problem=problem))


def _search(expression: str, value: Any) -> Any:
    try:
        return compiled(expression).search(value)
    except JMESPathError as exc:  # a function given a value of the wrong type, e.g. join() on a number
        raise _ExpressionFailedError(str(exc)) from exc


class _ExpressionFailedError(ValueError):
    pass


def content_id(values: dict[str, Any]) -> str:
    """A record without an id is named by what it says, who said it, when and where: a resent copy is the same."""
    basis = json.dumps([values.get(key) for key in ("text", "title", "author", "created_at", "url")], default=str)
    return "h-" + hashlib.blake2b(basis.encode(), digest_size=12).hexdigest()


def _as_id(value: object, prefix: str) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        return value
    identifier = prefix + value.strip()
    if _ID.match(identifier):
        return identifier
    # An id with spaces or other characters, or too long: named by its hash, the same for every copy.
    return "h-" + hashlib.blake2b(identifier.encode(), digest_size=12).hexdigest()


def _text(values: dict[str, Any]) -> object:
    text, title = values.get("text"), values.get("title")
    if isinstance(text, list):
        text = "\n".join(str(part) for part in text if part)
    title = title.strip() if isinstance(title, str) else None
    if isinstance(text, str) and text.strip():
        joined = text if not title or text.strip().startswith(title) else f"{title}\n\n{text}"
        return joined[:MAX_TEXT_CHARS]
    return title or text


def mention_fields(
    values: dict[str, Any],
    mapping: Mapping,
    *,
    source: str,
    channel: SourceChannel,
    received_at: datetime,
    fallback_id: str | None = None,
) -> dict[str, Any]:
    """The mention, as MentionIn validates it, from the values the expressions found (lenient readings)."""
    zone = lenient.zone(mapping.timezone) if mapping.timezone else None
    found = {name: value for name, value in values.items() if value not in (None, "")}
    mention: dict[str, Any] = {"source": source, "channel": channel}
    mention["id"] = _as_id(found["id"], mapping.id_prefix) if "id" in found else fallback_id or content_id(values)
    text = _text(values)
    if text is not None:
        mention["text"] = text
    if "created_at" in found:
        mention["created_at"] = lenient.published(found["created_at"], zone)
    elif mapping.received_time_if_missing:
        mention["created_at"] = received_at.isoformat()
    if "channel" in found:
        mention["channel"] = lenient.channel(found["channel"])
    if "url" in found:
        mention["url"] = found["url"]
    if "language" in found:
        mention["language"] = lenient.language(found["language"])
    author = lenient.author(found["author"]) if "author" in found else {}
    overrides = lenient.author({part: found[f"author.{part}"] for part in ("handle", "followers", "verified")
                                if f"author.{part}" in found})  # fmt: skip
    if isinstance(author, dict) and isinstance(overrides, dict):
        author = author | overrides
    if author:
        mention["author"] = author
    engagement = lenient.engagement(values["engagement"]) if isinstance(values.get("engagement"), dict) else {}
    for part in ("likes", "shares", "comments"):
        if values.get(part) is not None and isinstance(engagement, dict):
            engagement[part] = lenient.count(values[part])
    if engagement:
        mention["engagement"] = engagement
    location = lenient.location(found["location"]) if "location" in found else None
    parts = {part: found[part] for part in ("country", "region", "city") if part in found}
    if parts:
        location = lenient.location((location if isinstance(location, dict) else {}) | parts)
    if location:
        mention["location"] = location
    return mention


def map_payload(
    payload: Any, mapping: Mapping, *, source: str, channel: SourceChannel, received_at: datetime
) -> Mapped:
    """Every record of a payload as a mention, or as the problem that kept it from being one."""
    mapped = Mapped()
    for position, record in enumerate(records_of(payload, mapping)):
        outcome = map_record(record, mapping, position, source=source, channel=channel, received_at=received_at)
        if isinstance(outcome, MentionIn):
            mapped.mentions.append(outcome)
        else:
            mapped.rejected.extend(outcome)
    return mapped


def map_record(
    record: Any,
    mapping: Mapping,
    position: int,
    *,
    source: str,
    channel: SourceChannel,
    received_at: datetime,
    fallback_id: str | None = None,
) -> MentionIn | list[RecordProblem]:
    """One record as a mention, or every problem that keeps it from being one."""
    if not isinstance(record, dict):
        kind = "null" if record is None else type(record).__name__
        return [
            RecordProblem(
                record=position, field="record", expression=mapping.records, problem=f"is a {kind}, not a JSON object"
            )
        ]
    values: dict[str, Any] = {}
    for name, expression in mapping.fields.items():
        try:
            values[name] = _search(expression, record)
        except _ExpressionFailedError as exc:
            return [RecordProblem(record=position, field=name, expression=expression, problem=f"failed: {exc}")]
    fields = mention_fields(
        values, mapping, source=source, channel=channel, received_at=received_at, fallback_id=fallback_id
    )
    try:
        return MentionIn.model_validate(fields)
    except ValidationError as exc:
        return list(_problems(exc, mapping, position, values))


def _problems(exc: ValidationError, mapping: Mapping, position: int, values: dict[str, Any]) -> Iterator[RecordProblem]:
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        name = ".".join(location) or "record"
        expression = _expression_for(location, mapping)
        problem = str(error["msg"])
        if error["type"] == "missing":
            problem = "found nothing in the record" if expression else "is required and the mapping does not map it"
        elif "input" in error and error["type"] != "missing":
            shown = json.dumps(error["input"], default=str, ensure_ascii=False)
            problem = f"{problem} (found {shown[:80]})"
        yield RecordProblem(record=position, field=name, expression=expression, problem=problem)


def _expression_for(location: list[str], mapping: Mapping) -> str | None:
    fields: dict[str, str] = {str(name): expression for name, expression in mapping.fields.items()}
    for depth in range(len(location), 0, -1):
        name = ".".join(location[:depth])
        if name in fields:
            return fields[name]
        if location[0] == "engagement" and depth == 2 and location[1] in fields:
            return fields[location[1]]
        if location[0] == "location" and depth == 2 and location[1] in fields:
            return fields[location[1]]
    if location[:1] == ["text"] and "title" in fields:
        return fields["title"]
    return None
