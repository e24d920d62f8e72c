from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from charter.core.http import AuthenticatedHttpRequest, paginate, person_required
from charter.org import selectors
from charter.org.access import can_manage_org, visible_people, visible_teams
from charter.org.models import Role


@person_required
def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    teams = visible_teams(request.user)
    team_id = request.GET.get("team", "")
    team = teams.filter(pk=int(team_id)).first() if team_id.isdigit() else None
    people = selectors.people_directory(
        request.user,
        query=request.GET.get("q", "").strip(),
        team=team,
        role=request.GET.get("role", "") if request.GET.get("role") in Role.values else "",
    )
    page = paginate(request, people, per_page=50)
    template = "org/directory_rows.html" if request.htmx else "org/directory.html"
    return render(request, template, {"page": page, "teams": teams, "roles": Role.choices})


@person_required
def person(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    target = get_object_or_404(
        visible_people(request.user).select_related("team", "manager"), pk=person_id
    )
    return render(request, "org/person.html", {"person": target})


@person_required
def person_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_manage_org(request.user):
        raise PermissionDenied("Only admins can add people.")
    return render(request, "org/person_form.html", {})


@person_required
def teams(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "org/teams.html", {"tree": selectors.team_tree(request.user)})


@person_required
def team(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    target = get_object_or_404(visible_teams(request.user), pk=team_id)
    members = selectors.people_directory(request.user, team=target)
    return render(request, "org/team.html", {"team": target, "members": members})


@person_required
def chart(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "org/chart.html", {"roots": selectors.org_chart(request.user)})
