"""Target pages: the grid where managers and admins set a team's targets, a person's target
history (every revision with its reason, and what each change did to their attainment), and
the targets upload pages (the shared import steps, admins only).

Who may do what is `kpis.access`: the grid opens for managers, admins and executives (who only
read it); each row is editable when `can_set_person_target` / `can_set_team_target` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.core.imports.forms import UploadForm
from charter.core.imports.runner import get_importer
from charter.core.imports.views import ImportFlow
from charter.core.periods import Period, PeriodError
from charter.kpis.access import can_compare_people, can_set_person_target, can_set_team_target
from charter.kpis.forms import GridColumn, GridRow, TargetGridForm, cell_name, grid_value
from charter.kpis.models import KpiDefinition, Target, TargetRevision
from charter.kpis.scoring import KpiSpec, Revision, kpi_result, prorate
from charter.kpis.selectors.calendar import org_today, period_of, recent_periods
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.subjects import PERSON
from charter.kpis.selectors.sums import metric_sums_by_person
from charter.kpis.selectors.targets import revision_of, target_revisions
from charter.kpis.templatetags.kpis_format import kpi_value, percent
from charter.org.access import (
    can_manage_org,
    can_view_person,
    can_write,
    visible_people,
    visible_teams,
)
from charter.org.models import Organization, Person, Team
from charter.org.selectors import team_subtree_ids

IMPORT_KIND = "targets"


def _period(org: Organization, label: str | None, request: AuthenticatedHttpRequest) -> Period:
    try:
        return period_of(org, label or None)
    except PeriodError as exc:
        messages.error(request, f"{label!r} is not a period ({exc}); showing the current quarter.")
        return period_of(org, None)


def _unit_hint(spec: KpiSpec, currency: str) -> str:
    if spec.unit == "money":
        return currency or "USD"
    if spec.unit == "percent":
        return "%"
    if spec.unit == "days":
        return "days"
    if spec.unit == "points":
        return "of 5"
    return ""


def _figure(spec: KpiSpec, value: Decimal | None, currency: str) -> str:
    return kpi_value(value, spec.unit, spec.decimals, currency)


# -- the grid --------------------------------------------------------------------------------


def _grid_team(request: AuthenticatedHttpRequest, raw: str | None) -> Team | None:
    """The team asked for (404 when it is out of reach), else the caller's own, else the first
    one they may open."""
    teams = visible_teams(request.user)
    if raw:
        try:
            return get_object_or_404(teams, pk=int(raw))
        except ValueError:
            raise Http404 from None
    me = request.person
    if me.team_id is not None:
        own = teams.filter(pk=me.team_id).first()
        if own is not None:
            return own
    return teams.order_by("name").first()


def _grid_rows(request: AuthenticatedHttpRequest, team: Team) -> list[GridRow]:
    user = request.user
    rows = [
        GridRow(
            key=f"t{team.pk}",
            name=f"{team.name} (team)",
            team=team,
            editable=can_set_team_target(user, team),
        )
    ]
    people = (
        visible_people(user)
        .filter(team_id__in=team_subtree_ids(team), is_active=True)
        .order_by("full_name", "pk")
    )
    rows += [
        GridRow(
            key=f"p{p.pk}",
            name=p.full_name,
            person=p,
            editable=can_set_person_target(user, p),
        )
        for p in people
    ]
    return rows


def _grid_columns(org: Organization, period: Period, chosen: list[str]) -> list[GridColumn]:
    specs = kpi_specs(org, period, active_only=False)
    definitions = {d.key: d for d in KpiDefinition.objects.filter(org=org)}
    if chosen:
        picked = [s for s in specs if s.key in chosen]
    else:
        active = {s.key for s in kpi_specs(org, period)}
        picked = [s for s in specs if s.key in active]
    return [GridColumn(spec=s, definition=definitions[s.key]) for s in picked]


def _grid_revisions(
    org: Organization, period: Period, rows: list[GridRow]
) -> dict[tuple[str, str], list[Revision]]:
    people = [r.person.pk for r in rows if r.person is not None]
    teams = [r.team.pk for r in rows if r.team is not None]
    found = target_revisions(org, period, person_ids=people, team_ids=teams)
    return {
        (f"{'p' if kind == PERSON else 't'}{subject}", key): revisions
        for (kind, subject, key), revisions in found.items()
    }


@dataclass
class GridCell:
    field: Any  # the bound field, or None for a cell the viewer only reads
    current: str
    prorated: str | None  # the period's target when it differs from the current value
    revised: bool


def _table(
    form: TargetGridForm,
    revisions: dict[tuple[str, str], list[Revision]],
    period: Period,
    currency: str,
) -> list[dict[str, Any]]:
    table = []
    for row in form.rows:
        cells = []
        for column in form.columns:
            found = revisions.get((row.key, column.key), [])
            current = grid_value(found, period) if found else None
            prorated = prorate(found, period) if found else None
            differs = prorated is not None and current is not None and prorated != current
            cells.append(
                GridCell(
                    field=form[cell_name(row.key, column.key)] if row.editable else None,
                    current=_figure(column.spec, current, currency),
                    prorated=_figure(column.spec, prorated, currency) if differs else None,
                    revised=len(found) > 1,
                )
            )
        table.append(
            {
                "row": row,
                "cells": cells,
                "reason": form[f"reason:{row.key}"] if row.editable else None,
                "effective_from": form[f"effective_from:{row.key}"] if row.editable else None,
            }
        )
    return table


def _grid_url(team: Team, period: Period, chosen: list[str]) -> str:
    query = [("team", str(team.pk)), ("period", period.label), *(("kpi", k) for k in chosen)]
    return f"{reverse('kpis:targets')}?{urlencode(query)}"


@person_required
def targets(request: AuthenticatedHttpRequest) -> HttpResponse:
    me = request.person
    # Reps read their own targets on their history page; the grid is for those who set
    # targets (managers, admins) and for executives, who read them.
    if not can_compare_people(request.user):
        raise PermissionDenied(
            "Targets are set by managers and admins; your own are on your target history page."
        )
    posting = request.method == "POST"
    if posting and not can_write(request.user):
        raise PermissionDenied("Your role is read-only: you can read targets but not set them.")
    # The grid posts its team, period and columns with the cells, so a save changes exactly
    # the grid that was shown.
    source = request.POST if posting else request.GET
    org = me.org
    if posting:
        # Never save into a period other than the one the grid showed.
        try:
            period = period_of(org, source.get("period") or None)
        except PeriodError as exc:
            return HttpResponseBadRequest(f"Not a period: {exc}")
    else:
        period = _period(org, source.get("period"), request)
    team = _grid_team(request, source.get("team"))
    chosen = [k for k in source.getlist("kpi") if k]
    context: dict[str, Any] = {
        "period": period,
        "team": team,
        "teams": visible_teams(request.user).order_by("name"),
        "chosen": chosen,
        "all_kpis": kpi_specs(org, period, active_only=False),
        "periods": recent_periods(org, period_of(org, None), 6),
    }
    if team is None:
        return render(request, "kpis/targets/grid.html", context)
    rows = _grid_rows(request, team)
    columns = _grid_columns(org, period, chosen)
    revisions = _grid_revisions(org, period, rows)
    today = org_today(org)
    form = TargetGridForm(
        request.POST if posting else None,
        rows=rows,
        columns=columns,
        revisions=revisions,
        period=period,
        default_day=max(min(today, period.end), period.start),
    )
    if posting:
        foreign = [k for k in request.POST if ":" in k and k not in form.fields]
        if foreign:
            raise PermissionDenied(
                "You can only set targets of the rows you may edit in this grid "
                f"(refused: {', '.join(sorted(foreign)[:5])})."
            )
        if form.is_valid():
            added = form.save(org=org, actor=request.user)
            if added is not None:
                if added:
                    messages.success(
                        request,
                        f"Saved {added} target{'s' if added != 1 else ''} for {period.label}.",
                    )
                else:
                    messages.info(request, "Nothing changed.")
                return redirect(_grid_url(team, period, chosen))
    currency = org.reporting_currency
    context.update(
        {
            "form": form,
            "columns": [{"column": c, "unit": _unit_hint(c.spec, currency)} for c in columns],
            "table": _table(form, revisions, period, currency),
            "editable": any(r.editable for r in rows) and can_write(request.user),
        }
    )
    return render(request, "kpis/targets/grid.html", context)


# -- history -------------------------------------------------------------------------------


@dataclass
class HistoryLine:
    revision: TargetRevision
    author: str
    value: str
    first: bool
    target_before: str
    target_after: str
    attainment_before: str
    attainment_after: str


@dataclass
class HistoryCard:
    spec: KpiSpec
    actual: str
    prorated: str
    attainment: str
    lines: list[HistoryLine]


def _author(revision: TargetRevision) -> str:
    user = revision.created_by
    if user is None:
        return "Import or system"
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.email


def _history_cards(org: Organization, person: Person, period: Period) -> list[HistoryCard]:
    found = (
        Target.objects.filter(org=org, person=person, period_label=period.label)
        .select_related("kpi")
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=TargetRevision.objects.select_related("created_by__person").order_by("id"),
            )
        )
    )
    specs = {s.key: s for s in kpi_specs(org, period, active_only=False)}
    metrics = metric_sums_by_person([person.pk], period)[person.pk]
    today = org_today(org)
    currency = org.reporting_currency
    cards = []
    for target in found:
        spec = specs.get(target.kpi.key)
        revisions = list(target.revisions.all())
        if spec is None or not revisions:
            continue
        plain = [revision_of(r) for r in revisions]

        def attainment(upto: int, spec: KpiSpec = spec, plain: list[Revision] = plain) -> Any:
            goal = prorate(plain[:upto], period)
            return goal, kpi_result(spec, metrics, goal, period, today)

        lines = []
        for index, revision in enumerate(revisions):
            before_goal, before = attainment(index) if index else (None, None)
            after_goal, after = attainment(index + 1)
            lines.append(
                HistoryLine(
                    revision=revision,
                    author=_author(revision),
                    value=_figure(spec, revision.value, currency),
                    first=index == 0,
                    target_before=_figure(spec, before_goal, currency) if index else "",
                    target_after=_figure(spec, after_goal, currency),
                    attainment_before=percent(before.attainment, 1) if before else "",
                    attainment_after=percent(after.attainment, 1),
                )
            )
        whole, result = attainment(len(plain))
        cards.append(
            HistoryCard(
                spec=spec,
                actual=_figure(spec, result.actual, currency),
                prorated=_figure(spec, whole, currency),
                attainment=percent(result.attainment, 1),
                lines=lines,
            )
        )
    return cards


@person_required
def target_history(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    org = request.person.org
    person = get_object_or_404(Person, pk=person_id, org=org)
    if not can_view_person(request.user, person):
        raise Http404
    period = _period(org, request.GET.get("period"), request)
    today = org_today(org)
    context = {
        "person": person,
        "period": period,
        "periods": recent_periods(org, period_of(org, None), 6),
        "cards": _history_cards(org, person, period),
        "as_of": min(today, period.end),
        "can_edit": person.team is not None and can_set_person_target(request.user, person),
    }
    return render(request, "kpis/targets/history.html", context)


# -- upload pages ----------------------------------------------------------------------------


def _upload_form(*args: Any, **kwargs: Any) -> UploadForm:
    # Built per request: the importer registry is complete only once the apps are ready.
    return UploadForm(*args, importer=get_importer(IMPORT_KIND), **kwargs)


TARGETS_IMPORT = ImportFlow(
    kinds=(IMPORT_KIND,),
    namespace="kpis",
    upload_url="kpis:targets_import",
    title="Import targets",
    can_import=can_manage_org,
    denied="Only admins import targets; managers set their teams' targets in the target grid.",
    upload_form=_upload_form,
    upload_template="kpis/targets/import.html",
    preview_template="kpis/targets/import_preview.html",
    status_template="kpis/targets/import_run_status.html",
    errors_filename="targets-import-{pk}-errors-{stamp}.csv",
)
