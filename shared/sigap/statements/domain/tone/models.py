"""What the tone check finds: a rule, its severity, the span of the text as written, and advice."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ToneRule(StrEnum):
    EMOTIONAL_TONE = "emotional_tone"
    LEGAL_THREAT = "legal_threat"
    BARE_DENIAL = "bare_denial"
    BLAMES_PUBLIC = "blames_public"
    SPECULATION = "speculation"
    MISSING_CONTACT = "missing_contact"
    MISSING_ACTION = "missing_action"
    MISSING_NEXT_UPDATE = "missing_next_update"
    LONG_SENTENCE = "long_sentence"
    JARGON = "jargon"


class FindingSeverity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0, description="Offset of the first character, in the text as written")
    end: int = Field(ge=0, description="Offset after the last character")
    text: str


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: ToneRule
    severity: FindingSeverity
    span: Span
    explanation: str
    suggestion: str


SEVERITY = {
    ToneRule.EMOTIONAL_TONE: FindingSeverity.ERROR,
    ToneRule.LEGAL_THREAT: FindingSeverity.ERROR,
    ToneRule.BARE_DENIAL: FindingSeverity.ERROR,
    ToneRule.BLAMES_PUBLIC: FindingSeverity.ERROR,
    ToneRule.SPECULATION: FindingSeverity.ERROR,
    ToneRule.MISSING_CONTACT: FindingSeverity.WARNING,
    ToneRule.MISSING_ACTION: FindingSeverity.WARNING,
    ToneRule.MISSING_NEXT_UPDATE: FindingSeverity.WARNING,
    ToneRule.LONG_SENTENCE: FindingSeverity.WARNING,
    ToneRule.JARGON: FindingSeverity.WARNING,
}

# (explanation, suggestion) per rule and language.
