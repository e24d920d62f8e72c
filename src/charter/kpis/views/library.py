"""Pages of the KPI library (what every KPI means and how it changed), the periods (closing
them) and the scorecard settings. Everyone signed in reads the library, since it is how success
is measured; only admins change it, close periods or change settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.core.periods import KINDS, QUARTER, Period, PeriodError
from charter.kpis import services
from charter.kpis.api.scorecards import period_rows
from charter.kpis.formula import FormulaError, check, parse
from charter.kpis.metrics import METRICS
from charter.kpis.models import (
    Direction,
    KpiDefinition,
    KpiVersion,
    LeaderboardVisibility,
    ScorecardSnapshot,
    Unit,
)
from charter.kpis.selectors.calendar import org_today, period_of
from charter.kpis.selectors.closed import period_close_of
from charter.kpis.selectors.definitions import (
    kpi_definitions,
    scorecard_settings,
    version_in_effect,
)
from charter.kpis.selectors.seasonality import profile_in_effect
from charter.kpis.services import VERSION_FIELDS
from charter.kpis.templatetags.kpis_scorecards import leaderboard_visibility_key
from charter.org.access import can_manage_org

DENIED = "Only admins change the KPI library, close periods and change scorecard settings."

LABELS = {
    "name": "Name",
    "description": "Description",
    "formula": "Formula",
    "unit": "Unit",
    "direction": "Direction",
    "decimals": "Decimals",
    "threshold_ahead": "Ahead from",
    "threshold_on_track": "On track from",
    "threshold_at_risk": "At risk from",
    "weight": "Weight",
    "score_cap": "Score cap",
    "active": "Active",
}


def _require_admin(request: AuthenticatedHttpRequest) -> None:
    if not can_manage_org(request.user):
        raise PermissionDenied(DENIED)


def _shown(version: KpiVersion, name: str) -> str:
    value = getattr(version, name)
    if value is None:
        return "none"
    if name in ("threshold_ahead", "threshold_on_track", "threshold_at_risk", "score_cap"):
        return f"{(value * 100).normalize():f}%"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name == "direction":
        return str(Direction(value).label)
    return str(value)


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class VersionRow:
    version: KpiVersion
    changes: list[Change]
    in_effect: bool


@dataclass
class LibraryRow:
    definition: KpiDefinition
    current: KpiVersion
    upcoming: KpiVersion | None


def _ordered(definition: KpiDefinition) -> list[KpiVersion]:
    return sorted(definition.versions.all(), key=lambda v: v.number)


# --- reading --------------------------------------------------------------------------------


@person_required
@require_GET
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    org = request.person.org
    today = org_today(org)
    rows = []
    for definition in kpi_definitions(org):
        versions = _ordered(definition)
        current = version_in_effect(versions, today)
        if current is None:
            continue
        later = [v for v in versions if v.effective_from > today]
        rows.append(LibraryRow(definition, current, later[-1] if later else None))
    context = {"rows": rows, "can_manage": can_manage_org(request.user), "today": today}
    return render(request, "kpis/library/library.html", context)


@person_required
@require_GET
def kpi(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    org = request.person.org
    definition = get_object_or_404(kpi_definitions(org), key=key)
    versions = _ordered(definition)
    today = org_today(org)
    current = version_in_effect(versions, today)
    history = []
    previous: KpiVersion | None = None
    for version in versions:
        changes = []
        if previous is not None:
            changes = [
                Change(LABELS[name], _shown(previous, name), _shown(version, name))
                for name in VERSION_FIELDS
                if getattr(previous, name) != getattr(version, name)
            ]
        history.append(VersionRow(version, changes, version == current))
        previous = version
    context = {
        "definition": definition,
        "current": current,
        "history": list(reversed(history)),
        "metrics": [METRICS[name] for name in parse(current.formula).metrics] if current else [],
        "can_manage": can_manage_org(request.user),
        "additive": parse(current.formula).additive if current else False,
        "sharing": profile_in_effect(list(definition.seasonality.order_by("id")), org_today(org)),
    }
    return render(request, "kpis/library/kpi.html", context)


# --- changing the library ---------------------------------------------------------------------


class VersionForm(forms.Form):
    """The fields of a KPI version. Thresholds and the score cap are fractions of target."""

    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    formula = forms.CharField(
        max_length=500,
        help_text="Metric names (listed below), numbers, + - * / and parentheses.",
    )
    unit = forms.ChoiceField(choices=Unit.choices)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.HIGHER)
    decimals = forms.IntegerField(min_value=0, max_value=4, initial=0)
    threshold_ahead = forms.DecimalField(
        label="Ahead from", initial=Decimal("1.1"), help_text="Of target: 1.1 = 110%."
    )
    threshold_on_track = forms.DecimalField(label="On track from", initial=Decimal("0.95"))
    threshold_at_risk = forms.DecimalField(
        label="At risk from", initial=Decimal("0.8"), help_text="Below this: behind."
    )
    weight = forms.DecimalField(
        min_value=0, initial=Decimal(0), help_text="Share in the overall score; 0 = not scored."
    )
    score_cap = forms.DecimalField(
        required=False,
        initial=Decimal("1.5"),
        help_text="The most this KPI adds to the score (1.5 = 150%); empty = no cap. "
        "The attainment shown is never capped.",
    )
    active = forms.BooleanField(required=False, initial=True)
    effective_from = forms.DateField(
        label="Effective from",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Periods that end before this date keep the definition they had.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The formula is checked as it is typed, with the same parser that will run it.
        self.fields["formula"].widget.attrs.update(
            {
                "hx-get": reverse("kpis:formula_check"),
                "hx-trigger": "input changed delay:400ms, change",
                "hx-target": "#formula-check",
                "hx-swap": "innerHTML",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        )


class CreateForm(VersionForm):
    key = forms.SlugField(
        max_length=60, help_text="Never changes: lower-case letters, digits and _."
    )
    reason = forms.CharField(max_length=300, required=False)

    field_order = ["key", "name"]


class ReviseForm(VersionForm):
    reason = forms.CharField(max_length=300, help_text="Why it changes; the team reads this.")


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _version_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in VERSION_FIELDS}


@person_required
def kpi_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    org = request.person.org
    today = org_today(org)
    form = CreateForm(request.POST or None, initial={"effective_from": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definition = services.kpi_create(
                org=org,
                key=data["key"],
                actor=request.user,
                effective_from=data["effective_from"],
                reason=data["reason"],
                **_version_values(data),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Added the KPI {definition.key}.")
            return redirect("kpis:kpi", key=definition.key)
    context = {"form": form, "metrics": METRICS.values(), "creating": True}
    return render(request, "kpis/library/form.html", context)


@person_required
def kpi_revise(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    _require_admin(request)
    org = request.person.org
    definition = get_object_or_404(kpi_definitions(org), key=key)
    latest = _ordered(definition)[-1]
    initial = {name: getattr(latest, name) for name in VERSION_FIELDS}
    initial["effective_from"] = org_today(org)
    form = ReviseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.kpi_revise(
                definition=definition,
                actor=request.user,
                effective_from=data["effective_from"],
                reason=data["reason"],
                **_version_values(data),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Version {version.number} of {definition.key} applies from "
                f"{version.effective_from.isoformat()}.",
            )
            return redirect("kpis:kpi", key=definition.key)
    context = {
        "form": form,
        "metrics": METRICS.values(),
        "creating": False,
        "definition": definition,
        "latest": latest,
    }
    return render(request, "kpis/library/form.html", context)


@person_required
@require_GET
def formula_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The verdict of the formula parser on what is typed so far (an htmx fragment)."""
    _require_admin(request)
    text = request.GET.get("formula", "")
    context: dict[str, Any] = {"text": text}
    try:
        formula = check(text)
    except FormulaError as exc:
        context["error"] = str(exc)
    else:
        context["formula"] = formula
        context["metrics"] = [METRICS[name] for name in formula.metrics]
    return render(request, "kpis/library/_formula_check.html", context)


# --- periods ----------------------------------------------------------------------------------


@person_required
@require_GET
def periods(request: AuthenticatedHttpRequest) -> HttpResponse:
    org = request.person.org
    kind = request.GET.get("kind", QUARTER)
    if kind not in KINDS:
        kind = QUARTER
    context = {
        "rows": period_rows(org, kind, 8),
        "kind": kind,
        "kinds": KINDS,
        "can_manage": can_manage_org(request.user),
        "auto_close_after_days": scorecard_settings(org).auto_close_after_days,
    }
    return render(request, "kpis/library/periods.html", context)


def _period_or_404(request: AuthenticatedHttpRequest, label: str) -> Period:
    try:
        return period_of(request.person.org, label)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc


@person_required
def period_close(request: AuthenticatedHttpRequest, label: str) -> HttpResponse:
    """A confirmation page; the POST freezes the period's scorecards."""
    _require_admin(request)
    org = request.person.org
    period = _period_or_404(request, label)
    closed = period_close_of(org, period)
    error = ""
    if request.method == "POST" and closed is not None:
        error = f"{period.label} is already closed."
    elif request.method == "POST":
        try:
            closed = services.period_close(org=org, period=period, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            frozen = ScorecardSnapshot.objects.filter(close=closed).count()
            messages.success(request, f"Closed {period.label}: froze {frozen} scorecards.")
            return redirect(f"{reverse('kpis:periods')}?kind={period.kind}")
    today = org_today(org)
    if not error and closed is None and period.end >= today:
        error = f"{period.label} has not ended yet (it ends {period.end.isoformat()})."
    context = {"period": period, "closed": closed, "error": error}
    return render(request, "kpis/library/period_close.html", context, status=400 if error else 200)


# --- settings ---------------------------------------------------------------------------------


class SettingsForm(forms.Form):
    leaderboard_visibility = forms.ChoiceField(
        label="Who sees the leaderboards",
        choices=LeaderboardVisibility.choices,
        widget=forms.RadioSelect,
    )
    auto_close = forms.BooleanField(
        label="Close periods automatically",
        required=False,
        help_text="Freeze each month, quarter and fiscal year's scorecards on its own, the "
        "given number of days after it ends. Figures that change after a close show as "
        "restatements.",
    )
    auto_close_after_days = forms.IntegerField(
        label="Days after a period ends",
        required=False,
        min_value=0,
        max_value=services.AUTO_CLOSE_MAX_DAYS,
        help_text="Long enough for late CRM entries to arrive; 0 closes on the day after.",
    )


# Offered when auto-close is first turned on: a week covers deals entered over the first
# weekend after a month ends and a few days of late CRM entries.
SUGGESTED_AUTO_CLOSE_DAYS = 7


@person_required
def settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    org = request.person.org
    current = scorecard_settings(org)
    form = SettingsForm(
        request.POST or None,
        initial={
            "leaderboard_visibility": current.leaderboard_visibility,
            "auto_close": current.auto_close_after_days is not None,
            "auto_close_after_days": (
                current.auto_close_after_days
                if current.auto_close_after_days is not None
                else SUGGESTED_AUTO_CLOSE_DAYS
            ),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.scorecard_settings_update(
                org=org,
                actor=request.user,
                leaderboard_visibility=data["leaderboard_visibility"],
                auto_close=data["auto_close"],
                auto_close_after_days=data["auto_close_after_days"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            # The menus read the setting from the cache: show the change on the next page.
            key = leaderboard_visibility_key(org.pk)
            transaction.on_commit(lambda: cache.delete(key))
            messages.success(request, "Scorecard settings saved.")
            return redirect("kpis:settings")
    return render(request, "kpis/library/settings.html", {"form": form})
