"""Who may read which CRM facts. Every list, export and API endpoint of deals, activities and
CSAT responses starts from these querysets, so none of them can show more than another.

Default deny, built on `org.access.visible_people`: a rep reads their own facts, a manager their
subtree's, admins and executives everyone's. Facts whose CRM owner matches nobody yet are seen
by admins only: they are the ones who resolve owners, and nobody else's numbers include them.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet

from charter.crm.models import Activity, CsatResponse, Deal, OwnedFact
from charter.org.access import can_manage_org, person_of, visible_people

F = TypeVar("F", bound=OwnedFact)


def _visible(model: type[F], user: Any) -> QuerySet[F]:
    me = person_of(user)
    if me is None:
        return model._default_manager.none()
    facts = model._default_manager.filter(org_id=me.org_id)
    if can_manage_org(user):
        # An admin's visible people are the whole org; with the unmatched rows that is every
        # row, and leaving out the owner condition keeps big lists on their plain indexes.
        return facts
    return facts.filter(owner__in=visible_people(user))


def visible_deals(user: Any) -> QuerySet[Deal]:
    return _visible(Deal, user)


def visible_activities(user: Any) -> QuerySet[Activity]:
    return _visible(Activity, user)


def visible_csat(user: Any) -> QuerySet[CsatResponse]:
    return _visible(CsatResponse, user)
