"""The page where an admin sets how a KPI's target for a longer period is shared among its
shorter periods (`kpis.cascade`): by days, by a weight per month, or by last year's actuals.
Each change is a new profile from a date on, with its reason, like a KPI's versions."""

from __future__ import annotations

import calendar
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.kpis import services
from charter.kpis.models import Seasonality
from charter.kpis.selectors.calendar import org_today
from charter.kpis.selectors.definitions import kpi_definitions
from charter.kpis.selectors.seasonality import profile_in_effect
from charter.kpis.views.library import _apply_errors, _require_admin

MONTHS = [f"share_{month}" for month in range(1, 13)]


class SeasonalityForm(forms.Form):
    method = forms.ChoiceField(
        choices=Seasonality.choices,
        widget=forms.RadioSelect,
        initial=Seasonality.DAYS,
        help_text="A month without a target of its own takes this share of its quarter's or "
        "fiscal year's target; quarters likewise of the year's.",
    )
    effective_from = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Quarters and fiscal years that end on or after it are shared this way.",
    )
    reason = forms.CharField(max_length=300, help_text="Why; people read it.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for month, name in enumerate(MONTHS, start=1):
            self.fields[name] = forms.DecimalField(
                label=calendar.month_name[month],
                required=False,
                min_value=0,
                help_text="Weight (for a share per month)" if month == 1 else "",
            )
        self.order_fields(["method", *MONTHS, "effective_from", "reason"])

    def shares(self) -> list[str]:
        return [str(self.cleaned_data.get(name) or 0) for name in MONTHS]


@person_required
def kpi_seasonality(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    _require_admin(request)
    org = request.person.org
    definition = get_object_or_404(kpi_definitions(org), key=key)
    profiles = list(definition.seasonality.select_related("created_by").order_by("id"))
    current = profile_in_effect(profiles, org_today(org))
    initial: dict[str, Any] = {"effective_from": org_today(org)}
    if current is not None:
        initial["method"] = current.method
        initial.update(zip(MONTHS, current.shares, strict=False))
    form = SeasonalityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.seasonality_set(
                kpi=definition,
                actor=request.user,
                method=data["method"],
                shares=form.shares(),
                effective_from=data["effective_from"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Targets of {definition.key} are shared the new way.")
            return redirect("kpis:kpi", key=definition.key)
    context = {
        "definition": definition,
        "form": form,
        "current": current,
        "profiles": list(reversed(profiles)),
    }
    return render(request, "kpis/library/seasonality.html", context)
