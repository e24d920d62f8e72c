"""Sessions: the upcoming ones, a training's runs, one session with its roster; scheduling,
enrolling, cancelling and taking attendance. The rules are in `learning.access`, the writes in
`learning.services.sessions`."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from charter.core.http import AuthenticatedHttpRequest, paginate, person_required
from charter.learning import schedule
from charter.learning.access import (
    can_enrol,
    can_manage_session,
    can_schedule_session,
    can_take_attendance,
    enrollable_people,
    visible_sessions,
    visible_trainings,
)
from charter.learning.forms import AttendanceForm, EnrolForm, SessionForm
from charter.learning.models import Enrolment, EnrolmentStatus, Training, TrainingSession
from charter.learning.services import sessions as services
from charter.org.models import Person


def _errors_to_form(form: Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _training(request: AuthenticatedHttpRequest, training_id: int) -> Training:
    training = visible_trainings(request.user).filter(pk=training_id).first()
    if training is None:
        raise Http404("No such training.")
    return training


def _session(request: AuthenticatedHttpRequest, session_id: int) -> TrainingSession:
    found = (
        visible_sessions(request.user)
        .select_related("training", "facilitator")
        .filter(pk=session_id)
        .first()
    )
    if found is None:
        raise Http404("No such session.")
    return found


def _session_form(request: AuthenticatedHttpRequest, **kwargs: Any) -> SessionForm:
    people = Person.objects.filter(org_id=request.person.org_id, is_active=True)
    return SessionForm(request.POST or None, facilitators=people.order_by("full_name"), **kwargs)


def _page(request: AuthenticatedHttpRequest, sessions: Any) -> Any:
    """A page of sessions, each with `mine`: the reader's enrolment in it, if any."""
    page = paginate(request, sessions)
    page.object_list = list(page.object_list)
    mine = schedule.enrolments_of(request.person, page.object_list)
    for session in page.object_list:
        found = mine.get(session.pk)
        session.mine = found if found and found.status != EnrolmentStatus.CANCELLED else None
    return page


@person_required
def upcoming(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = _page(request, schedule.upcoming_sessions(request.user))
    return render(request, "learning/sessions.html", {"page": page, "training": None})


@person_required
def training_sessions(request: AuthenticatedHttpRequest, training_id: int) -> HttpResponse:
    training = _training(request, training_id)
    page = _page(request, schedule.training_sessions(request.user, training))
    return render(
        request,
        "learning/sessions.html",
        {
            "page": page,
            "training": training,
            "can_schedule": can_schedule_session(request.user, training),
        },
    )


@person_required
def session_create(request: AuthenticatedHttpRequest, training_id: int) -> HttpResponse:
    training = _training(request, training_id)
    if not can_schedule_session(request.user, training):
        raise PermissionDenied("Admins and the training's team managers schedule sessions.")
    form = _session_form(
        request,
        initial={"time_zone": request.person.org.time_zone or "UTC", "facilitator": request.person},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                actor=request.user, training=training, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Session scheduled.")
            return redirect("learning:session", session_id=session.pk)
    return render(
        request, "learning/session_form.html", {"form": form, "training": training, "session": None}
    )


@person_required
def session_edit(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    if not can_manage_session(request.user, session):
        raise PermissionDenied("Admins and the training's team managers change sessions.")
    if request.method == "POST" and "cancel_session" in request.POST:
        services.session_cancel(session=session, actor=request.user)
        messages.success(request, "Session cancelled; the people enrolled are told.")
        return redirect("learning:session", session_id=session.pk)
    zone = ZoneInfo(session.time_zone)
    form = _session_form(
        request,
        initial={
            "starts_at": session.starts_at.astimezone(zone).replace(tzinfo=None),
            "ends_at": session.ends_at.astimezone(zone).replace(tzinfo=None),
            "time_zone": session.time_zone, "location": session.location,
            "video_link": session.video_link, "capacity": session.capacity,
            "facilitator": session.facilitator,
        },
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Session saved; the people enrolled get the update.")
            return redirect("learning:session", session_id=session.pk)
    return render(
        request,
        "learning/session_form.html",
        {"form": form, "training": session.training, "session": session},
    )


def _detail(
    request: AuthenticatedHttpRequest, session: TrainingSession, enrol_form: EnrolForm | None = None
) -> HttpResponse:
    me = request.person
    roster = list(schedule.session_roster(request.user, session))
    mine = Enrolment.objects.filter(session=session, person=me).first()
    started = session.starts_at <= timezone.now()
    people = enrollable_people(request.user)
    rows = [
        {
            "enrolment": e,
            "may_cancel": not started and can_enrol(request.user, e.person),
            "may_mark": started
            and e.status == EnrolmentStatus.ENROLLED
            and can_take_attendance(request.user, session, e.person),
        }
        for e in roster
    ]
    counts = schedule.training_sessions(request.user, session.training).get(pk=session.pk)
    return render(
        request,
        "learning/session.html",
        {
            "session": session,
            "training": session.training,
            **_local(session),
            "taken": getattr(counts, "taken", 0),
            "waiting": getattr(counts, "waiting", 0),
            "rows": rows,
            "mine": mine if mine and mine.status != EnrolmentStatus.CANCELLED else None,
            "started": started,
            "open": not started and not session.is_cancelled,
            "may_manage": can_manage_session(request.user, session),
            "enrol_form": enrol_form or EnrolForm(people=people),
            "may_enrol_others": people.exists(),
            "attendance_form": AttendanceForm(),
        },
    )


def _local(session: TrainingSession) -> dict[str, Any]:
    zone = ZoneInfo(session.time_zone)
    return {
        "start": session.starts_at.astimezone(zone).replace(tzinfo=None),
        "end": session.ends_at.astimezone(zone).replace(tzinfo=None),
    }


@person_required
def session_detail(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    return _detail(request, _session(request, session_id))


@require_POST
@person_required
def session_enrol(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    form = EnrolForm(request.POST, people=enrollable_people(request.user))
    if not form.is_valid():
        return _detail(request, session, form)
    person = form.cleaned_data["person"] or request.person
    if not can_enrol(request.user, person):
        raise PermissionDenied("People enrol themselves; their managers may enrol them.")
    try:
        enrolment = services.enrol(
            session=session,
            person=person,
            actor=request.user,
            by_manager=person.pk != request.person.pk,
        )
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return _detail(request, session, form)
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        messages.info(request, f"The session is full: {person.full_name} is on the waiting list.")
    else:
        messages.success(request, f"{person.full_name} is enrolled.")
    return redirect("learning:session", session_id=session.pk)


def _enrolment(request: AuthenticatedHttpRequest, enrolment_id: int) -> Enrolment:
    found = (
        Enrolment.objects.select_related("session__training", "session__facilitator", "person")
        .filter(pk=enrolment_id, session__in=visible_sessions(request.user))
        .first()
    )
    if found is None:
        raise Http404("No such enrolment.")
    return found


@require_POST
@person_required
def enrolment_cancel(request: AuthenticatedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _enrolment(request, enrolment_id)
    if not can_enrol(request.user, enrolment.person):
        raise PermissionDenied("A place is cancelled by its holder or their managers.")
    try:
        services.enrolment_cancel(enrolment=enrolment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The place of {enrolment.person.full_name} is cancelled.")
    return redirect("learning:session", session_id=enrolment.session_id)


@require_POST
@person_required
def attendance(request: AuthenticatedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _enrolment(request, enrolment_id)
    if not can_take_attendance(request.user, enrolment.session, enrolment.person):
        raise PermissionDenied("The facilitator and the person's managers take attendance.")
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose attended, did not come or excused.")
        return redirect("learning:session", session_id=enrolment.session_id)
    try:
        services.attendance_set(
            enrolment=enrolment, actor=request.user, attendance=form.cleaned_data["attendance"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Attendance of {enrolment.person.full_name} saved.")
    return redirect("learning:session", session_id=enrolment.session_id)
