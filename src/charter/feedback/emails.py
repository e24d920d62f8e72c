"""The emails of feedback: one function per kind (see `core.emails`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from charter.core.emails import absolute_url, send
from charter.core.registry import email_topic

# The emails of this app a person may turn off, under the preference `tasks.py` asks.
email_topic("answers", "feedback you receive")
email_topic("reminders", "requests for feedback and their due dates")


def feedback_received(*, feedback: Any) -> bool:
    context = {
        "feedback": feedback,
        "to": feedback.recipient,
        "link": absolute_url(reverse("feedback:received", args=[feedback.recipient_id])),
    }
    return send("feedback_received", feedback.recipient.email, context)


def feedback_request(*, request: Any, stage: str) -> bool:
    """Someone is asked for feedback (`asked`), or reminded near its due date (`reminder`)."""
    context = {
        "request": request,
        "stage": stage,
        "to": request.asked,
        "about_asker": request.subject_id == request.asked_by_id,
        "link": absolute_url(reverse("feedback:answer", args=[request.pk])),
    }
    return send("feedback_request", request.asked.email, context)
