from __future__ import annotations

from django_tasks import task

from charter.accounts.models import User
from charter.core import emails


@task()
def send_password_reset(*, user_id: int) -> None:
    user = User.objects.get(pk=user_id)
    emails.password_reset(user=user)
