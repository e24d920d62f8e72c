"""Who may see and change learning records. Default deny; built on `org.access`.

- Catalogue: a company training is read by everyone in the organization; a team training by
  the people of that team and the teams below it, by the managers who run it, and by admins and
  executives. Admins create and edit any training; managers those of the teams they run.
- Completions: a person's record is read by whoever may read the person (`visible_people`).
  People report their own; their managers (and admins) approve or send back, never their own.
  Admins import them from an LMS export.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from charter.learning.models import (
    Certificate,
    Completion,
    Requirement,
    Scope,
    Status,
    Training,
    TrainingSession,
)
from charter.org.access import (
    can_manage_org,
    can_read_all,
    can_write,
    leads_people,
    managed_team_ids,
    person_of,
    subtree_ids,
    visible_people,
)
from charter.org.models import Person, Team
from charter.org.selectors import team_ancestors

# --- catalogue ---------------------------------------------------------------------------------


def _teams_reading(user: Any) -> set[int]:
    """The teams whose trainings `user` reads: their own team and those above it, and the teams
    they run."""
    me = person_of(user)
    if me is None:
        return set()
    ids = set(managed_team_ids(user))
    if me.team is not None:
        ids.add(me.team.pk)
        ids.update(team.pk for team in team_ancestors(me.team))
    return ids


def visible_trainings(user: Any) -> QuerySet[Training]:
    """The trainings `user` may read, retired ones included."""
    me = person_of(user)
    if me is None:
        return Training.objects.none()
    mine = Training.objects.filter(org_id=me.org_id)
    if can_read_all(user):
        return mine
    return mine.filter(Q(team__isnull=True) | Q(team_id__in=_teams_reading(user)))


def training_teams(user: Any) -> QuerySet[Team]:
    """The teams `user` may put a training under (admins: every team, or none for the company)."""
    me = person_of(user)
    if me is None:
        return Team.objects.none()
    if not can_write(user):
        return Team.objects.none()
    if can_manage_org(user):
        return Team.objects.filter(org_id=me.org_id)
    return Team.objects.filter(org_id=me.org_id, pk__in=managed_team_ids(user))


def can_create_training(user: Any) -> bool:
    """Admins, and managers who run a team."""
    if can_manage_org(user):
        return True
    if not leads_people(user):
        return False
    return bool(managed_team_ids(user))


def can_create_training_for(user: Any, team: Team | None) -> bool:
    """A company training (no team) is the admins'; a team training the team's managers' too."""
    me = person_of(user)
    if me is None:
        return False
    if team is not None and team.org_id != me.org_id:
        return False
    if can_manage_org(user):
        return True
    if team is None:
        return False
    return team.pk in managed_team_ids(user)


def can_edit_training(user: Any, training: Training) -> bool:
    me = person_of(user)
    if me is None:
        return False
    if training.org_id != me.org_id:
        return False
    return can_create_training_for(user, training.team)


# --- completions -------------------------------------------------------------------------------


def can_view_record(user: Any, person: Person) -> bool:
    """A person's learning record: whoever may read the person."""
    return visible_people(user).filter(pk=person.pk).exists()


def visible_completions(user: Any) -> QuerySet[Completion]:
    me = person_of(user)
    if me is None:
        return Completion.objects.none()
    return Completion.objects.filter(org_id=me.org_id, person__in=visible_people(user))


def can_report_completion(user: Any) -> bool:
    """Everyone reports their own learning: it is personal, like signing, so executives too."""
    return person_of(user) is not None


def can_resubmit(user: Any, completion: Completion) -> bool:
    """The person corrects a completion their manager sent back."""
    me = person_of(user)
    if me is None:
        return False
    if completion.person_id != me.pk:
        return False
    return completion.status == Status.RETURNED


def _reviews_for(user: Any) -> set[int] | None:
    """Whose completions `user` approves: None for everyone (admins), else ids."""
    me = person_of(user)
    if me is None:
        return set()
    if not can_write(user):
        return set()
    if can_manage_org(user):
        return None
    if leads_people(user):
        return subtree_ids(me) - {me.pk}
    return set()


def can_review_completion(user: Any, completion: Completion) -> bool:
    """A person's managers (above them in the tree) and admins; never one's own."""
    me = person_of(user)
    if me is None:
        return False
    if completion.org_id != me.org_id:
        return False
    if completion.person_id == me.pk:
        return False
    scope = _reviews_for(user)
    if scope is None:
        return True
    return completion.person_id in scope


def can_review_any(user: Any) -> bool:
    scope = _reviews_for(user)
    return scope is None or bool(scope)


def completions_to_review(user: Any) -> QuerySet[Completion]:
    """Pending completions `user` may approve or send back."""
    me = person_of(user)
    if me is None:
        return Completion.objects.none()
    scope = _reviews_for(user)
    pending = Completion.objects.filter(org_id=me.org_id, status=Status.PENDING).exclude(
        person_id=me.pk
    )
    if scope is None:
        return pending
    return pending.filter(person_id__in=scope)


def can_import_completions(user: Any) -> bool:
    """The upload pages list every import run of the organization: admins only."""
    return can_manage_org(user)


# --- requirements and compliance ---------------------------------------------------------------


def visible_requirements(user: Any) -> QuerySet[Requirement]:
    """Company and role requirements are everyone's to read; team ones like team trainings."""
    me = person_of(user)
    if me is None:
        return Requirement.objects.none()
    mine = Requirement.objects.filter(org_id=me.org_id)
    if can_read_all(user):
        return mine
    return mine.filter(~Q(scope=Scope.TEAM) | Q(team_id__in=_teams_reading(user)))


def can_manage_requirements(user: Any) -> bool:
    """Admins, and managers who run a team (for that team)."""
    return can_create_training(user)


def can_set_requirement_for(user: Any, scope: str, team: Team | None) -> bool:
    """Company and role requirements are the admins'; a team's, its managers' too."""
    me = person_of(user)
    if me is None:
        return False
    if team is not None and team.org_id != me.org_id:
        return False
    if can_manage_org(user):
        return True
    if scope != Scope.TEAM or team is None:
        return False
    return team.pk in managed_team_ids(user)


def can_revise_requirement(user: Any, requirement: Requirement) -> bool:
    me = person_of(user)
    if me is None:
        return False
    if requirement.org_id != me.org_id:
        return False
    return can_set_requirement_for(user, requirement.scope, requirement.team)


def can_view_team_compliance(user: Any, team: Team) -> bool:
    """Who is behind in a team: admins and executives, and the managers who run it."""
    me = person_of(user)
    if me is None:
        return False
    if team.org_id != me.org_id:
        return False
    if can_read_all(user):
        return True
    return team.pk in managed_team_ids(user)


# --- certificates --------------------------------------------------------------------------------


def visible_certificates(user: Any) -> QuerySet[Certificate]:
    """The certificates of the people `user` may read."""
    me = person_of(user)
    if me is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(org_id=me.org_id, person__in=visible_people(user))


def certificates_with_evidence_access(user: Any) -> QuerySet[Certificate]:
    """The certificates whose details and evidence `user` may read through the API: the
    holder, the managers above them and admins (as `can_view_evidence`), not peers."""
    me = person_of(user)
    if me is None:
        return Certificate.objects.none()
    found = Certificate.objects.filter(org_id=me.org_id)
    if can_manage_org(user):
        return found
    return found.filter(person_id__in=subtree_ids(me) | {me.pk})


def certificate_holders(user: Any) -> QuerySet[Person]:
    """Whom `user` may record a certificate for: themselves; managers, their people too;
    admins, anyone active in the organization."""
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    if can_manage_org(user):
        return Person.objects.filter(org_id=me.org_id, is_active=True)
    if leads_people(user):
        return Person.objects.filter(pk__in=subtree_ids(me), is_active=True)
    return Person.objects.filter(pk=me.pk)


def can_add_certificate_for(user: Any, person: Person) -> bool:
    return certificate_holders(user).filter(pk=person.pk).exists()


def can_manage_certifications(user: Any) -> bool:
    """The list of certifications people can hold is the admins'."""
    return can_manage_org(user)


def can_print_record(user: Any, person: Person) -> bool:
    """The printable learning record: the person, the managers above them in the reporting
    line, and admins. Narrower than the page (executives outside the line read the page, not
    the signed-off print a person keeps or hands to an auditor)."""
    me = person_of(user)
    if me is None:
        return False
    if person.org_id != me.org_id:
        return False
    if can_manage_org(user):
        return True
    return person.pk in subtree_ids(me)


# --- evidence files ------------------------------------------------------------------------------


def can_view_evidence(user: Any, person: Person) -> bool:
    """A certificate's scan or a course's proof is personal: the person, the people above them in
    the reporting line, and admins. Not their peers, nor other teams' managers, whatever else of
    the record those may read."""
    me = person_of(user)
    if me is None:
        return False
    if person.org_id != me.org_id:
        return False
    if person.pk == me.pk:
        return True
    if can_manage_org(user):
        return True
    return person.pk in subtree_ids(me)


def can_attach_completion_evidence(user: Any, completion: Completion) -> bool:
    """The person, while their completion waits for approval or was sent back: an approved one
    is what their manager approved, evidence included."""
    me = person_of(user)
    if me is None:
        return False
    if completion.person_id != me.pk:
        return False
    return completion.status != Status.APPROVED


def can_remove_completion_evidence(user: Any, completion: Completion) -> bool:
    """The person as long as they may still change it; admins at any time (a file sent by
    mistake, a scan showing more than it should)."""
    if can_attach_completion_evidence(user, completion):
        return True
    me = person_of(user)
    if me is None:
        return False
    return completion.org_id == me.org_id and can_manage_org(user)


def can_attach_certificate_evidence(user: Any, certificate: Certificate) -> bool:
    """Whoever may record a certificate for its holder."""
    me = person_of(user)
    if me is None:
        return False
    if certificate.org_id != me.org_id:
        return False
    return certificate_holders(user).filter(pk=certificate.person_id).exists()


# --- sessions ------------------------------------------------------------------------------------


def visible_sessions(user: Any) -> QuerySet[TrainingSession]:
    """The sessions of the trainings `user` reads."""
    return TrainingSession.objects.filter(training__in=visible_trainings(user))


def can_schedule_session(user: Any, training: Training) -> bool:
    """Whoever may edit the training (admins; a team training's managers) schedules its runs."""
    return can_write(user) and can_edit_training(user, training)


def can_manage_session(user: Any, session: TrainingSession) -> bool:
    """Change or cancel a session: the same people as for scheduling it."""
    return can_schedule_session(user, session.training)


def _leads(me: Person, person: Person) -> bool:
    return person.pk != me.pk and person.pk in subtree_ids(me)


def can_enrol(user: Any, person: Person) -> bool:
    """A person enrols (and cancels) themself; their managers and admins do it for them.
    Executives are read-only, but like reporting a completion, their own learning is theirs."""
    me = person_of(user)
    if me is None or person.org_id != me.org_id or not person.is_active:
        return False
    if person.pk == me.pk:
        return True
    if not can_write(user):
        return False
    return can_manage_org(user) or _leads(me, person)


def enrollable_people(user: Any) -> QuerySet[Person]:
    """Whom `user` may enrol besides themself: the people below them; admins, anyone."""
    me = person_of(user)
    if me is None or not can_write(user):
        return Person.objects.none()
    if can_manage_org(user):
        return Person.objects.filter(org_id=me.org_id, is_active=True)
    return Person.objects.filter(pk__in=subtree_ids(me) - {me.pk}, is_active=True)


def can_take_attendance(user: Any, session: TrainingSession, person: Person) -> bool:
    """The session's facilitator, the person's managers and admins; never for oneself (it
    writes approved hours)."""
    me = person_of(user)
    if me is None or session.org_id != me.org_id or person.pk == me.pk or not can_write(user):
        return False
    return session.facilitator_id == me.pk or can_manage_org(user) or _leads(me, person)


def sees_whole_roster(user: Any, session: TrainingSession) -> bool:
    """The facilitator, who may manage the session, admins and executives read every name;
    others only the people they may read."""
    me = person_of(user)
    if me is None:
        return False
    if session.facilitator_id == me.pk or can_read_all(user):
        return True
    return can_edit_training(user, session.training)
