"""Every email Charter sends: one function per kind, each rendering the subject, a text body and
an HTML body from `templates/emails/<kind>/` with one shared context. Each send is logged.

Callers run these inside background tasks (see each app's `tasks.py`), never in a request.
The subject and text body render with autoescaping off (a plain-text mail would show `&#x27;`
literally); only the HTML body is escaped, so a name like `<script>` is harmless in both.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from charter.core.models import EmailLog
from charter.expectations.render import pdf_filename

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def set_password_url(user: Any) -> str:
    """A one-time link that lets `user` choose a password (invitations and resets share it)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("accounts:set_password", args=[uid, token]))


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


def _send(
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


def wants(user: Any, preference: str) -> bool:
    """Whether `user` accepts an optional kind of email (reminders, answers, team alerts)."""
    prefs = getattr(user, "notification_prefs", None)
    return True if prefs is None else bool(getattr(prefs, preference))


# --- one function per kind ----------------------------------------------------------------


def invitation(*, invitation: Any) -> bool:
    person = invitation.person
    inviter = invitation.invited_by
    context = {
        "person": person,
        "org": person.org,
        "inviter_name": inviter.get_full_name() if inviter else "",
        "link": set_password_url(person.user),
    }
    return _send("invitation", invitation.email, context)


def password_reset(*, user: Any) -> bool:
    context = {"user": user, "name": user.get_short_name(), "link": set_password_url(user)}
    return _send("password_reset", user.email, context)


def login_email_changed(*, change: Any) -> bool:
    """Told to the OLD address: if the owner did not ask for it, someone else now receives
    their reset links, and they should tell an admin at once."""
    changed_by = change.changed_by
    context = {
        "change": change,
        "name": change.user.get_short_name(),
        "changed_by_name": changed_by.get_full_name() if changed_by else "",
    }
    return _send("login_email_changed", change.old_email, context)


# --- expectations ---------------------------------------------------------------------------


def _document_url(document_id: int, name: str = "expectations:document") -> str:
    return absolute_url(reverse(name, args=[document_id]))


def document_published(*, person: Any, version: Any, pdf: bytes) -> bool:
    """A new version reaches its audience, with the whole document as a PDF attachment."""
    document = version.document
    context = {
        "person": person,
        "version": version,
        "document": document,
        "link": _document_url(document.pk),
        "sign_link": _document_url(document.pk, "expectations:sign"),
    }
    # The download's own name: a title may hold quotes, slashes or line breaks.
    attachment = (pdf_filename(version), pdf, "application/pdf")
    return _send("document_published", person.email, context, [attachment])


def signature_reminder(*, request: Any, kind: str) -> bool:
    """`kind` is "before", "due" or "overdue" (relative to the due date)."""
    version = request.version
    context = {
        "person": request.person,
        "version": version,
        "document": version.document,
        "request": request,
        "kind": kind,
        "sign_link": _document_url(version.document_id, "expectations:sign"),
    }
    return _send("signature_reminder", request.person.email, context)


def signature_escalation(*, request: Any, manager: Any) -> bool:
    version = request.version
    context = {
        "manager": manager,
        "person": request.person,
        "version": version,
        "document": version.document,
        "request": request,
        "coverage_link": absolute_url(
            reverse("expectations:coverage", args=[version.document_id, version.number])
        ),
    }
    return _send("signature_escalation", manager.email, context)


def question_asked(*, question: Any, to: Any) -> bool:
    context = {
        "question": question,
        "recipient": to,
        "link": absolute_url(reverse("expectations:questions")),
    }
    return _send("question_asked", to.email, context)


def question_answered(*, answer: Any) -> bool:
    question = answer.question
    context = {
        "answer": answer,
        "question": question,
        "link": _document_url(question.document_id) + f"#e-{question.expectation_key}",
    }
    return _send("question_answered", question.asked_by.email, context)


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
    return _send("import_abandoned", user.email, context)
