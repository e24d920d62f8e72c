"""Writes to the org chart. Views, the API, imports and the CLI all call these."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import available_timezones

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from charter.accounts.services import login_access_revoke, login_email_change
from charter.core import audit
from charter.org.models import (
    Invitation,
    Organization,
    OwnerAlias,
    Person,
    RepTeamTotals,
    Role,
    Team,
)
from charter.org.signals import time_zone_changed
from charter.org.versions import data_version_bump

PERSON_AUDIT_FIELDS = [
    "full_name",
    "email",
    "title",
    "role",
    "team",
    "manager",
    "hire_date",
    "start_date",
    "leave_date",
    "is_active",
]


def normalise_alias(value: str) -> str:
    return " ".join(value.split()).lower()


def organization_create(*, name: str, actor: Any = None, **fields: Any) -> Organization:
    with transaction.atomic():
        org = Organization.objects.create(name=name, **fields)
        data_version_bump(org_id=org.pk)
        audit.record(actor=actor, action="org.organization.created", obj=org, after={"name": name})
    return org


# The reporting currency is not here: deals were converted into it when they were imported.
ORGANIZATION_FIELDS = ("name", "fiscal_year_start_month", "time_zone", "rep_team_totals")


def organization_update(*, org: Organization, actor: Any, **changes: Any) -> Organization:
    """Change the organization's name, fiscal calendar or time zone. A new time zone puts every
    activity on its day again (see `signals.time_zone_changed`)."""
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ValidationError({"fields": f"Unknown fields: {', '.join(sorted(unknown))}."})
    errors: dict[str, str] = {}
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
        if not changes["name"]:
            errors["name"] = "The organization needs a name."
    month = changes.get("fiscal_year_start_month", org.fiscal_year_start_month)
    if not isinstance(month, int) or not 1 <= month <= 12:
        errors["fiscal_year_start_month"] = "Choose the month the fiscal year starts in (1-12)."
    zone = changes.get("time_zone", org.time_zone)
    if zone not in available_timezones():
        errors["time_zone"] = f"{zone!r} is not a time zone such as Europe/Paris."
    if changes.get("rep_team_totals", org.rep_team_totals) not in RepTeamTotals.values:
        errors["rep_team_totals"] = f"Choose one of {', '.join(RepTeamTotals.values)}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        before = {name: getattr(org, name) for name in changes}
        changed = {name: value for name, value in changes.items() if before[name] != value}
        if not changed:
            return org
        for name, value in changed.items():
            setattr(org, name, value)
        org.save(update_fields=list(changed))
        # Scorecards show the name and count days into periods by the calendar and time zone.
        data_version_bump(org_id=org.pk)
        audit.record(
            actor=actor,
            action="org.organization.updated",
            obj=org,
            before={name: before[name] for name in changed},
            after=changed,
        )
        if "time_zone" in changed:
            time_zone_changed.send(Organization, org=org, actor=actor)
    return org


def _check_team_parent(team: Team, parent: Team | None) -> None:
    """Refuse a parent that would make the team tree loop."""
    if parent is not None and parent.pk == team.pk:
        raise ValidationError({"parent": f"{team} cannot be part of itself."})
    node = parent
    seen: set[int] = set()
    while node is not None and node.pk not in seen:
        if node.pk == team.pk:
            raise ValidationError(
                {"parent": f"{parent} is inside {team}; {team} cannot move under it."}
            )
        seen.add(node.pk)
        node = node.parent


def team_create(*, org: Organization, name: str, parent: Team | None = None, actor: Any) -> Team:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A team needs a name."})
    if Team.objects.filter(org=org, name__iexact=name).exists():
        raise ValidationError({"name": f"A team called {name!r} already exists."})
    if parent is not None and parent.org_id != org.pk:
        raise ValidationError({"parent": f"{parent} belongs to another organization."})
    with transaction.atomic():
        team = Team.objects.create(org=org, name=name, parent=parent)
        data_version_bump(org_id=org.pk)
        audit.record(
            actor=actor,
            action="org.team.created",
            obj=team,
            after=audit.snapshot(team, ["name", "parent"]),
        )
    return team


def team_update(*, team: Team, actor: Any, name: str, parent: Team | None) -> Team:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A team needs a name."})
    if Team.objects.filter(org=team.org, name__iexact=name).exclude(pk=team.pk).exists():
        raise ValidationError({"name": f"A team called {name!r} already exists."})
    if parent is not None and parent.org_id != team.org_id:
        raise ValidationError({"parent": f"{parent} belongs to another organization."})
    _check_team_parent(team, parent)
    before = audit.snapshot(team, ["name", "parent"])
    team.name, team.parent = name, parent
    if audit.snapshot(team, ["name", "parent"]) == before:
        return team  # the same form posted twice: nothing to change, nothing to log
    with transaction.atomic():
        team.save(update_fields=["name", "parent"])
        data_version_bump(org_id=team.org_id)
        audit.record(
            actor=actor,
            action="org.team.updated",
            obj=team,
            before=before,
            after=audit.snapshot(team, ["name", "parent"]),
        )
    return team


def check_reporting_line(person: Person, manager: Person | None) -> None:
    """Refuse a manager that would put `person` above themselves."""
    node = manager
    seen: set[int] = set()
    while node is not None and node.pk not in seen:
        if person.pk is not None and node.pk == person.pk:
            raise ValidationError(
                {"manager": f"{manager} reports to {person}; that would make a reporting cycle."}
            )
        seen.add(node.pk)
        node = node.manager


def _check_manager(org: Organization, manager: Person | None) -> None:
    if manager is None:
        return
    if manager.org_id != org.pk:
        raise ValidationError({"manager": f"{manager} belongs to another organization."})
    if not manager.is_active:
        raise ValidationError(
            {"manager": f"{manager} is deactivated; choose someone who is still here."}
        )


def _check_team(org: Organization, team: Team | None) -> None:
    if team is not None and team.org_id != org.pk:
        raise ValidationError({"team": f"{team} belongs to another organization."})


def _check_email(org: Organization, email: str, exclude_pk: int | None) -> str:
    email = email.strip().lower()
    if not email:
        return ""
    clash = Person.objects.filter(org=org, email__iexact=email)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"email": f"{email} already belongs to someone else."})
    return email


def _check_may_change_email(actor: Any) -> None:
    """Only admins (or the command line, with no actor) set or change a person's email: it is
    where their login's reset links go, so whoever sets it can take the login over."""
    from charter.org.access import can_manage_org

    if actor is not None and not can_manage_org(actor):
        raise PermissionDenied("Only admins change a person's email address.")


def person_create(
    *,
    org: Organization,
    actor: Any,
    full_name: str,
    email: str = "",
    title: str = "",
    role: str = Role.REP,
    team: Team | None = None,
    manager: Person | None = None,
    hire_date: dt.date | None = None,
    start_date: dt.date | None = None,
) -> Person:
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationError({"full_name": "A person needs a name."})
    if role not in Role.values:
        raise ValidationError(
            {"role": f"{role!r} is not a role; use one of {', '.join(Role.values)}."}
        )
    _check_team(org, team)
    _check_manager(org, manager)
    person = Person(
        org=org,
        full_name=full_name,
        email=_check_email(org, email, None),
        title=title.strip(),
        role=role,
        team=team,
        manager=manager,
        hire_date=hire_date,
        start_date=start_date or hire_date,
    )
    with transaction.atomic():
        person.save()
        data_version_bump(org_id=org.pk)
        audit.record(
            actor=actor,
            action="org.person.created",
            obj=person,
            after=audit.snapshot(person, PERSON_AUDIT_FIELDS),
        )
    return person


def person_update(*, person: Person, actor: Any, **changes: Any) -> Person:
    """Change any of the org-chart fields of a person; unknown fields are a programming error."""
    unknown = set(changes) - set(PERSON_AUDIT_FIELDS)
    if unknown:
        raise TypeError(f"person_update got unknown fields {sorted(unknown)}")
    if "full_name" in changes:
        changes["full_name"] = " ".join(str(changes["full_name"]).split())
        if not changes["full_name"]:
            raise ValidationError({"full_name": "A person needs a name."})
    if "email" in changes:
        changes["email"] = _check_email(person.org, changes["email"] or "", person.pk)
        if not changes["email"] and person.user_id:
            raise ValidationError(
                {"email": "This person signs in with their email; it cannot be removed."}
            )
    if "role" in changes and changes["role"] not in Role.values:
        raise ValidationError({"role": f"{changes['role']!r} is not a role."})
    if (
        "role" in changes
        and changes["role"] != Role.ADMIN
        and person.role == Role.ADMIN
        and actor is not None
        and getattr(actor, "pk", None) == person.user_id
    ):
        # Otherwise the last admin could lock everyone out of the org chart by accident.
        raise ValidationError({"role": "You cannot take away your own admin role."})
    if "team" in changes:
        _check_team(person.org, changes["team"])
    if "manager" in changes and getattr(changes["manager"], "pk", None) != person.manager_id:
        _check_manager(person.org, changes["manager"])
    if "manager" in changes:
        check_reporting_line(person, changes["manager"])
    if "email" in changes and changes["email"] != person.email:
        _check_may_change_email(actor)
    before = audit.snapshot(person, PERSON_AUDIT_FIELDS)
    for field, value in changes.items():
        setattr(person, field, value)
    after = audit.snapshot(person, PERSON_AUDIT_FIELDS)
    changed = [f for f in PERSON_AUDIT_FIELDS if before[f] != after[f]]
    if not changed:
        return person
    with transaction.atomic():
        person.save(update_fields=[*changed, "updated_at"])
        data_version_bump(org_id=person.org_id)
        if "email" in changed and person.user is not None:
            # The login's address is where reset links go: changing it is announced to the old
            # address and ends the login's sessions and tokens.
            login_email_change(user=person.user, email=person.email, actor=actor)
        audit.record(
            actor=actor,
            action="org.person.updated",
            obj=person,
            before={f: before[f] for f in changed},
            after={f: after[f] for f in changed},
        )
    return person


def person_deactivate(*, person: Person, actor: Any, leave_date: dt.date | None = None) -> Person:
    """Close the login and mark the person as gone; their history stays."""
    if not person.is_active:
        return person
    if actor is not None and getattr(actor, "pk", None) == person.user_id:
        raise ValidationError("You cannot deactivate yourself.")
    reports = list(
        Person.objects.filter(manager=person, is_active=True)
        .order_by("full_name")
        .values_list("full_name", flat=True)
    )
    if reports:
        names = ", ".join(reports[:5])
        if len(reports) > 5:
            names += f" and {len(reports) - 5} more"
        raise ValidationError(f"{person} still manages {names}; give them a new manager first.")
    leave = leave_date or timezone.localdate()
    with transaction.atomic():
        person.is_active = False
        person.leave_date = leave
        person.save(update_fields=["is_active", "leave_date", "updated_at"])
        data_version_bump(org_id=person.org_id)
        if person.user is not None:
            person.user.is_active = False
            person.user.save(update_fields=["is_active"])
            # Else an old cookie or token would work again the day the person is reactivated.
            login_access_revoke(user=person.user, actor=actor, reason="deactivated")
        audit.record(
            actor=actor,
            action="org.person.deactivated",
            obj=person,
            before={"is_active": True, "leave_date": None},
            after={"is_active": False, "leave_date": leave.isoformat()},
        )
    return person


def person_reactivate(*, person: Person, actor: Any) -> Person:
    if person.is_active:
        return person
    with transaction.atomic():
        before_leave = person.leave_date
        person.is_active = True
        person.leave_date = None
        person.save(update_fields=["is_active", "leave_date", "updated_at"])
        data_version_bump(org_id=person.org_id)
        if person.user is not None:
            person.user.is_active = True
            person.user.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="org.person.reactivated",
            obj=person,
            before={"is_active": False, "leave_date": before_leave},
            after={"is_active": True, "leave_date": None},
        )
    return person


# An invitation repeated within this window is the same request sent twice, not a new one.
INVITE_REPEAT_WINDOW = dt.timedelta(minutes=2)


def person_invite(*, person: Person, actor: Any, email: str | None = None) -> Invitation:
    """Give the person a login (without a password yet) and email them a set-password link.

    An `email` other than the one on file is saved first, which only admins may do. Every check
    comes before any write, and the writes are one transaction: a refused invitation changes
    nothing."""
    from charter.accounts.models import User
    from charter.org import tasks

    if not person.is_active:
        raise ValidationError(f"{person} is deactivated; reactivate them before inviting.")
    new_email = None
    if email is not None and email.strip().lower() != person.email:
        new_email = email.strip().lower()
        _check_may_change_email(actor)
    if person.user is not None and person.user.has_usable_password():
        raise ValidationError(f"{person} already signs in; they can reset their password instead.")
    if not (new_email or person.email):
        raise ValidationError(
            {
                "email": f"{person} has no email address to send the invitation to; an admin "
                "adds it to their record."
            }
        )
    with transaction.atomic():
        # Lock the person so two submissions of the same invite (a double click, two tabs)
        # queue here; the second finds the first's invitation and sends nothing more.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if new_email is not None:
            person_update(person=person, actor=actor, email=new_email)
        recent = Invitation.objects.filter(
            person=person,
            email=person.email,
            accepted_at__isnull=True,
            created_at__gte=timezone.now() - INVITE_REPEAT_WINDOW,
        ).first()
        if recent is not None:
            return recent
        if person.user is None:
            existing = User.objects.filter(email__iexact=person.email).first()
            if existing is not None and hasattr(existing, "person"):
                raise ValidationError(
                    {"email": f"{person.email} is already used by another login."}
                )
            user = existing or User.objects.create_user(person.email)
            person.user = user
            person.save(update_fields=["user", "updated_at"])
            data_version_bump(org_id=person.org_id)
        invitation = Invitation.objects.create(person=person, email=person.email, invited_by=actor)
        audit.record(
            actor=actor, action="org.person.invited", obj=person, after={"email": person.email}
        )
        transaction.on_commit(lambda: tasks.send_invitation.enqueue(invitation_id=invitation.pk))
    return invitation


def invitation_accept(*, user: Any) -> None:
    """Called once the invited person has set their password."""
    with transaction.atomic():
        pending = Invitation.objects.filter(person__user=user, accepted_at__isnull=True)
        if pending.update(accepted_at=timezone.now()):
            audit.record(actor=user, action="org.invitation.accepted", obj=user.person)


def owner_alias_add(
    *, person: Person, actor: Any, kind: str, value: str, source: str = ""
) -> OwnerAlias:
    norm = normalise_alias(value)
    if not norm:
        raise ValidationError({"value": "An alias cannot be empty."})
    if kind not in OwnerAlias.Kind.values:
        raise ValidationError({"kind": f"{kind!r} is not an alias kind."})
    clash = (
        OwnerAlias.objects.filter(org=person.org, kind=kind, value=norm)
        .select_related("person")
        .first()
    )
    if clash is not None:
        if clash.person_id == person.pk:
            return clash
        raise ValidationError({"value": f"{value!r} already points at {clash.person}."})
    with transaction.atomic():
        alias = OwnerAlias.objects.create(
            org=person.org, person=person, kind=kind, value=norm, source=source
        )
        audit.record(
            actor=actor,
            action="org.owner_alias.added",
            obj=person,
            after={"kind": kind, "value": norm, "source": source},
        )
    return alias


def owner_alias_remove(*, alias: OwnerAlias, actor: Any) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="org.owner_alias.removed",
            obj=alias.person,
            before={"kind": alias.kind, "value": alias.value, "source": alias.source},
        )
        alias.delete()


def person_login_create(*, person: Person, actor: Any, password: str) -> Any:
    """Give a person a login with a password an operator chose (`charter createadmin`, the demo
    company). Everyone else is invited and chooses their own password."""
    from django.contrib.auth.password_validation import validate_password

    from charter.accounts.models import User

    if not person.is_active:
        raise ValidationError(f"{person} is deactivated; reactivate them first.")
    if not person.email:
        raise ValidationError({"email": f"{person} needs an email address to sign in with."})
    if person.user_id is not None:
        raise ValidationError(f"{person} already has a login.")
    if User.objects.filter(email__iexact=person.email).exists():
        raise ValidationError({"email": f"{person.email} is already used by another login."})
    try:
        validate_password(password, user=User(email=person.email))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    with transaction.atomic():
        user = User.objects.create_user(person.email, password)
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        data_version_bump(org_id=person.org_id)
        audit.record(
            actor=actor, action="org.person.login_created", obj=person, after={"email": user.email}
        )
    return user
