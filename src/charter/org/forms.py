"""Forms of the org pages. They parse and check input; the services decide and write."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When

from charter.org.access import visible_people
from charter.org.models import Organization, OwnerAlias, Person, RepTeamTotals, Role, Team
from charter.org.selectors import LoginState, flatten_tree, team_subtree_ids, team_tree

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TeamChoiceField(forms.ModelChoiceField):
    """Teams shown indented under their parents, so the tree reads in a plain <select>."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.depths: dict[int, int] = {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * self.depths.get(obj.pk, 0) + obj.name


def _tree_ordered(field: TeamChoiceField, user: Any, exclude: set[int] | None = None) -> None:
    """Offer the teams `user` may see in tree order, each indented by its depth."""
    flat = [(d, n) for d, n in flatten_tree(team_tree(user)) if n.team.pk not in (exclude or ())]
    field.depths = {n.team.pk: d for d, n in flat}
    order = Case(*[When(pk=n.team.pk, then=Value(i)) for i, (_, n) in enumerate(flat)])
    ids = [n.team.pk for _, n in flat]
    field.queryset = Team.objects.filter(pk__in=ids).order_by(order) if ids else Team.objects.none()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} · {obj.title}" if obj.title else obj.full_name


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs=dict(type="search", placeholder="Name, email or title")),
    )
    team = TeamChoiceField(queryset=Team.objects.none(), required=False, empty_label="All teams")
    role = forms.ChoiceField(choices=[("", "All roles"), *Role.choices], required=False)
    login = forms.ChoiceField(
        label="Sign-in", choices=[("", "Anyone"), *LoginState.choices], required=False
    )
    inactive = forms.BooleanField(label="Include people who left", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tree_ordered(self.fields["team"], user)  # type: ignore[arg-type]

    def filters(self) -> dict[str, Any]:
        """The cleaned filters; anything unreadable is treated as not given."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return {
            "query": (data.get("q") or "").strip(),
            "team": data.get("team"),
            "role": data.get("role") or "",
            "login": data.get("login") or "",
            "include_inactive": bool(data.get("inactive")),
        }


class SubmitOnceForm(forms.Form):
    """Carries a one-time token so a create form posted twice acts once (see `views._once`)."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission"] = secrets.token_urlsafe(16)


class PersonForm(SubmitOnceForm):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(
        required=False,
        help_text="Needed to invite them; you can add it later.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    title = forms.CharField(max_length=120, required=False, help_text="e.g. Account Executive")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REP)
    team = TeamChoiceField(queryset=Team.objects.none(), required=False, empty_label="No team")
    manager = PersonChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="Nobody (top of the chart)"
    )
    hire_date = forms.DateField(label="Hire date", required=False, widget=DATE)
    start_date = forms.DateField(
        label="Start date",
        required=False,
        widget=DATE,
        help_text="When they started in this role.",
    )
    leave_date = forms.DateField(label="Leave date", required=False, widget=DATE)

    def __init__(self, *args: Any, user: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        _tree_ordered(self.fields["team"], user)  # type: ignore[arg-type]
        managers = visible_people(user).filter(is_active=True)
        if person is not None:
            # Keep a manager who has since left selectable, so other edits still save.
            if person.manager_id is not None:
                managers = managers | visible_people(user).filter(pk=person.manager_id)
            managers = managers.exclude(pk=person.pk)
            for name in ("full_name", "email", "title", "role", "team", "manager"):
                self.initial.setdefault(name, getattr(person, name))
            for name in ("hire_date", "start_date", "leave_date"):
                self.initial.setdefault(name, getattr(person, name))
        else:
            del self.fields["leave_date"]
            self.fields[
                "start_date"
            ].help_text = "When they started in this role; the hire date if left empty."
        self.fields["manager"].queryset = managers.order_by("full_name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hire, start, leave = data.get("hire_date"), data.get("start_date"), data.get("leave_date")
        if hire and start and start < hire:
            self.add_error("start_date", "The start date cannot be before the hire date.")
        if leave and (start or hire) and leave < (start or hire):
            self.add_error("leave_date", "The leave date cannot be before they started.")
        return data

    def changes(self) -> dict[str, Any]:
        """The service arguments; `submission` is the form's, not the person's."""
        return {k: v for k, v in self.cleaned_data.items() if k != "submission"}


class InviteForm(SubmitOnceForm):
    email = forms.EmailField(
        label="Email to send the invitation to",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, person: Person, may_set_email: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        if person.email or not may_set_email:
            # The invitation goes to the address on file; only a person without one needs a
            # field, and only an admin may fill it in (it is where reset links will go).
            del self.fields["email"]

    @property
    def asks_email(self) -> bool:
        return "email" in self.fields


class DeactivateForm(forms.Form):
    leave_date = forms.DateField(
        label="Last day", required=False, widget=DATE, help_text="Today if left empty."
    )


class OwnerAliasForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=OwnerAlias.Kind.choices)
    value = forms.CharField(
        label="Value",
        max_length=200,
        help_text="As the CRM export spells it; case does not matter.",
    )
    source = forms.CharField(
        label="Source", max_length=60, required=False, help_text="e.g. salesforce, hubspot"
    )


class TeamForm(SubmitOnceForm):
    name = forms.CharField(max_length=120)
    parent = TeamChoiceField(
        label="Part of", queryset=Team.objects.none(), required=False, empty_label="Nothing (top)"
    )

    def __init__(self, *args: Any, user: Any, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        # A team cannot move under itself or its subteams; the service refuses that too.
        below = team_subtree_ids(team) if team is not None else set()
        _tree_ordered(self.fields["parent"], user, exclude=below)  # type: ignore[arg-type]
        if team is not None:
            self.initial.setdefault("name", team.name)
            self.initial.setdefault("parent", team.parent_id)


MONTHS = [(n, dt.date(2000, n, 1).strftime("%B")) for n in range(1, 13)]


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200)
    fiscal_year_start_month = forms.TypedChoiceField(
        label="Fiscal year starts in",
        choices=MONTHS,
        coerce=int,
        help_text="Quarters and fiscal years count from this month. A fiscal year is named after "
        "the calendar year it ends in (a February start makes FY2018 run Feb 2017 - Jan 2018).",
    )
    time_zone = forms.ChoiceField(
        help_text="Which day an activity counts on. Changing it recomputes the KPI rollups in "
        "the background.",
    )

    rep_team_totals = forms.ChoiceField(
        label="Team scorecards a rep may open",
        choices=RepTeamTotals.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Totals only: a rep never sees another person's figures. A team above theirs "
        "adds up sibling teams too.",
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = self.fields["time_zone"]
        assert isinstance(zones, forms.ChoiceField)
        zones.choices = [(z, z) for z in sorted(available_timezones())]
        for name in ("name", "fiscal_year_start_month", "time_zone", "rep_team_totals"):
            self.initial.setdefault(name, getattr(org, name))

    def clean_rep_team_totals(self) -> str:
        # Left out of a post (an older form or a script): the setting stays as it is.
        value: str = self.cleaned_data.get("rep_team_totals") or self.initial["rep_team_totals"]
        return value


def apply_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)
