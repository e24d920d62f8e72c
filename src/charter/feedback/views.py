"""Pages of feedback and recognition: the feed, giving feedback, a person's received and given
feedback, requests and their answers, badges, awards and the recognition leaderboard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from charter.core.http import AuthenticatedHttpRequest, paginate, person_required
from charter.expectations.models import Value
from charter.feedback import access, selectors
from charter.feedback.forms import (
    AnswerForm,
    AwardForm,
    BadgeForm,
    FeedbackForm,
    PeriodForm,
    RequestForm,
    add_errors,
)
from charter.feedback.models import Badge
from charter.feedback.services import badges as badge_services
from charter.feedback.services import feedback as services
from charter.kpis.selectors.calendar import period_of
from charter.org.access import subtree_ids
from charter.org.models import Person


@person_required
def feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "feedback/feed.html",
        {
            "page": paginate(request, selectors.feed(request.user), per_page=30),
            "awards": selectors.recent_awards(request.user),
            "can_give": access.can_give_feedback(request.user),
        },
    )


@person_required
def give(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_give_feedback(request.user):
        raise PermissionDenied("Executives read feedback; they do not give it here.")
    form = FeedbackForm(request.POST or None, org_id=request.person.org_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = services.feedback_give(giver=request.person, actor=request.user, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Feedback sent to {found.recipient.full_name}.")
            return redirect("feedback:given", request.person.pk)
    return render(request, "feedback/give.html", {"form": form})


def _person(request: AuthenticatedHttpRequest, person_id: int) -> Person:
    person = get_object_or_404(Person, pk=person_id, org_id=request.person.org_id)
    if not access.can_read_person_feedback(request.user, person):
        raise Http404
    return person


@person_required
def received(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    return render(
        request,
        "feedback/person.html",
        {
            "person": person,
            "direction": "received",
            "page": paginate(request, selectors.received(request.user, person), per_page=30),
        },
    )


@person_required
def given(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    return render(
        request,
        "feedback/person.html",
        {
            "person": person,
            "direction": "given",
            "page": paginate(request, selectors.given(request.user, person), per_page=30),
        },
    )


@person_required
def requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    me = request.person
    subjects = Person.objects.filter(pk__in=subtree_ids(me), is_active=True).order_by("full_name")
    form = RequestForm(
        request.POST or None, subjects=subjects, org_id=me.org_id, initial={"subject": me.pk}
    )
    if request.method == "POST":
        if not access.can_give_feedback(request.user):
            raise PermissionDenied("Executives do not ask for feedback here.")
        if form.is_valid():
            data = form.cleaned_data
            if not access.can_ask_about(request.user, data["subject"]):
                raise PermissionDenied("Ask about yourself or someone who reports to you.")
            try:
                made = services.request_create(
                    asked_by=me, actor=request.user, asked=list(data["asked"]),
                    subject=data["subject"], topic=data["topic"], due_on=data["due_on"],
                )  # fmt: skip
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"Asked {len(made)} people for feedback.")
                return redirect("feedback:requests")
    return render(
        request,
        "feedback/requests.html",
        {
            **selectors.requests_page(request.user),
            "form": form if access.can_give_feedback(request.user) else None,
        },
    )


@person_required
def answer(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    found = get_object_or_404(
        access.visible_requests(request.user).select_related("subject", "asked_by"),
        pk=request_id,
    )
    if not access.can_answer(request.user, found):
        raise PermissionDenied("Only the person asked answers an open request.")
    form = AnswerForm(request.POST or None, org_id=request.person.org_id, subject=found.subject)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data["recipient"] = found.subject
        try:
            services.feedback_give(giver=request.person, actor=request.user, request=found, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Thank you: your answer was sent.")
            return redirect("feedback:requests")
    return render(request, "feedback/answer.html", {"form": form, "feedback_request": found})


@person_required
def badges(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_manage = access.can_manage_badges(request.user)
    form = BadgeForm(request.POST or None, org_id=request.person.org_id) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only admins define badges.")
        if form.is_valid():
            try:
                badge_services.badge_create(
                    org=request.person.org, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Badge added.")
                return redirect("feedback:badges")
    listed = access.visible_badges(request.user).select_related("value")
    return render(
        request,
        "feedback/badges.html",
        {
            "badges": listed,
            "form": form,
            "can_manage": can_manage,
            "can_award": access.can_award_someone(request.user),
        },
    )


@person_required
def badge_edit(request: AuthenticatedHttpRequest, badge_id: int) -> HttpResponse:
    badge = get_object_or_404(Badge, pk=badge_id, org_id=request.person.org_id)
    if not access.can_manage_badges(request.user):
        raise PermissionDenied("Only admins change badges.")
    initial = {
        "name": badge.name, "description": badge.description, "icon": badge.icon,
        "value": badge.value_id, "criterion": badge.criterion, "threshold": badge.threshold,
        "kpi_key": badge.kpi_key, "is_active": badge.is_active,
    }  # fmt: skip
    form = BadgeForm(request.POST or None, org_id=request.person.org_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            badge_services.badge_update(badge=badge, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Badge saved.")
            return redirect("feedback:badges")
    return render(request, "feedback/badge_form.html", {"form": form, "badge": badge})


@person_required
def award(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_award_someone(request.user):
        raise PermissionDenied("Managers and admins award badges.")
    me = request.person
    people = Person.objects.filter(org_id=me.org_id, is_active=True).exclude(pk=me.pk)
    if not access.can_manage_badges(request.user):
        people = people.filter(pk__in=subtree_ids(me))
    form = AwardForm(
        request.POST or None,
        badges=Badge.objects.filter(org_id=me.org_id, is_active=True),
        people=people.order_by("full_name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            badge_services.award_give(actor=request.user, awarder=me, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"“{data['badge']}” awarded to {data['person'].full_name}.")
            return redirect("feedback:feed")
    return render(request, "feedback/award.html", {"form": form})


@person_required
def leaderboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Per value, who was recognised most: behind the same setting as the KPI leaderboards."""
    if not selectors.leaderboard_visible(request.user):
        raise PermissionDenied("Leaderboards are not shown to you in this organization.")
    org = request.person.org
    form = PeriodForm(request.GET, start_month=org.fiscal_year_start_month)
    period = None
    chosen_value = None
    values = list(Value.objects.filter(org=org, is_active=True))
    if form.is_valid():
        period = form.cleaned_data["period"]
        chosen_value = next((v for v in values if v.pk == form.cleaned_data["value"]), None)
    period = period or period_of(org, None)
    shown = [chosen_value] if chosen_value else values
    boards = [(value, selectors.leaderboard(value, period)) for value in shown]
    return render(
        request,
        "feedback/leaderboard.html",
        {"form": form, "period": period, "boards": boards, "values": values},
    )


@person_required
def request_detail(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    found = get_object_or_404(
        access.visible_requests(request.user).select_related("subject", "asked_by", "asked"),
        pk=request_id,
    )
    answers = selectors.feed(request.user).filter(request=found)
    return render(
        request,
        "feedback/request.html",
        {"feedback_request": found, "answers": answers,
         "can_answer": access.can_answer(request.user, found)},
    )  # fmt: skip
