"""One meeting: its agenda (refreshed from the data until it starts), notes, action items,
and the changes of this one meeting (move, skip, held). Agenda edits answer htmx with the
agenda fragment and plain forms with a redirect back to the page."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.meetings import selectors
from charter.meetings.access import can_take_part
from charter.meetings.forms import ActionForm, MoveForm, NoteForm, SkipForm, TopicForm
from charter.meetings.models import ActionItem, AgendaEntry, Meeting, Status
from charter.meetings.services import agenda as agenda_services
from charter.meetings.services import meetings as services
from charter.meetings.services import notes as note_services
from charter.meetings.views.series import add_errors
from charter.org.models import Person


def _meeting_or_404(request: AuthenticatedHttpRequest, meeting_id: int) -> Meeting:
    meeting = selectors.meeting_for(request.user, meeting_id)
    if meeting is None:
        raise Http404("No such 1:1.")
    return meeting


def _writable(request: AuthenticatedHttpRequest, meeting_id: int) -> Meeting:
    meeting = _meeting_or_404(request, meeting_id)
    if not can_take_part(request.user, meeting.series):
        raise PermissionDenied("Only the two people of this 1:1 change it.")
    return meeting


def _people(meeting: Meeting) -> Any:
    return Person.objects.filter(pk__in=[meeting.series.manager_id, meeting.series.report_id])


def _page(request: AuthenticatedHttpRequest, meeting: Meeting, **forms: Any) -> HttpResponse:
    may_write = can_take_part(request.user, meeting.series)
    context = {
        "page": selectors.meeting_page(request.user, meeting),
        "meeting": meeting,
        "may_write": may_write,
        "topic_form": forms.get("topic_form") or TopicForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "action_form": forms.get("action_form")
        or ActionForm(people=_people(meeting), initial={"owner": meeting.series.report_id}),
        "skip_form": SkipForm(),
        "is_future": meeting.start > timezone.now(),
    }
    bad = any(f is not None and f.errors for f in forms.values())
    return render(request, "meetings/meeting.html", context, status=400 if bad else 200)


@require_safe
@person_required
def meeting_detail(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    # Until it starts, an open agenda is brought up to date with the data (by item key).
    if meeting.status == Status.SCHEDULED and meeting.start > timezone.now():
        agenda_services.agenda_build(meeting=meeting)
    return _page(request, meeting)


def _back(request: AuthenticatedHttpRequest, meeting: Meeting) -> HttpResponse:
    if request.htmx:
        page = selectors.meeting_page(request.user, meeting)
        return render(
            request,
            "meetings/partials/agenda.html",
            {"page": page, "meeting": meeting, "may_write": True, "topic_form": TopicForm()},
        )
    return redirect(reverse("meetings:meeting", args=[meeting.pk]) + "#agenda")


@require_POST
@person_required
def topic_add(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable(request, meeting_id)
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            agenda_services.topic_add(
                meeting=meeting, author=request.person, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return _back(request, meeting)
    return _page(request, meeting, topic_form=form)


def _entry(request: AuthenticatedHttpRequest, meeting: Meeting, entry_id: int) -> AgendaEntry:
    entry = AgendaEntry.objects.filter(meeting=meeting, pk=entry_id).first()
    if entry is None:
        raise Http404("No such agenda item.")
    return entry


@require_POST
@person_required
def entry_move(request: AuthenticatedHttpRequest, meeting_id: int, entry_id: int) -> HttpResponse:
    meeting = _writable(request, meeting_id)
    entry = _entry(request, meeting, entry_id)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        return HttpResponse("direction: up or down", status=400)
    agenda_services.entry_move(entry=entry, actor=request.user, direction=direction)
    return _back(request, meeting)


@require_POST
@person_required
def entry_discussed(
    request: AuthenticatedHttpRequest, meeting_id: int, entry_id: int
) -> HttpResponse:
    meeting = _writable(request, meeting_id)
    entry = _entry(request, meeting, entry_id)
    agenda_services.entry_discussed(
        entry=entry, actor=request.user, discussed=request.POST.get("discussed") == "1"
    )
    return _back(request, meeting)


@require_POST
@person_required
def note_add(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable(request, meeting_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_services.note_add(
                meeting=meeting, author=request.person, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Note saved.")
            return redirect(reverse("meetings:meeting", args=[meeting.pk]) + "#notes")
    return _page(request, meeting, note_form=form)


@require_POST
@person_required
def action_add(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable(request, meeting_id)
    form = ActionForm(request.POST, people=_people(meeting))
    if form.is_valid():
        try:
            note_services.action_add(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Action item added.")
            return redirect(reverse("meetings:meeting", args=[meeting.pk]) + "#actions")
    return _page(request, meeting, action_form=form)


@require_POST
@person_required
def action_done(request: AuthenticatedHttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting = _writable(request, meeting_id)
    item = ActionItem.objects.filter(series=meeting.series, pk=item_id).first()
    if item is None:
        raise Http404("No such action item.")
    note_services.action_done(
        item=item, actor=request.user, done=request.POST.get("done") == "1", meeting=meeting
    )
    return redirect(reverse("meetings:meeting", args=[meeting.pk]) + "#actions")


@require_POST
@person_required
def meeting_held(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable(request, meeting_id)
    try:
        services.meeting_mark_held(meeting=meeting, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Marked as held.")
    return redirect("meetings:meeting", meeting.pk)


@require_POST
@person_required
def meeting_skip(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable(request, meeting_id)
    form = SkipForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_skip(
                meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Meeting skipped; both calendars are told.")
    return redirect("meetings:meeting", meeting.pk)


@person_required
def meeting_move(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable(request, meeting_id)
    zone = meeting.cadence.time_zone
    local = meeting.start.astimezone(ZoneInfo(zone))
    form = MoveForm(request.POST or None, initial={"day": local.date(), "time": local.time()})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_move(meeting=meeting, actor=request.user, start=form.start(zone))
        except ValidationError as exc:
            # The service speaks of the meeting's start; the form asks for its day and time.
            form.add_error("day", exc.messages)
        else:
            messages.success(request, "Meeting moved; both calendars are told.")
            return redirect("meetings:meeting", meeting.pk)
    return render(
        request,
        "meetings/move.html",
        {"meeting": meeting, "form": form, "zone": zone},
        status=400 if form.errors else 200,
    )
