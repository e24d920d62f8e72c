"""Learning requirements and who meets them: the requirement pages and the team page."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from charter.core.downloads import download_name
from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.learning import selectors
from charter.learning.access import (
    can_manage_requirements,
    can_revise_requirement,
    can_set_requirement_for,
    can_view_team_compliance,
    training_teams,
    visible_requirements,
    visible_trainings,
)
from charter.learning.compliance import LABELS, STATES
from charter.learning.forms import RequirementForm, RevisionForm
from charter.learning.models import (
    Certification,
    RequiredCertification,
    RequiredTraining,
    RequirementVersion,
    Scope,
)
from charter.learning.selectors import org_today
from charter.learning.services import requirements as services
from charter.learning.views.completions import _add_errors
from charter.org.access import can_manage_org
from charter.org.models import Team


def _certifications(request: AuthenticatedHttpRequest) -> object:
    return Certification.objects.filter(org_id=request.person.org_id, is_active=True)


@person_required
def requirement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_manage = can_manage_requirements(request.user)
    form = None
    if can_manage:
        form = RequirementForm(
            request.POST or None,
            teams=training_teams(request.user),
            scopes=list(Scope.values) if can_manage_org(request.user) else [Scope.TEAM],
            trainings=visible_trainings(request.user).filter(is_active=True),
            certifications=_certifications(request),
            initial={"effective_from": org_today(request.person.org)},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Admins and team managers set learning requirements.")
        if form.is_valid():
            data = form.cleaned_data
            team = data["team"] if data["scope"] == Scope.TEAM else None
            if not can_set_requirement_for(request.user, data["scope"], team):
                form.add_error("team", "You set requirements for the teams you run only.")
            else:
                try:
                    requirement = services.requirement_create(
                        org=request.person.org, actor=request.user, name=data["name"],
                        scope=data["scope"], role=data["role"], team=team, **form.content(),
                    )  # fmt: skip
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    messages.success(request, f"“{requirement.name}” is set.")
                    return redirect("learning:requirement", requirement_id=requirement.pk)
    requirements = visible_requirements(request.user).select_related("team")
    return render(
        request, "learning/requirements.html", {"requirements": requirements, "form": form}
    )


@person_required
def requirement_detail(request: AuthenticatedHttpRequest, requirement_id: int) -> HttpResponse:
    requirement = visible_requirements(request.user).filter(pk=requirement_id).first()
    if requirement is None:
        raise Http404("No such requirement.")
    can_revise = can_revise_requirement(request.user, requirement)
    form = None
    if can_revise:
        form = RevisionForm(
            request.POST or None,
            trainings=visible_trainings(request.user).filter(is_active=True),
            certifications=_certifications(request),
            initial={"effective_from": org_today(request.person.org)},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only admins and the team's managers change it.")
        if form.is_valid():
            try:
                services.requirement_revise(
                    requirement=requirement, actor=request.user,
                    reason=form.cleaned_data["reason"], is_active=not form.cleaned_data["ends"],
                    **form.content(),
                )  # fmt: skip
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "The new version is saved.")
                return redirect("learning:requirement", requirement_id=requirement.pk)
    versions = RequirementVersion.objects.filter(requirement=requirement).prefetch_related(
        Prefetch("trainings", RequiredTraining.objects.select_related("training")),
        Prefetch("certifications", RequiredCertification.objects.select_related("certification")),
    )
    return render(
        request,
        "learning/requirement.html",
        {
            "requirement": requirement,
            "versions": versions.order_by("-effective_from"),
            "form": form,
            # Allowed to set, but said: whom a rule counting from a missing date cannot reach.
            "cannot_apply": selectors.cannot_apply_to(
                request.user, requirement, org_today(request.person.org)
            ),
        },
    )


@person_required
def team(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    """Who in a team is behind on what they are asked to learn."""
    found = get_object_or_404(Team, pk=team_id, org_id=request.person.org_id)
    if not can_view_team_compliance(request.user, found):
        raise Http404("No such team.")
    day = org_today(request.person.org)
    rows = selectors.team_compliance(request.user, found, day)
    return render(
        request,
        "learning/team.html",
        {
            "team": found, "rows": rows, "day": day,
            "states": [(s, LABELS[s]) for s in STATES],
        },
    )  # fmt: skip


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading =, +, - or @ would make it a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@person_required
def team_csv(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    """The team page as rows: one per person and item asked of them."""
    found = get_object_or_404(Team, pk=team_id, org_id=request.person.org_id)
    if not can_view_team_compliance(request.user, found):
        raise Http404("No such team.")
    day = org_today(request.person.org)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = download_name(found.name, "learning", day.isoformat(), extension="csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        ["person", "email", "team", "requirement", "item", "state", "due", "hours_done",
         "hours_asked", "why"]
    )  # fmt: skip
    for row in selectors.team_compliance(request.user, found, day):
        for item in row.items:
            writer.writerow(
                _cell(v)
                for v in (
                    row.person.full_name,
                    row.person.email,
                    row.person.team.name if row.person.team else "",
                    item.requirement,
                    item.label,
                    item.status,
                    item.due.isoformat() if item.due else "",
                    item.hours_done,
                    item.hours_asked,
                    item.reason,
                )
            )
    return response
