"""How a signed-in request finds its user: Django's ModelBackend, with the user's person and
organization read in the same query, since nearly every page asks who the person behind the
login is and which organization they belong to (`org.access.person_of`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from charter.accounts.models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("person__org").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
