"""Mentor offers and requests, pairing, a mentorship and its meeting log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.development import selectors
from charter.development.access import (
    can_answer,
    can_ask,
    can_change_status,
    can_log_meeting,
    can_offer,
    can_pair,
    can_pair_anyone,
    can_read_meetings,
    can_withdraw_offer,
    listed_offers,
    pairable_mentees,
    pairable_mentors,
    visible_mentorships,
    visible_plans,
    visible_requests,
)
from charter.development.dates import org_today
from charter.development.forms import (
    AnswerForm,
    AskForm,
    MeetingForm,
    OfferForm,
    PairForm,
    StatusForm,
)
from charter.development.models import Mentorship, MentorshipStatus
from charter.development.services import mentorships as services
from charter.expectations.markdown import render as render_markdown


def add_errors(form: Any, exc: ValidationError) -> None:
    """A service's errors on the form's fields (or above the form when they name none)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@person_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's mentorships, requests and plans."""
    me = request.person
    return render(
        request,
        "development/home.html",
        {
            "mentorships": selectors.mine(me),
            "to_answer": selectors.pending_requests_to(me),
            "asked": selectors.requests(request.user).filter(mentee=me)[:20],
            "plans": visible_plans(request.user).filter(person=me),
            "offer": selectors.my_offer(me),
            "can_pair": can_pair_anyone(request.user),
            "answer_form": AnswerForm(initial={"starts_on": org_today(me.org)}),
        },
    )


@person_required
def offers(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Listed mentors; the signed-in person lists themselves or changes their topics here."""
    me = request.person
    mine = selectors.my_offer(me)
    form = OfferForm(
        request.POST or None,
        initial={"topics": ", ".join(mine.topic_list), "note": mine.note} if mine else None,
    )
    if request.method == "POST":
        if not can_offer(request.user):
            raise PermissionDenied("Only active people offer to mentor.")
        if form.is_valid():
            try:
                services.offer_save(person=me, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "You are listed as a mentor.")
                return redirect("development:offers")
    topic = request.GET.get("topic", "")[:60].replace("\x00", "")
    return render(
        request,
        "development/offers.html",
        {
            "offers": selectors.offers(request.user, topic=topic),
            "topics": selectors.offer_topics(request.user),
            "topic": topic,
            "mine": mine,
            "form": form,
        },
    )


@require_POST
@person_required
def offer_withdraw(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = selectors.my_offer(request.person)
    if mine is None or not can_withdraw_offer(request.user, mine):
        raise Http404("You have no offer to withdraw.")
    services.offer_withdraw(offer=mine, actor=request.user)
    messages.success(request, "You are no longer listed as a mentor.")
    return redirect("development:offers")


@person_required
def ask(request: AuthenticatedHttpRequest, offer_id: int) -> HttpResponse:
    offer = listed_offers(request.user).select_related("person").filter(pk=offer_id).first()
    if offer is None:
        raise Http404("No such mentor.")
    if not can_ask(request.user, offer):
        raise PermissionDenied("You cannot ask yourself to be your mentor.")
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_create(
                offer=offer, mentee=request.person, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{offer.person.full_name} has your request.")
            return redirect("development:home")
    return render(request, "development/ask.html", {"offer": offer, "form": form})


@require_POST
@person_required
def answer(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    asked = visible_requests(request.user).select_related("offer__person", "mentee")
    found = asked.filter(pk=request_id).first()
    if found is None:
        raise Http404("No such request.")
    if not can_answer(request.user, found):
        raise PermissionDenied("Only the mentor asked answers, once.")
    form = AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.request_answer(
                request=found, actor=request.user, accept=data["decision"] == "accept",
                note=data["note"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                cadence=data["cadence"],
            )  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
    if form.errors:
        return render(
            request, "development/answer.html", {"found": found, "form": form}, status=400
        )
    if found.mentorship_id:
        messages.success(request, f"You are now mentoring {found.mentee.full_name}.")
        return redirect("development:mentorship", mentorship_id=found.mentorship_id)
    messages.success(request, "Request declined.")
    return redirect("development:home")


@person_required
def mentorship_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in MentorshipStatus.values else ""
    return render(
        request,
        "development/mentorships.html",
        {
            "mentorships": selectors.mentorships(request.user, status=status)[:500],
            "statuses": MentorshipStatus.choices,
            "status": status,
            "can_pair": can_pair_anyone(request.user),
        },
    )


@person_required
def pair(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_pair_anyone(request.user):
        raise PermissionDenied("Managers pair their people; admins pair anyone.")
    form = PairForm(
        request.POST or None,
        mentors=pairable_mentors(request.user).order_by("full_name"),
        mentees=pairable_mentees(request.user).order_by("full_name"),
        initial={"starts_on": org_today(request.person.org)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not can_pair(request.user, data["mentor"], data["mentee"]):
            raise PermissionDenied("You may pair only the people in your reach.")
        try:
            mentorship = services.mentorship_create(
                org=request.person.org, actor=request.user, **data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{mentorship}: proposed, waiting for the mentor.")
            return redirect("development:mentorship", mentorship_id=mentorship.pk)
    return render(request, "development/pair.html", {"form": form})


def _mentorship(request: AuthenticatedHttpRequest, mentorship_id: int) -> Mentorship:
    found = (
        visible_mentorships(request.user)
        .select_related("mentor", "mentee", "org")
        .filter(pk=mentorship_id)
        .first()
    )
    if found is None:
        raise Http404("No such mentorship.")
    return found


@person_required
def mentorship_detail(request: AuthenticatedHttpRequest, mentorship_id: int) -> HttpResponse:
    """A mentorship, its meeting log for those who may read it, and the form to log one."""
    mentorship = _mentorship(request, mentorship_id)
    form = MeetingForm(request.POST or None, initial={"met_on": org_today(mentorship.org)})
    if request.method == "POST":
        if not can_log_meeting(request.user, mentorship):
            raise PermissionDenied("The pair logs meetings while the mentorship is active.")
        if form.is_valid():
            try:
                services.meeting_log(mentorship=mentorship, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Meeting logged.")
                return redirect("development:mentorship", mentorship_id=mentorship.pk)
    reads = can_read_meetings(request.user, mentorship)
    log = [
        (meeting, render_markdown(meeting.notes)) for meeting in selectors.meetings(mentorship)
    ] if reads else []  # fmt: skip
    return render(
        request,
        "development/mentorship.html",
        {
            "mentorship": mentorship,
            "goals": render_markdown(mentorship.goals),
            "reads_meetings": reads,
            "meetings": log,
            "form": form if can_log_meeting(request.user, mentorship) else None,
            "moves": [
                (value, label)
                for value, label in StatusForm.base_fields["status"].choices  # type: ignore[attr-defined]
                if value in services.NEXT.get(MentorshipStatus(mentorship.status), set())
                and can_change_status(request.user, mentorship, value)
            ],
        },
    )


@require_POST
@person_required
def mentorship_status(request: AuthenticatedHttpRequest, mentorship_id: int) -> HttpResponse:
    mentorship = _mentorship(request, mentorship_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose start, complete or end early.", status=400)
    status = form.cleaned_data["status"]
    if not can_change_status(request.user, mentorship, status):
        raise PermissionDenied("You may not change this mentorship.")
    try:
        services.mentorship_set_status(
            mentorship=mentorship, actor=request.user, status=status,
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The mentorship is {mentorship.get_status_display().lower()}.")
    return redirect("development:mentorship", mentorship_id=mentorship.pk)
