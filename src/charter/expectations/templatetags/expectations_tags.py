from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: Any) -> Any:
    return mapping.get(str(key), []) if mapping else []


@register.filter
def word_diff_html(ops: Any) -> SafeString:
    """Render a word diff: removed words struck through, added words highlighted (escaped)."""
    tags = {"insert": "ins", "delete": "del"}
    return format_html_join(
        "",
        "{}",
        (
            (format_html("<{0}>{1}</{0}>", tags[op.op], op.text) if op.op in tags else op.text,)
            for op in ops
        ),
    )
