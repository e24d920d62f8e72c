"""How Charter sends email: each kind renders a subject, a text body and an HTML body from
`templates/emails/<kind>/` with one shared context, and each send is logged. The kinds live in
their app's `emails.py`, one function per kind (`accounts.emails`, `org.emails`,
`expectations.emails`); the import framework's own kind is here.

Callers run these inside background tasks (see each app's `tasks.py`), never in a request.
The subject and text body render with autoescaping off (a plain-text mail would show `&#x27;`
literally); only the HTML body is escaped, so a name like `<script>` is harmless in both.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine
from django.template.loader import render_to_string

from charter.core.models import EmailLog

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def render(kind: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of one email kind; tests use it to check both bodies."""
    context = {"site_url": settings.SITE_URL, **context}
    # Newlines in a subject could smuggle in headers; one line of single spaces cannot.
    subject = " ".join(_render_plain(f"emails/{kind}/subject.txt", context).split())
    text = _render_plain(f"emails/{kind}/body.txt", context)
    html = render_to_string(f"emails/{kind}/body.html", context)
    return subject, text, html


def _render_plain(template_name: str, context: dict[str, Any]) -> str:
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


def send(
    kind: str,
    to: str,
    context: dict[str, Any],
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> bool:
    subject, text, html = render(kind, context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except Exception as exc:
        logger.warning("email %s to %s failed: %s", kind, to, exc)
        EmailLog.objects.create(
            kind=kind, to=to, subject=subject[:300], status=EmailLog.Status.FAILED, error=str(exc)
        )
        raise
    EmailLog.objects.create(kind=kind, to=to, subject=subject[:300], status=EmailLog.Status.SENT)
    return True


# --- imports --------------------------------------------------------------------------------


def import_abandoned(
    *, run: Any, importer_label: str, run_path: str, can_retry: bool, keep_until: Any
) -> bool:
    """The person who started an import hears that it was killed, and whether to retry it."""
    user = run.created_by
    context = {
        "run": run,
        "name": user.get_short_name(),
        "importer_label": importer_label,
        "can_retry": can_retry,
        "keep_until": keep_until,
        "link": absolute_url(run_path or "/"),
    }
    return send("import_abandoned", user.email, context)
