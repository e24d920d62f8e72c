"""The company values page (admins edit; everyone reads)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.core.registry import sections_for
from charter.expectations import services
from charter.expectations.forms import ValueForm
from charter.expectations.models import Value
from charter.org.access import can_manage_org


@person_required
def value_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_manage = can_manage_org(request.user)
    form = ValueForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only admins change the company values.")
        if form.is_valid():
            try:
                services.value_create(
                    org=request.person.org,
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    order=form.cleaned_data["order"],
                )
            except ValidationError as exc:
                form.add_error("name", " ".join(exc.messages))
            else:
                messages.success(request, "Value added.")
                return redirect("expectations:values")
    values = Value.objects.filter(org=request.person.org).order_by("-is_active", "order", "name")
    if not can_manage:
        values = values.filter(is_active=True)
    return render(
        request,
        "expectations/values.html",
        {
            "values": values,
            "form": form,
            "can_manage": can_manage,
            # What other apps say about the values (how often each is recognised).
            "sections": sections_for("expectations.values", request.user),
        },
    )


@person_required
def value_edit(request: AuthenticatedHttpRequest, value_id: int) -> HttpResponse:
    if not can_manage_org(request.user):
        raise PermissionDenied("Only admins change the company values.")
    value = get_object_or_404(Value, pk=value_id, org=request.person.org)
    form = ValueForm(
        request.POST or None,
        initial={"name": value.name, "description": value.description, "order": value.order},
    )
    if request.method == "POST":
        if "archive" in request.POST or "restore" in request.POST:
            services.value_update(
                value=value, actor=request.user, is_active="restore" in request.POST
            )
            messages.success(
                request, f"“{value.name}” {'restored' if value.is_active else 'archived'}."
            )
            return redirect("expectations:values")
        if form.is_valid():
            try:
                services.value_update(
                    value=value,
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    order=form.cleaned_data["order"]
                    if form.cleaned_data["order"] is not None
                    else value.order,
                )
            except ValidationError as exc:
                form.add_error("name", " ".join(exc.messages))
            else:
                messages.success(request, "Value saved.")
                return redirect("expectations:values")
    return render(request, "expectations/value_form.html", {"value": value, "form": form})
