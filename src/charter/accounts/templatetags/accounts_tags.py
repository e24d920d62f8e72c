"""Template filters of the sign-in pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.template.defaultfilters import pluralize

register = template.Library()


@register.filter
def duration_words(value: dt.timedelta | None) -> str:
    """A lockout's length as a person says it: "15 minutes", "1 hour 30 minutes"."""
    if not value:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{pluralize(hours)}")
    if minutes:
        parts.append(f"{minutes} minute{pluralize(minutes)}")
    return " ".join(parts)
