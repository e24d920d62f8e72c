"""Background jobs of the reviews app: load by id, then call the real code."""

from __future__ import annotations

from django_tasks import task

from charter.accounts.emails import wants
from charter.reviews import emails
from charter.reviews.models import Review


@task()
def send_disagreement(*, review_id: int) -> int:
    """The manager's manager hears of a disagreement, unless they turned team alerts off."""
    review = Review.objects.select_related(
        "person", "manager__manager__user__notification_prefs", "cycle"
    ).get(pk=review_id)
    above = review.manager.manager if review.manager else None
    if (
        above is None
        or not above.email
        or above.user is None
        or not wants(above.user, "team_alerts")
    ):
        return 0
    return int(emails.review_disagreement(review=review, to=above))


@task()
def send_reminder(*, cycle_id: int, person_id: int, count: int) -> int:
    """Remind a person of what they owe in the cycle's phase, unless they turned reminders off."""
    from charter.org.models import Person
    from charter.reviews.models import Cycle

    cycle = Cycle.objects.get(pk=cycle_id)
    person = Person.objects.select_related("user__notification_prefs").get(pk=person_id)
    if not person.email or person.user is None or not wants(person.user, "reminders"):
        return 0
    return int(emails.review_reminder(cycle=cycle, person=person, count=count))
