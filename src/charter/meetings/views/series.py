"""The 1:1 overview, series pages and the action items page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.meetings import selectors
from charter.meetings.access import (
    can_manage_series,
    can_start_series,
    can_take_part,
    direct_reports,
    visible_series,
)
from charter.meetings.forms import CadenceForm, SeriesForm, SkipForm
from charter.meetings.invitations import series_ics
from charter.meetings.models import Series
from charter.meetings.recurrence import describe
from charter.meetings.services import series as services
from charter.meetings.services.series import current_cadence, local_today, rule_of


def add_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@person_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My coming 1:1s, and for a manager each direct report's last and next one."""
    return render(
        request,
        "meetings/index.html",
        {
            "upcoming": selectors.upcoming_meetings(request.user),
            "rows": selectors.report_rows(request.user),
            "may_start": can_start_series(request.user),
            "without": selectors.reports_without_series(request.user),
            "today": local_today(request.person.org.time_zone or "UTC"),
        },
    )


@person_required
def series_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_start_series(request.user):
        raise PermissionDenied("Only a manager starts 1:1s, with their direct reports.")
    reports = direct_reports(request.user)
    initial: dict[str, Any] = {
        "time_zone": request.person.org.time_zone or "UTC",
        "frequency": "weekly",
    }
    if request.GET.get("report", "").isdigit():
        initial["report"] = reports.filter(pk=int(request.GET["report"])).first()
    form = SeriesForm(request.POST or None, reports=reports, initial=initial)
    if request.method == "POST" and form.is_valid():
        report = form.cleaned_data["report"]
        try:
            if report is None:
                made = services.series_create_for_team(
                    manager=request.person,
                    actor=request.user,
                    starts_on=form.cleaned_data["starts_on"],
                    cadence=form.cadence(),
                )
                messages.success(
                    request, f"{len(made)} 1:1 series started; invitations are on their way."
                )
                return redirect("meetings:index")
            series = services.series_create(
                manager=request.person,
                report=report,
                actor=request.user,
                starts_on=form.cleaned_data["starts_on"],
                cadence=form.cadence(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "1:1 series started; the invitation is on its way.")
            return redirect("meetings:series", series.pk)
    return render(
        request, "meetings/series_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _series_or_404(request: AuthenticatedHttpRequest, series_id: int) -> Series:
    series = (
        visible_series(request.user)
        .select_related("manager", "report")
        .filter(pk=series_id)
        .first()
    )
    if series is None:
        raise Http404("No such 1:1 series.")
    return series


def _series_page(request: AuthenticatedHttpRequest, series: Series, form: Any) -> HttpResponse:
    versions = list(series.cadences.order_by("effective_from"))
    current = current_cadence(series)
    return render(
        request,
        "meetings/series.html",
        {
            "series": series,
            "versions": [(v, describe(rule_of(v))) for v in versions],
            "current": current,
            "meetings": selectors.series_meetings(series)[:40],
            "may_manage": can_manage_series(request.user, series),
            "may_take_part": can_take_part(request.user, series),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@person_required
def series_detail(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    series = _series_or_404(request, series_id)
    form = None
    if can_manage_series(request.user, series):
        current = current_cadence(series)
        initial = {}
        if current is not None:
            initial = {
                "frequency": current.frequency,
                "weekday": current.weekday,
                "week_of_month": current.week_of_month,
                "local_time": current.local_time,
                "duration_minutes": current.duration_minutes,
                "time_zone": current.time_zone,
            }
        form = CadenceForm(initial=initial)
    return _series_page(request, series, form)


@require_POST
@person_required
def cadence_change(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    series = _series_or_404(request, series_id)
    if not can_manage_series(request.user, series):
        raise PermissionDenied("Only the series' manager changes its cadence.")
    form = CadenceForm(request.POST)
    if form.is_valid():
        try:
            services.cadence_change(
                series=series,
                actor=request.user,
                effective_from=form.cleaned_data["effective_from"],
                reason=form.cleaned_data["reason"],
                cadence=form.cadence(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Cadence changed; the updated invitation is on its way.")
            return redirect("meetings:series", series.pk)
    return _series_page(request, series, form)


@require_POST
@person_required
def series_end(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    series = _series_or_404(request, series_id)
    if not can_manage_series(request.user, series):
        raise PermissionDenied("Only the series' manager ends it.")
    form = SkipForm(request.POST)
    reason = (form.cleaned_data["reason"] if form.is_valid() else "") or "Ended by the manager."
    services.series_end(series=series, actor=request.user, reason=reason)
    messages.success(request, "Series ended; the cancellation is on its way.")
    return redirect("meetings:index")


@person_required
def series_invitation(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    """The current invitation as a file, for a calendar program (to its two people)."""
    series = _series_or_404(request, series_id)
    if request.person.pk not in (series.manager_id, series.report_id):
        raise PermissionDenied("The invitation is for the two people of the 1:1.")
    current = current_cadence(series)
    if current is None:
        raise Http404("This series has no cadence.")
    response = HttpResponse(
        series_ics(current, cancelled=series.ended_on is not None),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="1on1-{series.pk}.ics"'
    return response


@person_required
def my_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "meetings/actions.html",
        {
            "actions": selectors.my_open_actions(request.user),
            "today": local_today(request.person.org.time_zone or "UTC"),
        },
    )
