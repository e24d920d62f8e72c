"""Reads about sessions, each starting from the access rules in `learning.access`: the
upcoming ones, a training's runs with their places taken, and a session's roster."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from charter.learning.access import sees_whole_roster, visible_sessions
from charter.learning.models import Enrolment, EnrolmentStatus, Training, TrainingSession
from charter.org.access import visible_people
from charter.org.models import Person


def _with_counts(sessions: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    """Sessions with their places taken (`taken`) and people waiting (`waiting`)."""
    return sessions.select_related("training", "facilitator").annotate(
        taken=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED)),
    )


def upcoming_sessions(user: Any) -> QuerySet[TrainingSession]:
    """Sessions `user` may see that have not ended and are not cancelled, soonest first."""
    live = visible_sessions(user).filter(ends_at__gt=timezone.now(), cancelled_at__isnull=True)
    return _with_counts(live).order_by("starts_at", "id")


def training_sessions(user: Any, training: Training) -> QuerySet[TrainingSession]:
    """Every session of `training` `user` may see, past and cancelled ones too, latest first."""
    return _with_counts(visible_sessions(user).filter(training=training)).order_by(
        "-starts_at", "-id"
    )


def session_roster(user: Any, session: TrainingSession) -> QuerySet[Enrolment]:
    """The people with a place or waiting, in queue order: every one of them for those who run
    or lead the session, otherwise only the people `user` may read."""
    rows = (
        Enrolment.objects.filter(session=session)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("person")
        .order_by("queue")
    )
    if sees_whole_roster(user, session):
        return rows
    return rows.filter(person__in=visible_people(user))


def enrolments_of(person: Person, sessions: Iterable[TrainingSession]) -> dict[int, Enrolment]:
    """`person`'s enrolment in each of these sessions, by session id (cancelled ones too)."""
    ids = [s.pk for s in sessions]
    found = Enrolment.objects.filter(person=person, session_id__in=ids)
    return {e.session_id: e for e in found}
