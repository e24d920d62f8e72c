"""Background jobs of the learning app: load by id, then call the real code."""

from __future__ import annotations

from django_tasks import task

from charter.accounts.emails import wants
from charter.learning import emails
from charter.learning.models import Certificate


@task()
def send_certificate_alert(*, certificate_id: int, stage: str) -> int:
    """The holder hears (unless they turned reminders off), and so does their manager (unless
    they turned team alerts off). Returns how many emails went."""
    certificate = Certificate.objects.select_related(
        "certification", "person__user__notification_prefs", "person__manager__user"
    ).get(pk=certificate_id)
    person = certificate.person
    sent = 0
    if person.email and person.user is not None and wants(person.user, "reminders"):
        sent += emails.certificate_expiring(certificate=certificate, stage=stage, to=person)
    manager = person.manager
    if manager is not None and manager.email and wants(manager.user, "team_alerts"):
        sent += emails.certificate_expiring(certificate=certificate, stage=stage, to=manager)
    return sent


@task()
def send_session_email(*, enrolment_id: int, kind: str) -> int:
    """Tell a person about their place in a session, unless they turned reminders off."""
    from charter.learning.models import Enrolment

    enrolment = Enrolment.objects.select_related(
        "person__user__notification_prefs", "session__training", "session__facilitator"
    ).get(pk=enrolment_id)
    person = enrolment.person
    if not person.email or person.user is None or not wants(person.user, "reminders"):
        return 0
    return int(emails.session_email(enrolment=enrolment, kind=kind))
