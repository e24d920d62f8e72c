"""The explain pages: behind one scorecard number, the formula with the figures written in, how
the target was prorated, and per metric the records it counts (paginated in place with htmx,
exportable as CSV or XLSX).

Who may open a page is decided by `kpis.access`; out-of-scope people and teams are 404s. A team
figure may be visible to someone who may not see every member's records (a rep and their
team): they get the figures and the formula, and a sentence instead of the records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.core.periods import Period, PeriodError
from charter.crm import exports
from charter.crm.exports import Column
from charter.crm.models import Activity, CsatResponse, Deal, OwnedFact
from charter.kpis.access import can_set_person_target, can_set_team_target
from charter.kpis.cascade import describe
from charter.kpis.explain import (
    Allowed,
    Explanation,
    KpiNotFound,
    MetricRecords,
    Subject,
    SubjectNotFound,
    TargetPart,
    allowed_subject,
    explain_period,
    record_cells,
    record_day,
    record_owner,
)
from charter.kpis.metrics import DAYS, HOURS, MONEY, POINTS, Metric, metric_value_getter
from charter.kpis.scoring import KpiResult, KpiSpec
from charter.kpis.selectors.subjects import ORG, PERSON, TEAM
from charter.kpis.templatetags.kpis_format import kpi_value, number, percent

PER_PAGE = 25
FORMATS = ("csv", "xlsx")


def metric_text(value: Decimal | None, metric: Metric, currency: str) -> str:
    """A metric figure or one record's share of it, in the metric's unit."""
    if metric.unit == MONEY:
        return kpi_value(value, MONEY, 2, currency)
    if metric.unit == DAYS:
        return kpi_value(value, DAYS, 0)
    if metric.unit == POINTS:
        return number(value, 3)
    if metric.unit == HOURS:
        return number(value, 2)
    return number(value, 0)


# -- subjects ------------------------------------------------------------------------------


def _allowed(request: AuthenticatedHttpRequest, kind: str, pk: int | None = None) -> Allowed:
    try:
        return allowed_subject(request.user, kind, pk)
    except SubjectNotFound as exc:
        raise Http404(str(exc)) from None


def _explanation(request: AuthenticatedHttpRequest, subject: Subject, key: str) -> Explanation:
    try:
        return explain_period(subject, request.GET.get("period"), key)
    except (PeriodError, KpiNotFound) as exc:
        raise Http404(str(exc)) from None


# -- the page ------------------------------------------------------------------------------


@dataclass
class RecordRow:
    fact: Any
    day: Any
    when: Any  # an activity's time in the org's time zone
    value: str
    # A contributed metric's record (`kpis.registry`): whose it is and the fields it shows.
    owner: Any = None
    cells: list[tuple[str, Any]] | None = None


@dataclass
class RecordsTable:
    """One metric's records on the page: a page of them, the totals and the links."""

    records: MetricRecords
    kind: str  # "deal" | "activity" | "csat" | "contributed"
    page: Page[Any]
    rows: list[RecordRow]
    total_text: str
    figure_text: str
    live_text: str
    previous_url: str
    next_url: str
    csv_url: str
    xlsx_url: str

    @property
    def dom_id(self) -> str:
        return f"records-{self.records.key}"

    @property
    def matches(self) -> bool:
        return self.records.total == self.records.live


_KINDS: dict[type[Model], str] = {Deal: "deal", Activity: "activity", CsatResponse: "csat"}


def _page_url(path: str, period: Period, key: str, number: int) -> str:
    return path + "?" + urlencode({"period": period.label, "records": key, "page": number})


def _table(
    request: AuthenticatedHttpRequest,
    explanation: Explanation,
    records: MetricRecords,
    export_name: str,
    export_kwargs: dict[str, Any],
) -> RecordsTable:
    org = explanation.subject.org
    currency = org.reporting_currency
    period, key = explanation.period, records.key
    wanted = request.GET.get("page") if request.GET.get("records") == key else None
    page = Paginator(records.rows, PER_PAGE).get_page(wanted)
    zone = ZoneInfo(org.time_zone or "UTC")
    kind = _KINDS.get(records.metric.model, "contributed")
    rows = [
        RecordRow(
            fact=fact,
            day=record_day(records.metric, fact, org.time_zone),
            when=fact.occurred_at.astimezone(zone) if isinstance(fact, Activity) else None,
            value=metric_text(records.value_of(fact), records.metric, currency),
            owner=record_owner(records.metric, fact) if kind == "contributed" else None,
            cells=record_cells(records.metric, fact) if kind == "contributed" else None,
        )
        for fact in page.object_list
    ]
    query = urlencode({"period": period.label, "metric": key})
    return RecordsTable(
        records=records,
        kind=kind,
        page=page,
        rows=rows,
        total_text=metric_text(records.total, records.metric, currency),
        figure_text=metric_text(records.shown, records.metric, currency),
        live_text=metric_text(records.live, records.metric, currency),
        previous_url=(
            _page_url(request.path, period, key, page.previous_page_number())
            if page.has_previous()
            else ""
        ),
        next_url=(
            _page_url(request.path, period, key, page.next_page_number()) if page.has_next() else ""
        ),
        csv_url=reverse(export_name, kwargs={**export_kwargs, "fmt": "csv"}) + "?" + query,
        xlsx_url=reverse(export_name, kwargs={**export_kwargs, "fmt": "xlsx"}) + "?" + query,
    )


def _render(
    request: AuthenticatedHttpRequest,
    allowed: Allowed,
    key: str,
    export_name: str,
    export_kwargs: dict[str, Any],
) -> HttpResponse:
    explanation = _explanation(request, allowed.subject, key)
    currency = allowed.subject.org.reporting_currency
    wanted = request.GET.get("records")
    if request.htmx and wanted:
        # A page link of one table: only that table is read and sent back.
        records = explanation.records_of(wanted)
        if records is None or not allowed.records:
            raise Http404
        table = _table(request, explanation, records, export_name, export_kwargs)
        return render(request, "kpis/explain/_records.html", {"table": table, "currency": currency})
    tables = []
    if allowed.records:
        tables = [
            _table(request, explanation, records, export_name, export_kwargs)
            for records in explanation.records
        ]
    result = explanation.result
    spec = result.spec
    context = {
        "x": explanation,
        "subject": allowed.subject,
        "period": explanation.period,
        "result": result,
        "spec": spec,
        "live": explanation.live,
        "currency": currency,
        "metrics": [
            {
                "metric": r.metric,
                "shown": metric_text(r.shown, r.metric, currency),
                "live": metric_text(r.live, r.metric, currency),
                "changed": r.changed_since_close,
            }
            for r in explanation.records
        ],
        "spans": [
            {
                "span": span,
                "value": kpi_value(span.revision.value, spec.unit, spec.decimals, currency),
            }
            for span in explanation.target.spans
        ],
        "parts": [
            {
                "part": part,
                "value": kpi_value(part.value, spec.unit, spec.decimals, currency),
                "proration": _part_proration(part, spec, currency),
            }
            for part in explanation.target.parts
        ],
        "proration": _proration(explanation, currency),
        "source_text": describe(
            explanation.target.source,
            result.target,
            lambda value: kpi_value(value, spec.unit, spec.decimals, currency),
        ),
        "attainment": _attainment(result, currency),
        "tables": tables,
        "records_allowed": allowed.records,
        "records_note": allowed.records_note,
        "set_target_url": _set_target_url(request, allowed.subject, explanation.period),
    }
    return render(request, "kpis/explain/page.html", context)


def _set_target_url(request: AuthenticatedHttpRequest, subject: Subject, period: Period) -> str:
    """The target grid at this subject's team and period, for whoever may set the target a
    page says is missing; empty for anyone else."""
    if subject.person is not None:
        team = subject.person.team
        if team is None or not can_set_person_target(request.user, subject.person):
            return ""
    elif subject.team is not None:
        team = subject.team
        if not can_set_team_target(request.user, team):
            return ""
    else:
        return ""
    return f"{reverse('kpis:targets')}?{urlencode({'team': team.pk, 'period': period.label})}"


def _proration(explanation: Explanation, currency: str) -> str:
    """`(3,000 x 61 + 6,000 x 30) ÷ 91 days = $3,989.01`: the day-weighted target, worked."""
    parts = explanation.target.spans
    if not parts:
        return ""
    spec = explanation.spec
    terms = " + ".join(f"{number(p.revision.value, spec.decimals)} \u00d7 {p.days}" for p in parts)
    # Two more places than the KPI shows, so the division can be checked by hand.
    total = kpi_value(explanation.target.value, spec.unit, spec.decimals + 2, currency)
    return f"({terms}) ÷ {explanation.period.days} days = {total}"


def _part_proration(part: TargetPart, spec: KpiSpec, currency: str) -> str:
    """A shorter period's target worked from its revisions, when it has more than one."""
    if len(part.spans) < 2:
        return ""
    terms = " + ".join(
        f"{number(s.revision.value, spec.decimals)} \u00d7 {s.days}" for s in part.spans
    )
    days = sum(span.days for span in part.spans)
    total = kpi_value(part.value, spec.unit, spec.decimals + 2, currency)
    return f"({terms}) ÷ {days} days = {total}"


def _attainment(result: KpiResult, currency: str) -> str:
    """`$1,500 ÷ $3,989 = 37.6%` (target ÷ actual when lower is better)."""
    if result.attainment is None:
        return ""
    spec = result.spec
    actual = kpi_value(result.actual, spec.unit, spec.decimals, currency)
    target = kpi_value(result.target, spec.unit, spec.decimals, currency)
    ratio = f"{target} ÷ {actual}" if spec.direction == "lower" else f"{actual} ÷ {target}"
    return f"{ratio} = {percent(result.attainment, 1)}"


@require_GET
@person_required
def explain_person(request: AuthenticatedHttpRequest, person_id: int, key: str) -> HttpResponse:
    allowed = _allowed(request, PERSON, person_id)
    kwargs = {"person_id": person_id, "key": key}
    return _render(request, allowed, key, "kpis:explain_person_export", kwargs)


@require_GET
@person_required
def explain_team(request: AuthenticatedHttpRequest, team_id: int, key: str) -> HttpResponse:
    allowed = _allowed(request, TEAM, team_id)
    kwargs = {"team_id": team_id, "key": key}
    return _render(request, allowed, key, "kpis:explain_team_export", kwargs)


@require_GET
@person_required
def explain_org(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    allowed = _allowed(request, ORG)
    return _render(request, allowed, key, "kpis:explain_org_export", {"key": key})


# -- exports -------------------------------------------------------------------------------


def export_columns(metric: Metric, time_zone: str) -> list[Column]:
    """The CRM export's columns for the metric's facts, led by the day each record counts on
    and ended by what it adds to the metric. (The export writes times in the org's time zone,
    the one the days are counted in.)"""
    value_of: Callable[[Any], Decimal] = metric_value_getter(metric)
    columns = [Column("counts_on", lambda r: record_day(metric, r, time_zone), text=False)]
    crm_columns = exports.COLUMNS.get(cast(type[OwnedFact], metric.model))
    if crm_columns is not None:
        columns += crm_columns
    else:
        columns.append(Column("person", lambda r: record_owner(metric, r).full_name))
        columns += [
            Column(header.lower().replace(" ", "_"), _cell_reader(metric, i))
            for i, (_path, header) in enumerate(metric.shows)
        ]
    columns.append(Column(metric.key, value_of, text=False))
    return columns


def _cell_reader(metric: Metric, index: int) -> Callable[[Any], Any]:
    def read(record: Any) -> Any:
        value = record_cells(metric, record)[index][1]
        return value if isinstance(value, (Decimal, dt.date)) or value is None else str(value)

    return read


class _Listed:
    """A per-period metric's records (a list its app computed) read the way the exports read a
    queryset."""

    def __init__(self, rows: Any) -> None:
        self.rows = list(rows)

    def iterator(self, chunk_size: int = 0) -> Any:
        return iter(self.rows)


def _export(
    request: AuthenticatedHttpRequest, allowed: Allowed, key: str, fmt: str
) -> HttpResponseBase:
    explanation = _explanation(request, allowed.subject, key)
    if not allowed.records:
        raise PermissionDenied(allowed.records_note)
    wanted = request.GET.get("metric") or explanation.records[0].key
    records = explanation.records_of(wanted)
    if records is None:
        raise Http404(f"{key} does not use the metric {wanted!r}.")
    subject = allowed.subject.ref.replace(":", "-")
    name = f"charter-{key}-{subject}-{explanation.period.label}-{records.key}"
    zone = allowed.subject.org.time_zone
    columns = export_columns(records.metric, zone)
    rows = records.rows if isinstance(records.rows, QuerySet) else _Listed(records.rows)
    if fmt == "csv":
        return exports.csv_response(cast(Any, rows), columns, name, time_zone=zone)
    return exports.xlsx_response(
        cast(Any, rows), columns, name, title=records.metric.label, time_zone=zone
    )


@require_GET
@person_required
def explain_person_export(
    request: AuthenticatedHttpRequest, person_id: str, key: str, fmt: str
) -> HttpResponseBase:
    # A regex route: the id arrives as text.
    return _export(request, _allowed(request, PERSON, int(person_id)), key, fmt)


@require_GET
@person_required
def explain_team_export(
    request: AuthenticatedHttpRequest, team_id: str, key: str, fmt: str
) -> HttpResponseBase:
    return _export(request, _allowed(request, TEAM, int(team_id)), key, fmt)


@require_GET
@person_required
def explain_org_export(request: AuthenticatedHttpRequest, key: str, fmt: str) -> HttpResponseBase:
    return _export(request, _allowed(request, ORG), key, fmt)
