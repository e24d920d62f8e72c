"""Background jobs of the org app: thin wrappers that load by id and call the real code."""

from __future__ import annotations

from django_tasks import task

from charter.org import emails
from charter.org.models import Invitation


@task()
def send_invitation(*, invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("person", "person__user", "invited_by").get(
        pk=invitation_id
    )
    emails.invitation(invitation=invitation)
