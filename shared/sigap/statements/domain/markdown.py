"""Statement Markdown to safe HTML: parsed by markdown-it-py (CommonMark, raw HTML off) and sanitised by nh3
(Ammonia) to an allow-list, links opened safely. The same text in plain form for e-mail and chat."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre", "br", "hr"}
_ATTRIBUTES = {"a": {"href", "title"}}
_SCHEMES = {"http", "https", "mailto", "tel"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Imported on the first render, not with the module: the functions that import this one (the statements API,
    # the publisher, reminders) mostly do not render, and markdown-it is about a twentieth of their cold start.
    from markdown_it import MarkdownIt

    # "js-default": CommonMark with raw HTML disabled; a statement's headings start at h2 under the page's h1.
    return MarkdownIt("js-default")


def _shift_headings(html: str) -> str:
    """A statement's '#' is a section of the page, never a second page title."""
    return re.sub(r"<(/?)h([1-4])>", lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 4)}>", html)


def to_html(markdown: str) -> str:
    import nh3  # with the parser, on the first render

    rendered = _shift_headings(_parser().render(markdown))
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_MARKS = re.compile(r"(\*\*|__|`)")


def to_text(markdown: str) -> str:
    """Plain text for e-mail and chat: links as 'label (url)', headings and emphasis marks dropped."""
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1) != m.group(2) else m.group(2), markdown)
    text = re.sub(r"^#{1,6}\s*", "", text, flags=re.MULTILINE)
    return _MARKS.sub("", text).strip()


def links_of(markdown: str) -> list[tuple[str, str]]:
    """The statement's evidence links (label, URL), http(s) only, in order, each once."""
    seen: dict[str, str] = {}
    for label, url in _LINK.findall(markdown):
        if url.startswith(("https://", "http://")) and url not in seen:
            seen[url] = label
    return [(label, url) for url, label in seen.items()]
