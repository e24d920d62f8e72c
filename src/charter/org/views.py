"""Pages of the org chart: people, teams, the reporting tree, and the forms that change them.

Every object is loaded through `visible_people` / `visible_teams`, so something outside the
user's scope is a 404 (its existence is not revealed); something in scope that the user may not
change is a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from charter.core.http import AuthenticatedHttpRequest, paginate, person_required
from charter.core.imports.forms import UploadForm
from charter.core.imports.runner import get_importer
from charter.core.imports.views import ImportFlow
from charter.core.registry import sections_for
from charter.org import forms, selectors, services
from charter.org.access import (
    can_invite,
    can_manage_org,
    can_view_history,
    visible_people,
    visible_teams,
)
from charter.org.models import OwnerAlias, Person, Team
from charter.org.selectors import describe, person_history

# Tokens of create/invite forms already acted on, per session: a second post of the same form
# (double click, reload, back button) lands on the result instead of acting again.
DONE_KEY = "charter_done_submissions"


def _done_url(request: AuthenticatedHttpRequest, form: forms.SubmitOnceForm) -> str | None:
    token = form.data.get("submission")
    done: dict[str, str] = request.session.get(DONE_KEY, {})
    return done.get(token) if token else None


def _mark_done(request: AuthenticatedHttpRequest, form: forms.SubmitOnceForm, url: str) -> None:
    token = form.cleaned_data.get("submission")
    if not token:
        return
    done: dict[str, str] = request.session.get(DONE_KEY, {})
    done[token] = url
    request.session[DONE_KEY] = dict(list(done.items())[-50:])


def _posted(request: AuthenticatedHttpRequest) -> Any:
    """The POST data, even when empty (a form with no fields is still submitted)."""
    return request.POST if request.method == "POST" else None


def _people(request: AuthenticatedHttpRequest) -> QuerySet[Person]:
    return visible_people(request.user).select_related("team", "manager", "user")


def _require_admin(request: AuthenticatedHttpRequest, what: str) -> None:
    if not can_manage_org(request.user):
        raise PermissionDenied(f"Only admins can {what}.")


@person_required
def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.DirectoryFilterForm(request.GET or None, user=request.user)
    people = selectors.people_directory(request.user, **form.filters())
    page = paginate(request, people, per_page=50)
    context = {
        "form": form,
        "page": page,
        "can_manage": can_manage_org(request.user),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    template = "org/directory_rows.html" if request.htmx else "org/directory.html"
    return render(request, template, context)


@person_required
def person(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    target = get_object_or_404(selectors.with_login_state(_people(request)), pk=person_id)
    return render(request, "org/person.html", _person_context(request, target))


def _person_context(
    request: AuthenticatedHttpRequest, target: Person, **extra: Any
) -> dict[str, Any]:
    user = request.user
    admin = can_manage_org(user)
    may_invite = (
        target.is_active
        and target.login_state != selectors.LoginState.ACTIVE  # type: ignore[attr-defined]
        and can_invite(user, target)
    )
    manager_visible = (
        target.manager_id is not None and visible_people(user).filter(pk=target.manager_id).exists()
    )
    context = {
        "person": target,
        "manager_visible": manager_visible,
        "reports": selectors.visible_direct_reports(user, target),
        "aliases": list(target.owner_aliases.all()),
        "show_history": can_view_history(user, target),
        "history": describe(person_history(user, target), user=user),
        "can_edit": admin,
        "can_invite": may_invite,
        "can_deactivate": admin and target.is_active and target.pk != request.person.pk,
        "can_reactivate": admin and not target.is_active,
        "invite_form": forms.InviteForm(person=target, may_set_email=admin) if may_invite else None,
        "alias_form": forms.OwnerAliasForm() if admin else None,
        # What other apps show about the person (their badges).
        "sections": sections_for("org.person", user, target),
    }
    context.update(extra)
    return context


def _submit_once(
    request: AuthenticatedHttpRequest,
    form: forms.SubmitOnceForm,
    act: Callable[[], Any],
    done: Callable[[Any], tuple[str, str]],
) -> HttpResponse | None:
    """Act on a create or invite form once: a repeated post lands where the first one did.
    `act` calls the service; `done` gives, from its result, the address to go to and the
    message to show. None means: show the form (again)."""
    if request.method != "POST":
        return None
    url = _done_url(request, form)
    if url:
        return redirect(url)
    if not form.is_valid():
        return None
    try:
        result = act()
    except ValidationError as exc:
        forms.apply_service_error(form, exc)
        return None
    url, message = done(result)
    _mark_done(request, form, url)
    messages.success(request, message)
    return redirect(url)


@person_required
def person_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request, "add people")
    form = forms.PersonForm(_posted(request), user=request.user)
    response = _submit_once(
        request,
        form,
        lambda: services.person_create(
            org=request.person.org, actor=request.user, **form.changes()
        ),
        lambda created: (
            reverse("org:person", args=[created.pk]),
            f"{created.full_name} is in the org chart.",
        ),
    )
    return response or render(request, "org/person_form.html", {"form": form, "person": None})


@person_required
def person_edit(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    target = get_object_or_404(_people(request), pk=person_id)
    _require_admin(request, "edit people")
    form = forms.PersonForm(_posted(request), user=request.user, person=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=target, actor=request.user, **form.changes())
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, f"{target.full_name} is saved.")
            return redirect("org:person", person_id=target.pk)
    return render(request, "org/person_form.html", {"form": form, "person": target})


@person_required
def person_invite(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    target = get_object_or_404(selectors.with_login_state(_people(request)), pk=person_id)
    if not can_invite(request.user, target):
        raise PermissionDenied("You may invite only people below you in the org chart.")
    form = forms.InviteForm(
        _posted(request), person=target, may_set_email=can_manage_org(request.user)
    )
    response = _submit_once(
        request,
        form,
        lambda: services.person_invite(
            person=target, actor=request.user, email=form.cleaned_data.get("email")
        ),
        lambda invitation: (
            reverse("org:person", args=[target.pk]),
            f"Invitation sent to {invitation.email}. The link works for 3 days.",
        ),
    )
    return response or render(request, "org/person_invite.html", {"person": target, "form": form})


@person_required
def person_deactivate(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    target = get_object_or_404(_people(request), pk=person_id)
    _require_admin(request, "deactivate people")
    form = forms.DeactivateForm(_posted(request))
    if not target.is_active:
        messages.info(request, f"{target.full_name} is already deactivated.")
        return redirect("org:person", person_id=target.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_deactivate(
                person=target, actor=request.user, leave_date=form.cleaned_data["leave_date"]
            )
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(
                request, f"{target.full_name} is deactivated; their history stays in Charter."
            )
            return redirect("org:person", person_id=target.pk)
    reports = list(target.reports.filter(is_active=True).order_by("full_name"))
    return render(
        request,
        "org/person_deactivate.html",
        {"person": target, "form": form, "active_reports": reports},
    )


@require_POST
@person_required
def person_reactivate(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    target = get_object_or_404(_people(request), pk=person_id)
    _require_admin(request, "reactivate people")
    if target.is_active:
        messages.info(request, f"{target.full_name} is already active.")
    else:
        services.person_reactivate(person=target, actor=request.user)
        messages.success(request, f"{target.full_name} is active again.")
    return redirect("org:person", person_id=target.pk)


@require_POST
@person_required
def alias_add(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    target = get_object_or_404(selectors.with_login_state(_people(request)), pk=person_id)
    _require_admin(request, "change CRM owner aliases")
    form = forms.OwnerAliasForm(request.POST)
    if form.is_valid():
        try:
            alias = services.owner_alias_add(person=target, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, f"CRM records owned by {alias.value!r} now count as theirs.")
            return redirect(reverse("org:person", args=[target.pk]) + "#aliases")
    context = _person_context(request, target, alias_form=form)
    return render(request, "org/person.html", context, status=400)


@require_POST
@person_required
def alias_remove(request: AuthenticatedHttpRequest, person_id: int, alias_id: int) -> HttpResponse:
    target = get_object_or_404(_people(request), pk=person_id)
    _require_admin(request, "change CRM owner aliases")
    alias = get_object_or_404(OwnerAlias, pk=alias_id, person=target)
    services.owner_alias_remove(alias=alias, actor=request.user)
    messages.success(request, f"Alias {alias.value!r} removed.")
    return redirect(reverse("org:person", args=[target.pk]) + "#aliases")


@person_required
def teams(request: AuthenticatedHttpRequest) -> HttpResponse:
    tree = selectors.team_tree(request.user)
    admin = can_manage_org(request.user)
    context = {
        "rows": selectors.flatten_tree(tree),
        "can_manage": admin,
        "form": forms.TeamForm(user=request.user) if admin else None,
    }
    return render(request, "org/teams.html", context)


@person_required
def team_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request, "create teams")
    form = forms.TeamForm(_posted(request), user=request.user)
    response = _submit_once(
        request,
        form,
        lambda: services.team_create(
            org=request.person.org,
            actor=request.user,
            name=form.cleaned_data["name"],
            parent=form.cleaned_data["parent"],
        ),
        lambda created: (reverse("org:team", args=[created.pk]), f"Team {created.name} created."),
    )
    return response or render(request, "org/team_form.html", {"form": form, "team": None})


def _team_or_404(request: AuthenticatedHttpRequest, team_id: int) -> Team:
    return get_object_or_404(visible_teams(request.user).select_related("parent"), pk=team_id)


@person_required
def team(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    target = _team_or_404(request, team_id)
    nodes = {
        node.team.pk: node for _, node in selectors.flatten_tree(selectors.team_tree(request.user))
    }
    members = selectors.people_directory(request.user, team=target)
    page = paginate(request, members, per_page=100)
    node = nodes[target.pk]
    context = {
        "team": target,
        "node": node,
        "subteams": node.children,
        "ancestors": selectors.team_ancestors(target),
        "page": page,
        "can_manage": can_manage_org(request.user),
    }
    return render(request, "org/team.html", context)


@person_required
def team_edit(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    target = _team_or_404(request, team_id)
    _require_admin(request, "change teams")
    form = forms.TeamForm(_posted(request), user=request.user, team=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(
                team=target,
                actor=request.user,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
            )
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, f"Team {target.name} saved.")
            return redirect("org:team", team_id=target.pk)
    return render(request, "org/team_form.html", {"form": form, "team": target})


@person_required
def chart(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "org/chart.html", {"roots": selectors.org_chart(request.user)})


@person_required
def org_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organization's name, fiscal calendar and time zone (admins change them)."""
    me = request.user.person
    org = me.org
    editable = can_manage_org(request.user)
    if request.method == "POST":
        _require_admin(request, "change the organization's settings")
    form = forms.OrganizationForm(_posted(request), org=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(org=org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, "Organization settings saved.")
            return redirect("org:settings")
    return render(request, "org/settings.html", {"form": form, "org": org, "editable": editable})


# -- the people upload page: the shared import steps of `core.imports.views`, for people ----
# Admins only. What the page says about people files lives in the org/import*.html templates.

PEOPLE_KIND = "people"


def _people_upload_form(*args: Any, **kwargs: Any) -> UploadForm:
    # Built per request: the importer registry is complete only once the apps are ready.
    return UploadForm(*args, importer=get_importer(PEOPLE_KIND), **kwargs)


PEOPLE_IMPORT = ImportFlow(
    kinds=(PEOPLE_KIND,),
    namespace="org",
    upload_url="org:import_people",
    title="Import people",
    can_import=can_manage_org,
    denied="Only admins can import people.",
    upload_form=_people_upload_form,
    upload_template="org/import.html",
    preview_template="org/import_preview.html",
    status_template="org/import_run_status.html",
)
