"""Sessions in the database, in Charter's own table (`accounts.Session`): Django's database
sessions with the signed-in user's id kept beside the signed text, as Django's documentation
shows for a custom session model. The column lets a login's sessions be ended all at once
(`accounts.services.login_access_revoke`); who is signed in is still what the signed text says.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError

from charter.accounts.models import Session, User


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        session = super().create_model_instance(data)
        assert isinstance(session, Session)
        session.user_id = _user_id(data.get(SESSION_KEY))
        return session


def _user_id(value: Any) -> Any:
    """The user id a session's data names, as the column holds it; None for none or nonsense."""
    if value is None:
        return None
    try:
        return User._meta.pk.to_python(value)
    except ValidationError:
        return None
