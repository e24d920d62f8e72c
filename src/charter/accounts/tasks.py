"""Background jobs of the accounts app: thin wrappers that load by id and call the real code."""

from __future__ import annotations

from django_tasks import task

from charter.accounts import emails
from charter.accounts.models import LoginEmailChange


@task()
def send_password_reset(*, email: str) -> None:
    from charter.accounts.services import password_reset_send

    password_reset_send(email=email)


@task()
def send_login_email_changed(*, change_id: int) -> None:
    change = LoginEmailChange.objects.select_related("user", "changed_by").get(pk=change_id)
    emails.login_email_changed(change=change)
