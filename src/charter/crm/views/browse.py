"""Pages for browsing CRM facts (deals, activities, CSAT responses) and exporting what a filter
leaves. Every list comes from `crm.selectors`, which starts from `crm.access`: anyone in the org
chart may open the pages, and each sees only the facts of the people they may see.

One view answers the whole page and, for htmx, just the rows, so filters and sorting update the
table in place while the URL stays shareable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Case, QuerySet, Value, When
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from charter.core.http import AuthenticatedHttpRequest, paginate, person_required
from charter.crm import exports, selectors
from charter.crm.models import ActivityKind, DealStage
from charter.crm.selectors import FactFilters, FactList, Period
from charter.org.access import can_manage_org, visible_people
from charter.org.models import Person, Team
from charter.org.selectors import flatten_tree, team_tree

PER_PAGE = 50
# Sort keys of right-aligned (numeric) columns.
NUMERIC_SORTS = {"amount", "duration", "score"}


class _TeamField(forms.ModelChoiceField):
    """Teams indented under their parents, so the tree reads in a plain <select>."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.depths: dict[int, int] = {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * self.depths.get(obj.pk, 0) + obj.name


class _PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name if obj.is_active else f"{obj.full_name} (left)"


class FactFilterForm(forms.Form):
    """The filters of every fact page; people and teams offered are the visible ones only, so
    a hand-made URL naming someone else fails validation and is ignored."""

    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs=dict(type="search", placeholder="Account, name or id")),
    )
    person = _PersonField(queryset=Person.objects.none(), required=False, empty_label="Everyone")
    team = _TeamField(queryset=Team.objects.none(), required=False, empty_label="All teams")
    period = forms.ChoiceField(
        choices=[("", "Any time, or the dates"), *Period.choices], required=False
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    stage = forms.ChoiceField(choices=[("", "Any stage"), *DealStage.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *ActivityKind.choices], required=False)
    unmatched = forms.BooleanField(label="Only unmatched CRM owners", required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, extra: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("stage", "kind"):
            if name != extra:
                del self.fields[name]
        if not can_manage_org(user):
            del self.fields["unmatched"]
        self.fields["person"].queryset = visible_people(user).order_by(  # type: ignore[attr-defined]
            "-is_active", "full_name", "id"
        )
        team_field: _TeamField = self.fields["team"]  # type: ignore[assignment]
        flat = flatten_tree(team_tree(user))
        team_field.depths = {node.team.pk: depth for depth, node in flat}
        ids = [node.team.pk for _, node in flat]
        order = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)])
        team_field.queryset = (
            Team.objects.filter(pk__in=ids).order_by(order) if ids else Team.objects.none()
        )

    def filters(
        self, *, today: dt.date, fiscal_year_start_month: int, time_zone: str
    ) -> FactFilters:
        """The cleaned filters; anything unreadable is treated as not given."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if data.get("period"):
            date_from, date_to = selectors.period_dates(
                data["period"], today=today, fiscal_year_start_month=fiscal_year_start_month
            )
        return FactFilters(
            person=data.get("person"),
            team=data.get("team"),
            date_from=date_from,
            date_to=date_to,
            stage=data.get("stage") or "",
            kind=data.get("kind") or "",
            query=(data.get("q") or "").strip(),
            unmatched=bool(data.get("unmatched")),
            sort=data.get("sort") or "",
            time_zone=time_zone,
        )


@dataclass(frozen=True)
class Page:
    """One browsing page: its list, totals, filters, columns to sort by and export."""

    slug: str
    title: str
    facts: FactList
    rows: Callable[[Any, FactFilters], QuerySet[Any]]
    totals: Callable[[QuerySet[Any]], dict[str, Any]]
    extra_filter: str
    columns: Sequence[exports.Column]
    # (sort key, header) of the sortable columns, in table order.
    headers: tuple[tuple[str, str], ...]
    date_label: str


DEALS = Page(
    slug="deals",
    title="Deals",
    facts=selectors.DEALS,
    rows=selectors.deal_list,
    totals=selectors.deal_totals,
    extra_filter="stage",
    columns=exports.DEAL_COLUMNS,
    headers=(
        ("close_date", "Close date"),
        ("account", "Deal"),
        ("owner", "Owner"),
        ("stage", "Stage"),
        ("amount", "Amount"),
        ("created_date", "Created"),
    ),
    date_label="close date",
)
ACTIVITIES = Page(
    slug="activities",
    title="Activities",
    facts=selectors.ACTIVITIES,
    rows=selectors.activity_list,
    totals=selectors.activity_totals,
    extra_filter="kind",
    columns=exports.ACTIVITY_COLUMNS,
    headers=(
        ("occurred_at", "When"),
        ("kind", "Kind"),
        ("owner", "Owner"),
        ("duration", "Minutes"),
    ),
    date_label="activity date",
)
CSAT = Page(
    slug="csat",
    title="Customer satisfaction",
    facts=selectors.CSAT,
    rows=selectors.csat_list,
    totals=selectors.csat_totals,
    extra_filter="",
    columns=exports.CSAT_COLUMNS,
    headers=(
        ("date", "Date"),
        ("account", "Account"),
        ("owner", "Owner"),
        ("score", "Score"),
    ),
    date_label="survey date",
)


def _filters(request: AuthenticatedHttpRequest, page: Page) -> tuple[FactFilterForm, FactFilters]:
    org = request.person.org
    form = FactFilterForm(request.GET or None, user=request.user, extra=page.extra_filter)
    # "This month" and a date's activities are the organization's days, not the server's.
    today = timezone.localdate(timezone=_zone(request))
    filters = form.filters(
        today=today,
        fiscal_year_start_month=org.fiscal_year_start_month,
        time_zone=org.time_zone,
    )
    return form, filters


def _zone(request: AuthenticatedHttpRequest) -> ZoneInfo:
    return ZoneInfo(request.person.org.time_zone or "UTC")


def _query(request: AuthenticatedHttpRequest, **changes: str) -> str:
    """The current query string with `changes` applied (an empty value removes the key)."""
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value:
            params[key] = value
    return params.urlencode()


def _sort_headers(
    request: AuthenticatedHttpRequest, page: Page, current: str
) -> list[dict[str, Any]]:
    """Each sortable header with the link that sorts by it (or reverses the current order)."""
    out = []
    for key, label in page.headers:
        active = current.removeprefix("-") == key
        descending = current.startswith("-")
        # A new column sorts its natural way: dates and amounts biggest first, names A to Z.
        first = "" if key in ("account", "owner", "kind", "stage") else "-"
        target = ("" if descending else "-") + key if active else first + key
        out.append(
            {
                "label": label,
                "query": _query(request, sort=target),
                "active": active,
                "descending": active and descending,
                "num": key in NUMERIC_SORTS,
            }
        )
    return out


def _browse(request: AuthenticatedHttpRequest, page: Page) -> HttpResponse:
    form, filters = _filters(request, page)
    rows = page.rows(request.user, filters)
    current_sort = selectors.sort_key(page.facts, filters.sort)
    context = {
        "page_info": page,
        "form": form,
        "filters": filters,
        "page": paginate(request, rows, per_page=PER_PAGE),
        "totals": page.totals(rows),
        "currency": request.person.org.reporting_currency,
        "sort_headers": _sort_headers(request, page, current_sort),
        "export_query": _query(request),
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "list_url": reverse(f"crm:{page.slug}"),
        "csv_url": reverse(f"crm:{page.slug}_csv"),
        "xlsx_url": reverse(f"crm:{page.slug}_xlsx"),
    }
    template = f"crm/{page.slug}_rows.html" if request.htmx else f"crm/{page.slug}.html"
    # Activity times on the page read as the organization's clock, as in the exports.
    with timezone.override(_zone(request)):
        return render(request, template, context)


def _export(request: AuthenticatedHttpRequest, page: Page, fmt: str) -> HttpResponseBase:
    _form, filters = _filters(request, page)
    rows = page.rows(request.user, filters)
    zone = request.person.org.time_zone
    name = f"charter-{page.slug}-{timezone.localtime(timezone=_zone(request)):%Y%m%d-%H%M}"
    if fmt == "csv":
        return exports.csv_response(rows, page.columns, name, time_zone=zone)
    return exports.xlsx_response(rows, page.columns, name, title=page.title, time_zone=zone)


@person_required
def deals(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _browse(request, DEALS)


@person_required
def activities(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _browse(request, ACTIVITIES)


@person_required
def csat(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _browse(request, CSAT)


def _exporter(page: Page, fmt: str) -> Callable[..., HttpResponseBase]:
    @person_required
    def view(request: AuthenticatedHttpRequest) -> HttpResponseBase:
        return _export(request, page, fmt)

    view.__name__ = view.__qualname__ = f"{page.slug}_{fmt}"
    return view


deals_csv = _exporter(DEALS, "csv")
deals_xlsx = _exporter(DEALS, "xlsx")
activities_csv = _exporter(ACTIVITIES, "csv")
activities_xlsx = _exporter(ACTIVITIES, "xlsx")
csat_csv = _exporter(CSAT, "csv")
csat_xlsx = _exporter(CSAT, "xlsx")
