"""Who may see and do what with mentorships and development plans. Default deny; built on
`org.access`. "Managers above" a person are the people above them in the reporting line,
whatever their role: `subtree_ids(me)` holds exactly the people `me` is above.

- Mentor offers: listed to everyone in the organization; each person keeps their own.
- Requests: the person asking and the mentor asked; the mentor answers.
- Mentorships: read by the pair, the managers above either of them, and admins. Admins and
  managers (for mentees below them, with a mentor below them or listed) pair people.
- Meeting notes: the pair, the managers above the mentee, and admins; nobody else. The pair
  logs meetings while the mentorship is active.
- Development plans: the person and the managers above them only. Not admins or executives
  as such: an admin or executive outside the person's reporting line is refused. The person
  reports progress; the managers above them (who may write) comment.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from charter.development.models import (
    Goal,
    MentorOffer,
    MentorRequest,
    Mentorship,
    MentorshipStatus,
    Plan,
    RequestStatus,
)
from charter.org.access import can_manage_org, can_write, leads_people, person_of, subtree_ids
from charter.org.models import Person


def _below(user: Any) -> set[int]:
    """The people `user` is above in the reporting line (themselves excluded)."""
    me = person_of(user)
    if me is None:
        return set()
    return subtree_ids(me) - {me.pk}


# --- mentor offers and requests --------------------------------------------------------------


def listed_offers(user: Any) -> QuerySet[MentorOffer]:
    """The active offers of `user`'s organization: who is listed as a mentor."""
    me = person_of(user)
    if me is None:
        return MentorOffer.objects.none()
    return MentorOffer.objects.filter(org_id=me.org_id, is_active=True, person__is_active=True)


def can_offer(user: Any) -> bool:
    """Offering to mentor is personal, like reporting one's learning: every active person."""
    return person_of(user) is not None


def can_withdraw_offer(user: Any, offer: MentorOffer) -> bool:
    me = person_of(user)
    if me is None:
        return False
    if offer.person_id != me.pk:
        return False
    return offer.is_active


def can_ask(user: Any, offer: MentorOffer) -> bool:
    """Anyone may ask a listed mentor of their organization, except themselves."""
    me = person_of(user)
    if me is None:
        return False
    if offer.org_id != me.org_id:
        return False
    if not offer.is_active:
        return False
    return offer.person_id != me.pk


def visible_requests(user: Any) -> QuerySet[MentorRequest]:
    """The requests `user` made, and those made to them."""
    me = person_of(user)
    if me is None:
        return MentorRequest.objects.none()
    return MentorRequest.objects.filter(org_id=me.org_id).filter(
        Q(mentee_id=me.pk) | Q(offer__person_id=me.pk)
    )


def can_answer(user: Any, request: MentorRequest) -> bool:
    """The mentor asked, while the request waits."""
    me = person_of(user)
    if me is None:
        return False
    if request.offer.person_id != me.pk:
        return False
    return request.status == RequestStatus.PENDING


# --- mentorships -------------------------------------------------------------------------------


def visible_mentorships(user: Any) -> QuerySet[Mentorship]:
    """The pair, the managers above either of them, and admins."""
    me = person_of(user)
    if me is None:
        return Mentorship.objects.none()
    mine = Mentorship.objects.filter(org_id=me.org_id)
    if can_manage_org(user):
        return mine
    reach = subtree_ids(me)
    return mine.filter(Q(mentor_id__in=reach) | Q(mentee_id__in=reach))


def can_view_mentorship(user: Any, mentorship: Mentorship) -> bool:
    return visible_mentorships(user).filter(pk=mentorship.pk).exists()


def can_read_meetings(user: Any, mentorship: Mentorship) -> bool:
    """The pair, the managers above the mentee, and admins: never the mentor's managers."""
    me = person_of(user)
    if me is None:
        return False
    if mentorship.org_id != me.org_id:
        return False
    if me.pk in (mentorship.mentor_id, mentorship.mentee_id):
        return True
    if can_manage_org(user):
        return True
    return mentorship.mentee_id in _below(user)


def can_log_meeting(user: Any, mentorship: Mentorship) -> bool:
    """One of the pair, while the mentorship is under way."""
    me = person_of(user)
    if me is None:
        return False
    if me.pk not in (mentorship.mentor_id, mentorship.mentee_id):
        return False
    return mentorship.status == MentorshipStatus.ACTIVE


def can_pair_anyone(user: Any) -> bool:
    """Admins, and managers (who have people below them)."""
    if can_manage_org(user):
        return True
    if not leads_people(user):
        return False
    return bool(_below(user))


def pairable_mentees(user: Any) -> QuerySet[Person]:
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    if can_manage_org(user):
        return Person.objects.filter(org_id=me.org_id, is_active=True)
    if not leads_people(user):
        return Person.objects.none()
    return Person.objects.filter(pk__in=_below(user), is_active=True)


def pairable_mentors(user: Any) -> QuerySet[Person]:
    """Admins pair anyone; a manager, the people in their reach or anyone listed as a mentor
    (and themselves)."""
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    if can_manage_org(user):
        return Person.objects.filter(org_id=me.org_id, is_active=True)
    if not leads_people(user):
        return Person.objects.none()
    listed = listed_offers(user).values("person_id")
    return Person.objects.filter(
        Q(pk__in=subtree_ids(me)) | Q(pk__in=listed), org_id=me.org_id, is_active=True
    )


def can_pair(user: Any, mentor: Person, mentee: Person) -> bool:
    """Whether `user` may put these two together (their being two people is the service's to
    check, as a field error)."""
    if not pairable_mentees(user).filter(pk=mentee.pk).exists():
        return False
    return pairable_mentors(user).filter(pk=mentor.pk).exists()


def can_steer(user: Any, mentorship: Mentorship) -> bool:
    """Start, complete or end a mentorship on someone's behalf: admins and the managers above
    the mentee."""
    me = person_of(user)
    if me is None:
        return False
    if mentorship.org_id != me.org_id:
        return False
    if can_manage_org(user):
        return True
    if not can_write(user):
        return False
    return mentorship.mentee_id in _below(user)


def can_change_status(user: Any, mentorship: Mentorship, status: str) -> bool:
    """The mentor confirms a proposed pairing; either of the pair completes or ends it early;
    admins and the mentee's managers may do any of it."""
    me = person_of(user)
    if me is None:
        return False
    if can_steer(user, mentorship):
        return True
    if status == MentorshipStatus.ACTIVE:
        return me.pk == mentorship.mentor_id
    return me.pk in (mentorship.mentor_id, mentorship.mentee_id)


# --- development plans -------------------------------------------------------------------------


def visible_plans(user: Any) -> QuerySet[Plan]:
    """The person's own plans and those of the people below them. Nothing more for admins or
    executives: a plan is between a person and their managers."""
    me = person_of(user)
    if me is None:
        return Plan.objects.none()
    return Plan.objects.filter(org_id=me.org_id, person_id__in=subtree_ids(me))


def can_view_plan(user: Any, plan: Plan) -> bool:
    return visible_plans(user).filter(pk=plan.pk).exists()


def plan_owners(user: Any) -> QuerySet[Person]:
    """Whom `user` may start a plan for: themselves; a manager above, their people too."""
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    if not can_write(user):
        return Person.objects.filter(pk=me.pk)
    return Person.objects.filter(pk__in=subtree_ids(me), is_active=True)


def can_start_plan_for(user: Any, person: Person) -> bool:
    return plan_owners(user).filter(pk=person.pk).exists()


def can_edit_plan(user: Any, plan: Plan) -> bool:
    """Add and change goals: the person, and the managers above them who may write."""
    me = person_of(user)
    if me is None:
        return False
    if plan.org_id != me.org_id:
        return False
    if plan.person_id == me.pk:
        return True
    if not can_write(user):
        return False
    return plan.person_id in _below(user)


def can_report_progress(user: Any, goal: Goal) -> bool:
    """Only the person whose plan it is."""
    me = person_of(user)
    if me is None:
        return False
    return goal.plan.person_id == me.pk


def can_comment(user: Any, goal: Goal) -> bool:
    """The managers above the person, when they may write; never the person themselves."""
    me = person_of(user)
    if me is None:
        return False
    if goal.plan.org_id != me.org_id:
        return False
    if not can_write(user):
        return False
    return goal.plan.person_id in _below(user)


def visible_goals(user: Any) -> QuerySet[Goal]:
    return Goal.objects.filter(plan__in=visible_plans(user))
