"""The tone check: what crisis guidance warns a statement against, in Indonesian and English, informal spellings
included. Each finding names its rule, a severity (errors block approval unless overridden with a reason), the
offending span, an explanation and a suggestion, in the statement's language.

Rules match on a normalised copy of the text (lower case, letters repeated three times or more collapsed: "bohonggg"
reads "bohong", "hoaxxx" reads "hoax") whose every character remembers where it came from, so spans point at the
text the author wrote. Rules that look for something missing (a contact, an action, the next update) report an
empty span at the start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sigap.kernel.language import Language, writing_language
from sigap.statements.domain.tone.advice import ADVICE
from sigap.statements.domain.tone.models import SEVERITY, Finding, FindingSeverity, Span, ToneRule
from sigap.statements.domain.tone.patterns import (
    ACTION,
    ANGER,
    BLAMES,
    BLAMES_REVERSED,
    CAUSE,
    CAUSED_BY_PUBLIC,
    CONTACT,
    CREDENTIALS_BLAMED,
    DENIAL,
    EVIDENCE,
    EXCLAMATIONS,
    FIRST_PERSON,
    HAPPENS_WHEN_PUBLIC,
    INSULTS,
    JARGON,
    LEGAL_THREAT,
    NEGATION,
    NEXT_UPDATE,
    NO_EVIDENCE_OF,
    NON_APOLOGY,
    PATRONISING,
    SARCASM,
    SPECULATION_ALONE,
    SPECULATION_HEDGE,
    TIME,
    compiled,
    shouting,
)

LONG_SENTENCE_WORDS = 45


class _Text:
    """A normalised copy of the text that maps each of its characters back to the original."""

    def __init__(self, original: str) -> None:
        self.original = original
        chars: list[str] = []
        origin: list[int] = []
        index = 0
        while index < len(original):
            lowered = original[index].lower()
            if len(lowered) != 1:
                lowered = original[index]
            run_end = index + 1
            while run_end < len(original) and original[run_end].lower() == lowered:
                run_end += 1
            # A letter typed three or more times in a row is one letter ("hoaksss", "bodooo"); doubles stay
            # ("maaf", "saat").
            repeats = 1 if lowered.isalpha() and run_end - index >= 3 else run_end - index
            for offset in range(repeats):
                chars.append(lowered)
                origin.append(index + offset)
            index = run_end
        self.normal = "".join(chars)
        self.origin = origin

    def span(self, start: int, end: int) -> Span:
        if start >= end:
            return Span(start=0, end=0, text="")
        first = self.origin[start]
        last = self.origin[end - 1] + 1
        while last < len(self.original) and self.original[last].lower() == self.original[last - 1].lower():
            if not self.original[last].isalpha():
                break
            last += 1  # the dropped copies of a repeated letter belong to the span
        return Span(start=first, end=last, text=self.original[first:last])


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)


@dataclass(frozen=True)
class _Hit:
    rule: ToneRule
    start: int
    end: int


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    for match in _SENTENCE.finditer(text):
        if match.group().strip():
            yield match.start(), match.end()


def _emotional(text: _Text) -> Iterator[_Hit]:
    for start, end in shouting(text.original):
        # shouting works on the original (it needs the capitals); map back through the normalised offsets.
        yield _Hit(ToneRule.EMOTIONAL_TONE, _normal_offset(text, start), _normal_offset(text, end))
    for pattern in (EXCLAMATIONS, INSULTS, SARCASM, ANGER):
        for match in pattern.finditer(text.normal):
            yield _Hit(ToneRule.EMOTIONAL_TONE, match.start(), match.end())


def _normal_offset(text: _Text, original_offset: int) -> int:
    for index, origin in enumerate(text.origin):
        if origin >= original_offset:
            return index
    return len(text.origin)


def _legal(text: _Text) -> Iterator[_Hit]:
    for match in LEGAL_THREAT.finditer(text.normal):
        yield _Hit(ToneRule.LEGAL_THREAT, match.start(), match.end())


_CONTACT_URL = compiled(r"https?://\S*(?:bantuan|help|support|contact|kontak|pengaduan|hubungi)\S*")


def _bare_denial(text: _Text) -> Iterator[_Hit]:
    # A link to the help desk is a way to complain, not evidence.
    if EVIDENCE.search(_CONTACT_URL.sub(" ", text.normal)):
        return
    for match in DENIAL.finditer(text.normal):
        yield _Hit(ToneRule.BARE_DENIAL, match.start(), match.end())


def _blames(text: _Text) -> Iterator[_Hit]:
    for start, end in _sentences(text.normal):
        sentence = text.normal[start:end]
        for match in BLAMES.finditer(sentence):
            if FIRST_PERSON.search(match.group("gap")):
                continue  # "customers ... we failed to": the company blames itself
            if NEGATION.search(sentence[max(0, match.start() - 20) : match.start("blame")]):
                continue  # "not the customers' fault"
            yield _Hit(ToneRule.BLAMES_PUBLIC, start + match.start(), start + match.end())
        for pattern in (
            BLAMES_REVERSED,
            CAUSED_BY_PUBLIC,
            HAPPENS_WHEN_PUBLIC,
            CREDENTIALS_BLAMED,
            NON_APOLOGY,
            PATRONISING,
        ):
            for match in pattern.finditer(sentence):
                yield _Hit(ToneRule.BLAMES_PUBLIC, start + match.start(), start + match.end())


def _speculation(text: _Text) -> Iterator[_Hit]:
    for start, end in _sentences(text.normal):
        sentence = text.normal[start:end]
        for match in SPECULATION_ALONE.finditer(sentence):
            if NO_EVIDENCE_OF.search(sentence[: match.start()][-40:]):
                continue  # "there is no evidence of sabotage"
            yield _Hit(ToneRule.SPECULATION, start + match.start(), start + match.end())
        if CAUSE.search(sentence):
            for match in SPECULATION_HEDGE.finditer(sentence):
                if NO_EVIDENCE_OF.search(sentence[: match.start()][-12:]):
                    continue
                yield _Hit(ToneRule.SPECULATION, start + match.start(), start + match.end())


def _missing(text: _Text) -> Iterator[_Hit]:
    if not CONTACT.search(text.normal):
        yield _Hit(ToneRule.MISSING_CONTACT, 0, 0)
    if not ACTION.search(text.normal):
        yield _Hit(ToneRule.MISSING_ACTION, 0, 0)
    promised = any(
        NEXT_UPDATE.search(text.normal[start:end]) and TIME.search(text.normal[start:end])
        for start, end in _sentences(text.normal)
    )
    if not promised:
        yield _Hit(ToneRule.MISSING_NEXT_UPDATE, 0, 0)


def _readability(text: _Text) -> Iterator[_Hit]:
    for start, end in _sentences(text.normal):
        if len(re.findall(r"\w+", text.normal[start:end])) > LONG_SENTENCE_WORDS:
            yield _Hit(ToneRule.LONG_SENTENCE, start, end)
    for match in JARGON.finditer(text.normal):
        yield _Hit(ToneRule.JARGON, match.start(), match.end())


_CHECKS: tuple[Callable[[_Text], Iterator[_Hit]], ...] = (
    _emotional,
    _legal,
    _bare_denial,
    _blames,
    _speculation,
    _missing,
    _readability,
)


def check(text: str, language: Language | None = None) -> list[Finding]:
    """Every finding on one statement text (Markdown or plain), in the order they appear."""
    normalised = _Text(text)
    advice_language = language or writing_language(text)
    findings: list[Finding] = []
    seen: set[tuple[ToneRule, int, int]] = set()
    for check_one in _CHECKS:
        for hit in check_one(normalised):
            span = normalised.span(hit.start, hit.end)
            key = (hit.rule, span.start, span.end)
            if key in seen or any(_overlaps(key, other) for other in seen if other[0] == hit.rule):
                continue
            seen.add(key)
            explanation, suggestion = ADVICE[hit.rule][advice_language]
            findings.append(
                Finding(
                    rule=hit.rule,
                    severity=SEVERITY[hit.rule],
                    span=span,
                    explanation=explanation,
                    suggestion=suggestion,
                )
            )
    return sorted(findings, key=lambda finding: (finding.span.start, finding.rule.value))


def _overlaps(one: tuple[ToneRule, int, int], other: tuple[ToneRule, int, int]) -> bool:
    return one[1] < other[2] and other[1] < one[2]


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that stop a statement being approved unless overridden."""
    return [finding for finding in findings if finding.severity is FindingSeverity.ERROR]
