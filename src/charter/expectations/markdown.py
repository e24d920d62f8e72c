"""Markdown to safe HTML, used for the web page, the email and the PDF alike.

Raw HTML in the source is not rendered (markdown-it's `html` option stays off), and the result
goes through nh3's allow-list, so script tags, event handlers and `javascript:` links are
neutralised whatever the author typed.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable("table")
        .enable("strikethrough")
    )


def render(source: str) -> str:
    """Safe HTML for a Markdown text."""
    html = _parser().render(source or "")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def to_text(source: str) -> str:
    """Plain text of a Markdown text, for text emails and diffs."""
    return nh3.clean(_parser().render(source or ""), tags=set()).strip()
