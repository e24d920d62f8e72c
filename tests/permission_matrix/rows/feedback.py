"""Feedback and recognition: the feed, feedback given and received, requests, badges, awards.

The feedback the detail rows point at is private praise from Rita to Rick: Rick (the `rep`
persona, its recipient) reads it; his manager, the other manager, the admin and the executive
above him never do, by page or by API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.permission_matrix.outcomes import (
    ADMIN_PAGE,
    API_SIGNED_IN,
    CHANGES,
    LOGIN,
    OK,
    SIGNED_IN,
    By,
    Row,
)
from tests.permission_matrix.world import World


def private_praise(w: World) -> Any:
    """Rita's private praise for Rick (made on first use)."""
    from charter.feedback.models import Feedback
    from charter.feedback.services.feedback import feedback_give

    found = Feedback.objects.filter(giver=w.rep2, recipient=w.rep).first()
    if found is None:
        found = feedback_give(
            giver=w.rep2, actor=w.rep2.user, recipient=w.rep, kind="praise",
            visibility="private", text="Thanks for the demo.", values=[w.value],
        )  # fmt: skip
    return found


def rita_asked(w: World) -> Any:
    """Mona asks Rita for feedback about Rick (made on first use)."""
    from charter.feedback.models import FeedbackRequest
    from charter.feedback.services.feedback import request_create

    found = FeedbackRequest.objects.filter(asked=w.rep2, subject=w.rep).first()
    if found is None:
        (found,) = request_create(
            asked_by=w.manager, actor=w.manager.user, subject=w.rep, asked=[w.rep2],
            topic="Rick's demos", due_on=dt.datetime.now(dt.UTC).date() + dt.timedelta(days=20),
        )  # fmt: skip
    return found


def badge(w: World) -> Any:
    """A badge of the company value (made on first use)."""
    from charter.feedback.models import Badge
    from charter.feedback.services.badges import badge_create

    found = Badge.objects.filter(org=w.admin.org, name="Matrix star").first()
    if found is None:
        found = badge_create(
            org=w.admin.org, actor=w.admin.user, name="Matrix star", icon="star", value=w.value
        )
    return found


def award(w: World) -> Any:
    """Rita's badge, from her manager (made on first use)."""
    from charter.feedback.models import Award
    from charter.feedback.services.badges import award_give

    found = Award.objects.filter(person=w.rep2).first()
    if found is None:
        found = award_give(
            badge=badge(w), person=w.rep2, actor=w.manager.user, awarder=w.manager,
            reason="Matrix deal",
        )  # fmt: skip
    return found


def _give(w: World) -> dict[str, Any]:
    return {
        "recipient": w.rep2.pk, "kind": "praise", "visibility": "public",
        "values": [w.value.pk], "text": "Well done.",
    }  # fmt: skip


def _ask(w: World) -> dict[str, Any]:
    # About Rick: Rick asks about himself, his manager about her report; the others have no
    # reach over him (the form or serializer refuses the subject), the executive reads only.
    return {
        "subject": w.rep.pk, "asked": [w.rep2.pk], "topic": "Demos",
        "due_on": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)).isoformat(),
    }  # fmt: skip


RITA = {"person_id": lambda w: w.rep2.pk}
REQUEST = {"request_id": lambda w: rita_asked(w).pk}
# Seen by the people it involves: Rick (its subject) and Mona (who asked); Rita is not a persona.
ON_REQUEST = By(LOGIN, OK, OK, 404, 404, 404)
WRITERS = By(LOGIN, CHANGES, CHANGES, CHANGES, CHANGES, 403)

ROWS: dict[str, Row] = {
    "feedback:feed": Row(get=SIGNED_IN),
    "feedback:give": Row(get=By(LOGIN, OK, OK, OK, OK, 403), write=WRITERS, data=_give),
    # Anyone in the organization opens the page; it lists only what they may read.
    "feedback:received": Row(get=SIGNED_IN, kwargs=RITA),
    "feedback:given": Row(get=SIGNED_IN, kwargs=RITA),
    "feedback:requests": Row(
        get=SIGNED_IN, write=By(LOGIN, CHANGES, CHANGES, OK, OK, 403), data=_ask
    ),
    "feedback:request": Row(get=ON_REQUEST, kwargs=REQUEST),
    # Only Rita answers: Rick and Mona see the request, not its answer form.
    "feedback:answer": Row(
        get=By(LOGIN, 403, 403, 404, 404, 404),
        write=By(LOGIN, 403, 403, 404, 404, 404),
        kwargs=REQUEST,
        data=_give,
    ),
    "feedback:badges": Row(
        get=SIGNED_IN,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Closer", "icon": "trophy", "value": w.value.pk},
    ),
    "feedback:badge_edit": Row(
        get=ADMIN_PAGE,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        kwargs={"badge_id": lambda w: badge(w).pk},
        data=lambda w: {"name": "Matrix star", "icon": "heart", "value": w.value.pk},
    ),
    # Mona awards Rita; Omar cannot reach her (the form refuses the person).
    "feedback:award": Row(
        get=By(LOGIN, 403, OK, OK, OK, 403),
        write=By(LOGIN, 403, CHANGES, OK, CHANGES, 403),
        data=lambda w: {"badge": badge(w).pk, "person": w.rep2.pk, "reason": "Big win"},
    ),
    # The organization's leaderboard setting (managers and above by default).
    "feedback:leaderboard": Row(get=By(LOGIN, 403, OK, OK, OK, OK)),
    # --- API ------------------------------------------------------------------------------
    "api:feedback-item-list": Row(
        get=API_SIGNED_IN,
        write=By(401, CHANGES, CHANGES, CHANGES, CHANGES, 403),
        data=_give,
        json=True,
    ),
    # Private: its recipient only (and Rita, who gave it).
    "api:feedback-item-detail": Row(
        get=By(401, OK, 404, 404, 404, 404),
        kwargs={"pk": lambda w: private_praise(w).pk},
    ),
    "api:feedback-request-list": Row(
        get=API_SIGNED_IN,
        write=By(401, CHANGES, CHANGES, 400, 400, 403),
        data=_ask,
        json=True,
    ),
    "api:feedback-request-detail": Row(
        get=By(401, OK, OK, 404, 404, 404), kwargs={"pk": lambda w: rita_asked(w).pk}
    ),
    "api:feedback-badge-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Api badge", "icon": "rocket", "value": w.value.pk},
        json=True,
    ),
    "api:feedback-badge-detail": Row(get=API_SIGNED_IN, kwargs={"pk": lambda w: badge(w).pk}),
    "api:feedback-award-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, CHANGES, 400, CHANGES, 403),
        data=lambda w: {"badge": badge(w).pk, "person": w.rep2.pk, "reason": "Api win"},
        json=True,
    ),
    "api:feedback-award-detail": Row(get=API_SIGNED_IN, kwargs={"pk": lambda w: award(w).pk}),
}
