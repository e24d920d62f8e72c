"""Scorecard pages: my dashboard, someone else's, a team's grid, the org view, the leaderboards
and their exports.

Every page takes `?period=` (a label such as 2017-Q2; the current quarter without it). One view
answers the whole page and, for htmx, just the part that changes, so the period picker and the
sort headers update in place while the URL stays shareable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBase
from django.http.request import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.core.periods import Period, PeriodError
from charter.kpis import access, cache, charts, dashboards, exports
from charter.kpis.dashboards import SORT_NAME, SORT_SCORE, Dashboard, TeamGrid
from charter.kpis.models import LeaderboardVisibility
from charter.kpis.scoring import KpiResult
from charter.kpis.selectors.calendar import org_today, period_of, recent_periods
from charter.kpis.selectors.definitions import scorecard_settings
from charter.kpis.selectors.subjects import Scorecard
from charter.kpis.templatetags.kpis_format import kpi_value, score_status, status_heat
from charter.org.access import visible_people
from charter.org.models import Organization, Person, Team


class BadPeriod(Exception):
    """The page was asked for a period label that names no period."""


def _period(request: AuthenticatedHttpRequest, org: Organization) -> Period:
    try:
        return period_of(org, request.GET.get("period", "").strip() or None)
    except PeriodError as error:
        raise BadPeriod(str(error)) from error


def _answers_bad_period(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page of a period answers a label that names no period with a 400 page saying why,
    wherever in the view `_period` finds it out."""

    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except BadPeriod as error:
            context = {"reason": str(error)}
            return render(request, "kpis/scorecards/bad_period.html", context, status=400)

    return wrapper


def _query(request: AuthenticatedHttpRequest, **changes: str) -> str:
    params: QueryDict = request.GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value:
            params[key] = value
    return params.urlencode()


def _base_context(
    request: AuthenticatedHttpRequest, org: Organization, period: Period, today: dt.date
) -> dict[str, Any]:
    return {
        "period": period,
        "nav": dashboards.period_nav(org, period, today),
        "currency": org.reporting_currency,
        "today": today,
    }


# -- a person's dashboard ------------------------------------------------------------------


def _score_parts(results: list[KpiResult]) -> dict[str, Decimal]:
    """What each KPI adds to the overall score: its (capped) attainment times its share of the
    weights, so the parts add up to the score shown."""
    counted = [r for r in results if r.attainment is not None and r.spec.weight > 0]
    weights = sum((r.spec.weight for r in counted), Decimal(0))
    parts = {}
    for result in counted:
        assert result.attainment is not None
        value = result.attainment
        if result.spec.score_cap is not None:
            value = min(value, result.spec.score_cap)
        parts[result.key] = value * result.spec.weight / weights
    return parts


def person_context(
    org: Organization, person: Person, period: Period, today: dt.date, chart_key: str | None
) -> dict[str, Any]:
    """What the dashboard page and its PDF show (the same charts in both)."""
    board: Dashboard = dashboards.person_dashboard(
        org, person, period, today=today, chart_key=chart_key
    )
    card = board.card
    parts = _score_parts(card.results)
    rows = [
        {"result": r, "restated": card.restated.get(r.key), "part": parts.get(r.key)}
        for r in card.results
    ]
    trend_chart = charts.attainment_bars(
        [charts.Bar(c.period.label, c.score, status_heat(score_status(c))) for c in board.trend],
        title=f"Overall score of {person.full_name}, last {len(board.trend)} periods",
    )
    progress_chart = None
    chosen = board.chart_result
    if chosen is not None and board.chart_points:
        spec = chosen.spec
        progress_chart = charts.cumulative_progress(
            board.chart_points,
            start=period.start,
            end=period.end,
            target=chosen.target,
            title=f"{spec.name} so far in {period.label} against the target",
            fmt=lambda v: kpi_value(v, spec.unit, spec.decimals, org.reporting_currency),
        )
    status_counts = {
        key: sum(1 for r in card.results if r.status == key) for key in dashboards.STATUS_ORDER
    }
    return {
        "person": person,
        "board": board,
        "card": card,
        "rows": rows,
        "status_counts": status_counts,
        "trend_chart": trend_chart,
        "progress_chart": progress_chart,
        "chart_result": chosen,
        "trend_periods": [c.period for c in board.trend],
        "trend_rows": board.trend_rows,
    }


def _person_page(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    org = person.org
    period = _period(request, org)
    today = org_today(org)
    chart_key = request.GET.get("kpi") or ""

    # Built only when something is rendered: a page served from the cache needs none of it.
    def base() -> dict[str, Any]:
        return {**_base_context(request, org, period, today), "person": person}

    def body() -> str:
        context = {**base(), **person_context(org, person, period, today, chart_key)}
        return render_to_string("kpis/scorecards/_person.html", context, request=request)

    # The scorecard itself is the costly part: reused until any figure may have changed.
    def scorecard() -> str:
        return cache.fragment(
            org.pk, ("person", request.user.pk, person.pk, period.label, chart_key, today), body
        )

    if request.htmx:
        return HttpResponse(scorecard())

    def whole(extra: dict[str, Any]) -> HttpResponse:
        context = {
            **base(),
            "body": mark_safe(scorecard()),  # noqa: S308
            "is_me": person.pk == request.person.pk,
            **extra,
        }
        return render(request, "kpis/scorecards/person.html", context)

    # The page around it too: the most visited page of all (a rep's own KPIs) then costs a
    # version read and a cache read.
    viewer = (request.user.pk, person.pk, request.get_full_path(), today)
    return cache.page(request, org, ("person", *viewer), whole)


@require_safe
@person_required
@_answers_bad_period
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    org = request.person.org
    landing = dashboards.scorecard_landing(request.user, org, request.person, _period(request, org))
    if landing is not None:
        query = request.GET.urlencode()
        return redirect(f"{landing}?{query}" if query else landing)
    return _person_page(request, request.person)


def _visible_person(request: AuthenticatedHttpRequest, person_id: int) -> Person:
    return get_object_or_404(
        visible_people(request.user).select_related("org", "team"), pk=person_id
    )


@require_safe
@person_required
@_answers_bad_period
def person(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    return _person_page(request, _visible_person(request, person_id))


@require_safe
@person_required
@_answers_bad_period
def person_pdf(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponseBase:
    subject = _visible_person(request, person_id)
    org = subject.org
    period = _period(request, org)
    today = org_today(org)
    context = {
        **_base_context(request, org, period, today),
        **person_context(org, subject, period, today, request.GET.get("kpi")),
    }
    name = f"scorecard-{slugify(subject.full_name)}-{period.label}"
    return exports.pdf_response("kpis/scorecards/pdf/person.html", context, name)


# -- a team's grid -------------------------------------------------------------------------


def _visible_team(request: AuthenticatedHttpRequest, team_id: int) -> Team:
    team = get_object_or_404(Team, pk=team_id, org_id=request.person.org_id)
    if not access.can_view_team_scorecard(request.user, team):
        raise Http404("No such team.")
    return team


def _sort(request: AuthenticatedHttpRequest) -> tuple[str, bool]:
    return request.GET.get("sort", SORT_NAME), request.GET.get("dir", "") == "desc"


def _grid_rows(cards: list[Scorecard], specs: list[Any]) -> list[dict[str, Any]]:
    return [{"card": card, "cells": [card.result(s.key) for s in specs]} for card in cards]


def _sort_headers(request: AuthenticatedHttpRequest, grid: TeamGrid) -> list[dict[str, Any]]:
    """Each column header with the link that sorts by it, or reverses the current order. A new
    figure column sorts best first; names sort A to Z."""
    columns = [(SORT_NAME, "Name")] + [(s.key, s.name) for s in grid.specs]
    columns.append((SORT_SCORE, "Score"))
    out = []
    for key, label in columns:
        active = grid.sort == key
        descending_next = not grid.descending if active else key != SORT_NAME
        out.append(
            {
                "key": key,
                "label": label,
                "active": active,
                "descending": active and grid.descending,
                "query": _query(request, sort=key, dir="desc" if descending_next else "asc"),
                "num": key != SORT_NAME,
            }
        )
    return out


def team_context(
    request: AuthenticatedHttpRequest, team: Team, period: Period, today: dt.date
) -> dict[str, Any]:
    sort, descending = _sort(request)
    grid = dashboards.team_grid(
        request.user,
        request.person.org,
        team,
        period,
        today=today,
        sort=sort,
        descending=descending,
    )
    return {
        "team": team,
        "grid": grid,
        "specs": grid.specs,
        "aggregate": {"card": grid.aggregate, "cells": grid.aggregate.results},
        "rows": _grid_rows(grid.rows, grid.specs),
        "sort_headers": _sort_headers(request, grid),
        "records_visible": access.can_view_team_records(request.user, team),
        "trend_chart": _trend_chart(request.person.org, period, today, team=team),
    }


def _trend_chart(
    org: Organization, period: Period, today: dt.date, *, team: Team | None = None
) -> SafeString:
    """The overall score of a team (or, without one, the organization) over the recent periods
    ending with `period`: the rep dashboard's chart, on the page and in its PDF."""
    periods = recent_periods(org, period, dashboards.TREND_PERIODS)
    teams = [team] if team is not None else []
    whole, by_team = dashboards.score_trends(org, periods, teams, today, whole=team is None)
    cards = by_team[team.pk] if team is not None else whole
    name = team.name if team is not None else org.name
    return charts.score_trend(cards, title=f"Overall score of {name}, last {len(cards)} periods")


@require_safe
@person_required
@_answers_bad_period
def team(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    subject = _visible_team(request, team_id)
    org = request.person.org
    period = _period(request, org)
    today = org_today(org)
    context = {
        **_base_context(request, org, period, today),
        **team_context(request, subject, period, today),
        "export_query": _query(request),
    }
    template = "kpis/scorecards/_team.html" if request.htmx else "kpis/scorecards/team.html"
    return render(request, template, context)


@require_safe
@person_required
@_answers_bad_period
def team_export(request: AuthenticatedHttpRequest, team_id: int, fmt: str) -> HttpResponseBase:
    subject = _visible_team(request, team_id)
    org = request.person.org
    period = _period(request, org)
    today = org_today(org)
    context = {**_base_context(request, org, period, today)}
    context.update(team_context(request, subject, period, today))
    grid: TeamGrid = context["grid"]
    rows = [("Team", grid.aggregate)] + [("Person", card) for card in grid.rows]
    name = f"scorecards-{slugify(subject.name)}-{period.label}"
    title = f"{subject.name} · {period.label}"
    return exports.grid_response(
        fmt,
        grid.specs,
        rows,
        name=name,
        title=title,
        context=context,
        currency=org.reporting_currency,
    )


# -- the org view --------------------------------------------------------------------------


def _org_allowed(request: AuthenticatedHttpRequest) -> None:
    if not access.can_compare_people(request.user):
        raise PermissionDenied("The org scorecard is for managers, admins and executives.")


def org_context(
    request: AuthenticatedHttpRequest, org: Organization, period: Period, today: dt.date
) -> dict[str, Any]:
    view = dashboards.org_view(request.user, org, period, today=today)
    return {
        "view": view,
        "specs": view.specs,
        "org_row": {"card": view.org_card, "cells": view.org_card.results},
        "team_rows": [
            {"depth": depth, "card": card, "cells": [card.result(s.key) for s in view.specs]}
            for depth, card in view.team_rows
        ],
        "trend_chart": _trend_chart(org, period, today),
    }


@require_safe
@person_required
@_answers_bad_period
def org(request: AuthenticatedHttpRequest) -> HttpResponse:
    _org_allowed(request)
    company = request.person.org
    period = _period(request, company)
    today = org_today(company)
    context = {
        **_base_context(request, company, period, today),
        **org_context(request, company, period, today),
        "export_query": _query(request),
    }
    template = "kpis/scorecards/_org.html" if request.htmx else "kpis/scorecards/org.html"
    return render(request, template, context)


@require_safe
@person_required
@_answers_bad_period
def org_export(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponseBase:
    _org_allowed(request)
    company = request.person.org
    period = _period(request, company)
    today = org_today(company)
    context = {
        **_base_context(request, company, period, today),
        **org_context(request, company, period, today),
    }
    view: dashboards.OrgView = context["view"]
    rows = [("Organization", view.org_card)] + [("Team", card) for _, card in view.team_rows]
    return exports.grid_response(
        fmt,
        view.specs,
        rows,
        name=f"scorecards-{slugify(company.name)}-{period.label}",
        title=f"{company.name} · {period.label}",
        context=context,
        currency=company.reporting_currency,
    )


# -- leaderboards --------------------------------------------------------------------------


@require_safe
@person_required
@_answers_bad_period
def leaderboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    company = request.person.org
    visibility = scorecard_settings(company).leaderboard_visibility
    if not access.can_see_leaderboard(request.user, visibility):
        if visibility == LeaderboardVisibility.OFF:
            raise PermissionDenied("Leaderboards are off in this organization.")
        raise PermissionDenied("Leaderboards are shown to managers, admins and executives only.")
    period = _period(request, company)
    today = org_today(company)
    # Published to everyone: the whole org. Otherwise each reader ranks the reps they may
    # see (a manager their own people; admins and executives everyone).
    board = dashboards.leaderboard(
        company,
        period,
        today=today,
        user=None if visibility == LeaderboardVisibility.EVERYONE else request.user,
    )
    ranked = {s.card.person.pk for s in [*board.by_score, *board.by_improvement] if s.card.person}
    context = {
        **_base_context(request, company, period, today),
        "board": board,
        # A name links to the person only where the reader may open their scorecard.
        "openable": set(
            visible_people(request.user).filter(pk__in=ranked).values_list("pk", flat=True)
        ),
    }
    template = (
        "kpis/scorecards/_leaderboard.html" if request.htmx else "kpis/scorecards/leaderboard.html"
    )
    return render(request, template, context)
