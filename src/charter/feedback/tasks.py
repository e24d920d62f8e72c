"""Background jobs of the feedback app: load by id, then send."""

from __future__ import annotations

from django_tasks import task

from charter.accounts.emails import wants
from charter.feedback import emails
from charter.feedback.models import Feedback, FeedbackRequest


@task()
def send_feedback_received(*, feedback_id: int) -> int:
    """The recipient hears of it unless they turned off emails about answers and feedback."""
    feedback = Feedback.objects.select_related("giver", "recipient__user__notification_prefs").get(
        pk=feedback_id
    )
    recipient = feedback.recipient
    if not recipient.email or recipient.user is None or not wants(recipient.user, "answers"):
        return 0
    return int(emails.feedback_received(feedback=feedback))


@task()
def send_request(*, request_id: int, stage: str) -> int:
    """The person asked hears of a request, and once more near its due date, unless they
    turned reminders off; an answered request is not reminded."""
    found = FeedbackRequest.objects.select_related(
        "asked_by", "subject", "asked__user__notification_prefs"
    ).get(pk=request_id)
    asked = found.asked
    if not found.is_open or not asked.email or asked.user is None:
        return 0
    if not wants(asked.user, "reminders"):
        return 0
    return int(emails.feedback_request(request=found, stage=stage))
