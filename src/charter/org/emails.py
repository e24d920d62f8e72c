"""The emails about a person in the org chart: one function per kind (see `core.emails`)."""

from __future__ import annotations

from typing import Any

from charter.accounts.emails import set_password_url
from charter.core.emails import send


def invitation(*, invitation: Any) -> bool:
    person = invitation.person
    inviter = invitation.invited_by
    context = {
        "person": person,
        "org": person.org,
        "inviter_name": inviter.get_full_name() if inviter else "",
        "link": set_password_url(person.user),
    }
    return send("invitation", invitation.email, context)
