"""Reads of the development app, each starting from the access rules in `development.access`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from charter.development.access import (
    listed_offers,
    visible_mentorships,
    visible_plans,
    visible_requests,
)
from charter.development.models import (
    Goal,
    GoalStatus,
    MentorOffer,
    MentorRequest,
    Mentorship,
    MentorshipStatus,
    Plan,
    ProgressUpdate,
    RequestStatus,
)
from charter.org.access import person_of, subtree_ids

OPEN_GOALS = (GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS)


def offers(user: Any, *, topic: str = "") -> QuerySet[MentorOffer]:
    """Listed mentors, with their team, filtered by a topic."""
    found = listed_offers(user).select_related("person__team")
    if topic:
        found = found.filter(topics__contains=f",{topic.strip().lower()},")
    return found.order_by("person__full_name", "id")


def offer_topics(user: Any) -> list[str]:
    topics: set[str] = set()
    for stored in listed_offers(user).values_list("topics", flat=True):
        topics.update(t for t in stored.split(",") if t)
    return sorted(topics)


def my_offer(person: Any) -> MentorOffer | None:
    return MentorOffer.objects.filter(person=person, is_active=True).first()


def requests(user: Any) -> QuerySet[MentorRequest]:
    return visible_requests(user).select_related("offer__person", "mentee", "mentorship")


def pending_requests_to(person: Any) -> QuerySet[MentorRequest]:
    return MentorRequest.objects.filter(
        offer__person=person, status=RequestStatus.PENDING
    ).select_related("mentee", "offer")


def mentorships(user: Any, *, status: str = "") -> QuerySet[Mentorship]:
    found = visible_mentorships(user).select_related("mentor", "mentee")
    if status:
        found = found.filter(status=status)
    return found


def mine(person: Any) -> QuerySet[Mentorship]:
    """Mentorships `person` is in, as mentor or mentee, under way or proposed first."""
    return (
        Mentorship.objects.filter(Q(mentor=person) | Q(mentee=person))
        .select_related("mentor", "mentee")
        .order_by("status", "-starts_on", "-id")
    )


def meetings(mentorship: Mentorship) -> QuerySet[Any]:
    """The meeting log (the caller checked `can_read_meetings`)."""
    return mentorship.meetings.select_related("author")


def plan_goals_of(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    """Goals with their newest progress and their links, for the API."""
    return _with_progress(goals).prefetch_related(
        "values", "expectations", "trainings", "certifications"
    )


def _with_progress(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    newest = ProgressUpdate.objects.filter(goal=OuterRef("pk")).order_by("-created_at", "-id")
    return goals.annotate(percent=Subquery(newest.values("percent")[:1]))


def plans(user: Any) -> QuerySet[Plan]:
    return (
        visible_plans(user)
        .select_related("person__team")
        .order_by("person__full_name", "-starts_on")
    )


def plan_goals(plan: Plan) -> QuerySet[Goal]:
    """A plan's goals with their newest progress, updates, comments and links (a fixed number
    of queries whatever the number of goals)."""
    return _with_progress(plan.goals.all()).prefetch_related(
        "values", "expectations", "trainings", "certifications",
        Prefetch("updates", queryset=ProgressUpdate.objects.select_related("author")),
        "comments__author",
    )  # fmt: skip


def next_goal(person: Any, today: dt.date) -> Goal | None:
    """The person's next open goal by target date (overdue ones first)."""
    return (
        _with_progress(Goal.objects.filter(plan__person=person, status__in=OPEN_GOALS))
        .select_related("plan")
        .order_by("target_on", "id")
        .first()
    )


def overdue_goals_below(user: Any, today: dt.date) -> QuerySet[Goal]:
    """Open goals past their target date in the plans of the people below `user`."""
    me = person_of(user)
    if me is None:
        return Goal.objects.none()
    below = subtree_ids(me) - {me.pk}
    return (
        Goal.objects.filter(
            plan__person_id__in=below,
            plan__person__is_active=True,
            status__in=OPEN_GOALS,
            target_on__lt=today,
        )
        .select_related("plan__person")
        .order_by("target_on", "id")
    )


def active_mentorships_of(person: Any) -> QuerySet[Mentorship]:
    return mine(person).filter(status=MentorshipStatus.ACTIVE)
