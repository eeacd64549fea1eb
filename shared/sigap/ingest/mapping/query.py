"""A brand query, as listening tools let users write one: terms and "quoted phrases" combined with AND, OR, NOT and
parentheses, e.g. `"teh segar" AND (racun OR beracun) NOT promo`. Terms next to each other mean AND; `racun*`
matches words that start with "racun". Matching ignores case and accents ("Café" matches "cafe") and works on
whole words, so `teh` does not match "tehnik". A query that does not parse is a ValueError naming where."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 1000
_TOKEN = re.compile(r'\s*(?:(")((?:[^"])*)(")|(\()|(\))|([^\s()"]+))')
_WORD = re.compile(r"\w+")


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    return _WORD.findall(_folded(text))


@dataclass(frozen=True)
class _Term:
    words: tuple[str, ...]  # one word, or a phrase's words in order
    prefix: bool = False  # the last word may be longer ("racun*")

    def matches(self, text: list[str]) -> bool:
        size = len(self.words)
        for start in range(len(text) - size + 1):
            window = text[start : start + size]
            if window[:-1] == list(self.words[:-1]) and (
                window[-1].startswith(self.words[-1]) if self.prefix else window[-1] == self.words[-1]
            ):
                return True
        return False


@dataclass(frozen=True)
class _Not:
    inner: Node

    def matches(self, text: list[str]) -> bool:
        return not self.inner.matches(text)


@dataclass(frozen=True)
class _All:
    parts: tuple[Node, ...]

    def matches(self, text: list[str]) -> bool:
        return all(part.matches(text) for part in self.parts)


@dataclass(frozen=True)
class _Any:
    parts: tuple[Node, ...]

    def matches(self, text: list[str]) -> bool:
        return any(part.matches(text) for part in self.parts)


Node = _Term | _Not | _All | _Any


@dataclass(frozen=True)
class BrandQuery:
    text: str
    root: Node

    def matches(self, text: str) -> bool:
        return self.root.matches(words(text))


def _tokens(query: str) -> list[tuple[str, str, int]]:
    """(kind, value, position) for each token: phrase, open, close, or word (AND/OR/NOT are words here)."""
    tokens = []
    position = 0
    while position < len(query):
        if not query[position:].strip():
            break
        found = _TOKEN.match(query, position)
        if found is None:
            raise ValueError(f"an unclosed quote at character {query.index(chr(34), position) + 1}")
        start = found.start() + (len(found.group(0)) - len(found.group(0).lstrip()))
        if found.group(1):
            tokens.append(("phrase", found.group(2), start))
        elif found.group(4):
            tokens.append(("open", "(", start))
        elif found.group(5):
            tokens.append(("close", ")", start))
        else:
            tokens.append(("word", found.group(6), start))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]]) -> None:
        self.tokens = tokens
        self.at = 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _is(self, operator: str) -> bool:
        token = self._peek()
        return token is not None and token[0] == "word" and token[1] == operator

    def parse(self) -> Node:
        node = self._or()
        leftover = self._peek()
        if leftover is not None:
            raise ValueError(f"unexpected {leftover[1]!r} at character {leftover[2] + 1}")
        return node

    def _or(self) -> Node:
        parts = [self._and()]
        while self._is("OR"):
            self.at += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else _Any(tuple(parts))

    def _and(self) -> Node:
        parts = [self._not()]
        while True:
            token = self._peek()
            if token is None or token[0] == "close" or self._is("OR"):
                break
            if self._is("AND"):
                self.at += 1
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else _All(tuple(parts))

    def _not(self) -> Node:
        if self._is("NOT"):
            self.at += 1
            return _Not(self._not())
        return self._atom()

    def _atom(self) -> Node:
        token = self._peek()
        if token is None:
            raise ValueError("the query ends where a term was expected")
        kind, value, position = token
        self.at += 1
        if kind == "open":
            inner = self._or()
            closing = self._peek()
            if closing is None or closing[0] != "close":
                raise ValueError(f"the parenthesis at character {position + 1} is never closed")
            self.at += 1
            return inner
        if kind == "close" or value in ("AND", "OR"):
            raise ValueError(f"unexpected {value!r} at character {position + 1}: a term was expected")
        prefix = kind == "word" and value.endswith("*") and len(value) > 1
        found = tuple(words(value.rstrip("*") if prefix else value))
        if not found:
            raise ValueError(f"{value!r} at character {position + 1} holds no word to match")
        return _Term(found, prefix)


def parse_query(query: str) -> BrandQuery:
    """The query parsed; ValueError naming what is wrong and where."""
    if len(query) > MAX_QUERY_CHARS:
        raise ValueError(f"the query is longer than {MAX_QUERY_CHARS} characters")
    if not query.strip():
        raise ValueError("the query is empty")
    return BrandQuery(query, _Parser(_tokens(query)).parse())
