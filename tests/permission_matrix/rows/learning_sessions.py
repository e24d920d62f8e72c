"""Learning sessions: scheduling, the roster, enrolling, cancelling, attendance (pages and API).

The sessions run East Enterprise's training (the manager's team, not other_manager's), led by
the manager; Rita (rep2) holds a place in each. Rick (rep) is her peer: he may enrol himself,
not cancel her place nor take her attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.permission_matrix.outcomes import (
    API_POST_ONLY,
    API_SIGNED_IN,
    CHANGES,
    LOGIN,
    OK,
    POST_ONLY,
    SIGNED_IN,
    By,
    Row,
    Value,
)
from tests.permission_matrix.world import World, east_training


def _session(w: World, *, started: bool) -> Any:
    """East Enterprise's session (to come, or under way), Rita enrolled (made on first use)."""
    from charter.learning.models import Enrolment, TrainingSession
    from charter.learning.services.sessions import enrol, session_create

    key = "started_session" if started else "east_session"
    if key in w.objects:
        return w.objects[key]
    now = timezone.now()
    session = session_create(
        actor=w.manager.user, training=east_training(w), starts_at=now + dt.timedelta(days=5),
        ends_at=now + dt.timedelta(days=5, hours=2), time_zone="Europe/Paris",
        location="East office", capacity=5, facilitator=w.manager,
    )  # fmt: skip
    enrolment = enrol(session=session, person=w.rep2, actor=w.rep2.user)
    if started:
        TrainingSession.objects.filter(pk=session.pk).update(
            starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=1)
        )
    w.objects[key] = session
    w.objects[key + "_enrolment"] = Enrolment.objects.get(pk=enrolment.pk)
    return session


def _session_id(w: World) -> int:
    return _session(w, started=False).pk


def _enrolment_id(w: World) -> int:
    _session(w, started=False)
    return w.objects["east_session_enrolment"].pk


def _started_enrolment_id(w: World) -> int:
    _session(w, started=True)
    return w.objects["started_session_enrolment"].pk


SESSION: dict[str, Value] = {"session_id": _session_id}
ENROLMENT: dict[str, Value] = {"enrolment_id": _enrolment_id}
STARTED: dict[str, Value] = {"enrolment_id": _started_enrolment_id}
NEW_SESSION = {
    "starts_at": "2030-01-10T10:00",
    "ends_at": "2030-01-10T12:00",
    "time_zone": "Europe/Paris",
    "location": "East office",
    "capacity": "5",
}

ROWS: dict[str, Row] = {
    "learning:sessions": Row(get=SIGNED_IN),
    "learning:training_sessions": Row(get=By(LOGIN, OK, OK, 404, OK, OK)),
    # Scheduling is for whoever may edit the training: its team's managers and admins.
    "learning:session_create": Row(
        get=By(LOGIN, 403, OK, 404, OK, 403),
        write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403),
        data=lambda w: {**NEW_SESSION, "facilitator": w.manager.pk},
    ),
    "learning:session": Row(get=By(LOGIN, OK, OK, 404, OK, OK), kwargs=SESSION),
    "learning:session_edit": Row(
        get=By(LOGIN, 403, OK, 404, OK, 403),
        write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"cancel_session": "1"},
        kwargs=SESSION,
    ),
    # Everyone enrols themself (executives too: their learning is theirs).
    "learning:session_enrol": Row(
        get=POST_ONLY, write=By(LOGIN, CHANGES, CHANGES, 404, CHANGES, CHANGES), kwargs=SESSION
    ),
    # Rita's place: she, her managers and admins cancel it; a peer may not.
    "learning:enrolment_cancel": Row(
        get=POST_ONLY, write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403), kwargs=ENROLMENT
    ),
    # The facilitator (the manager, also Rita's manager) and admins take attendance.
    "learning:attendance": Row(
        get=POST_ONLY,
        write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"attendance": "attended"},
        kwargs=STARTED,
    ),
    # --- the API -------------------------------------------------------------------------
    # other_manager does not see East Enterprise's training: it reads as no such training.
    "api:learning-session-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, CHANGES, 400, CHANGES, 403),
        data=lambda w: {
            "training": east_training(w).pk,
            "starts_at": "2030-01-10T10:00:00Z",
            "ends_at": "2030-01-10T12:00:00Z",
            "time_zone": "Europe/Paris",
            "location": "East office",
            "capacity": 5,
            "facilitator": w.manager.pk,
        },
        json=True,
    ),
    "api:learning-session-detail": Row(
        get=By(401, OK, OK, 404, OK, OK),
        write=By(401, 403, CHANGES, 404, CHANGES, 403),
        method="patch",
        data=lambda w: {"location": "Room 9"},
        kwargs={"pk": _session_id},
        json=True,
    ),
    "api:learning-session-cancel": Row(
        get=API_POST_ONLY,
        write=By(401, 403, CHANGES, 404, CHANGES, 403),
        kwargs={"pk": _session_id},
    ),
    "api:learning-enrolment-list": Row(
        get=API_SIGNED_IN,
        write=By(401, CHANGES, CHANGES, 400, CHANGES, CHANGES),
        data=lambda w: {"session": _session_id(w)},
        json=True,
    ),
    # Rita's place: Rick (her peer) does not read her records.
    "api:learning-enrolment-detail": Row(
        get=By(401, 404, OK, 404, OK, OK), kwargs={"pk": _enrolment_id}
    ),
    "api:learning-enrolment-cancel": Row(
        get=API_POST_ONLY,
        write=By(401, 404, CHANGES, 404, CHANGES, 403),
        kwargs={"pk": _enrolment_id},
    ),
    "api:learning-enrolment-attendance": Row(
        get=API_POST_ONLY,
        write=By(401, 404, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"attendance": "attended"},
        kwargs={"pk": _started_enrolment_id},
        json=True,
    ),
}
