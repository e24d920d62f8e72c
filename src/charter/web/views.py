"""The shell pages every app hangs off: the home page (hosting the panels other apps register),
the audit log and the background jobs."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from charter.core import registry
from charter.core.http import AuthenticatedHttpRequest, paginate, person_required
from charter.org import selectors as org_selectors
from charter.org.access import (
    can_invite_someone,
    can_manage_org,
    leads_people,
    reads_org_overview,
)
from charter.web import selectors


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return _home(request)


@person_required
def _home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        **org_selectors.home_summary(user),
        "recent_changes": org_selectors.describe(org_selectors.recent_changes(user), user=user),
    }
    if leads_people(user):
        context["reports"] = org_selectors.visible_direct_reports(user, request.person)
    if can_invite_someone(user):
        context["to_invite"] = org_selectors.people_to_invite(user, limit=8)
    if can_manage_org(user):
        context["jobs"] = list(selectors.visible_jobs(user)[:5])
    if reads_org_overview(user):
        context["team_rows"] = org_selectors.flatten_tree(org_selectors.team_tree(user))
    context["panels"] = _panels(user)
    # Each role has a home page of its own; the role picks the template, the rules above what
    # is read for it.
    return render(request, f"web/home_{request.person.role}.html", context)


def _panels(user: Any) -> list[dict[str, Any]]:
    """The cards other apps contribute (what to sign, questions to answer, …), in order."""
    shown = []
    for panel in sorted(registry.home_panels.values(), key=lambda p: (p.order, p.name)):
        panel_context = panel.func(user)
        if panel_context is not None:
            shown.append({"template": panel.template, **panel_context})
    return shown


def _parse_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _audit_filters(request: HttpRequest) -> dict[str, Any]:
    return {
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "object_type": request.GET.get("object_type", "").strip(),
        "query": request.GET.get("q", "").strip(),
        "since": _parse_date(request.GET.get("since")),
        "until": _parse_date(request.GET.get("until")),
    }


@person_required
def audit(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_manage_org(request.user):
        raise PermissionDenied("Only admins can read the audit log.")
    filters = _audit_filters(request)
    events = selectors.audit_events(request.user, **filters)
    page = paginate(request, events, per_page=50)
    template = "web/audit_rows.html" if request.htmx else "web/audit.html"
    context = {
        "page": page,
        "filters": filters,
        "object_types": selectors.audit_object_types(request.user),
    }
    return render(request, template, context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@person_required
def audit_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    if not can_manage_org(request.user):
        raise PermissionDenied("Only admins can export the audit log.")
    events = selectors.audit_events(request.user, **_audit_filters(request))
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(
            ["at", "actor", "action", "object_type", "object_id", "object", "before", "after", "ip"]
        )
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.at.isoformat(),
                    _safe_cell(e.actor_label),
                    e.action,
                    e.object_type,
                    e.object_id,
                    _safe_cell(e.object_repr),
                    _safe_cell(
                        json.dumps(e.before, sort_keys=True) if e.before is not None else ""
                    ),
                    _safe_cell(json.dumps(e.after, sort_keys=True) if e.after is not None else ""),
                    e.ip_address or "",
                ]
            )

    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="charter-audit-{stamp}.csv"'
    return response


def _safe_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


@person_required
def jobs(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, selectors.visible_jobs(request.user), per_page=30)
    return render(request, "web/jobs.html", {"page": page})


@person_required
def job_detail(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(selectors.visible_jobs(request.user), pk=job_id)
    template = "web/job_progress.html" if request.htmx else "web/job.html"
    return render(request, template, {"job": job})
