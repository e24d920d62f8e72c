"""Reads of the learning app, each starting from the access rules in `learning.access`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from charter.learning.access import completions_to_review, visible_trainings
from charter.learning.models import Completion, Status, Training
from charter.org.models import Person


def catalogue(
    user: Any, *, kind: str = "", tag: str = "", query: str = "", retired: bool = False
) -> QuerySet[Training]:
    """The trainings `user` reads, filtered; active ones only unless `retired`."""
    trainings = visible_trainings(user).select_related("team")
    if not retired:
        trainings = trainings.filter(is_active=True)
    if kind:
        trainings = trainings.filter(kind=kind)
    if tag:
        trainings = trainings.filter(tags__contains=f",{tag.strip().lower()},")
    if query:
        trainings = trainings.filter(
            Q(title__icontains=query) | Q(provider__icontains=query) | Q(code__iexact=query)
        )
    return trainings.order_by("-is_active", "title", "id")


def catalogue_tags(user: Any) -> list[str]:
    """Every tag used by an active training `user` reads, alphabetically."""
    tags: set[str] = set()
    for stored in visible_trainings(user).filter(is_active=True).values_list("tags", flat=True):
        tags.update(tag for tag in stored.split(",") if tag)
    return sorted(tags)


def record(person: Person) -> QuerySet[Completion]:
    """A person's completions, newest first (the caller checked `can_view_record`)."""
    return Completion.objects.filter(person=person).select_related("training", "reviewed_by")


def approved_hours(person: Person, first: dt.date, last: dt.date) -> Decimal:
    """Hours of `person`'s approved completions from `first` to `last`, both included."""
    total = Completion.objects.filter(
        person=person, status=Status.APPROVED, completed_on__range=(first, last)
    ).aggregate(total=Sum("hours"))["total"]
    return Decimal(total or 0)


def review_queue(user: Any) -> QuerySet[Completion]:
    return (
        completions_to_review(user)
        .select_related("person", "training")
        .order_by("created_at", "id")
    )
