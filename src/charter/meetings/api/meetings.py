"""API viewsets of the 1:1s, routed by `charter.api.urls`."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from charter.api.errors import service_errors
from charter.meetings.access import (
    can_take_part,
    visible_action_items,
    visible_agenda,
    visible_meetings,
    visible_notes,
    visible_series,
)
from charter.meetings.models import ActionItem, AgendaEntry, Meeting, Note, Series
from charter.meetings.services import agenda as agenda_services
from charter.meetings.services import notes as note_services
from charter.org.access import person_of
from charter.org.api import StrictInput
from charter.org.models import Person


class OneOnOneSeriesOutput(serializers.ModelSerializer):
    class Meta:
        model = Series
        fields = ["id", "manager", "report", "ended_on", "end_reason", "created_at"]


class OneOnOneMeetingOutput(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "series", "slot", "start", "end", "status", "skip_reason", "held_at"]


class OneOnOneAgendaOutput(serializers.ModelSerializer):
    class Meta:
        model = AgendaEntry
        fields = [
            "id", "meeting", "key", "source", "title", "detail", "url", "position",
            "added_by", "discussed_at",
        ]  # fmt: skip


class OneOnOneNoteOutput(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "meeting", "author", "private", "body", "created_at"]


class OneOnOneActionOutput(serializers.ModelSerializer):
    class Meta:
        model = ActionItem
        fields = ["id", "series", "meeting", "owner", "title", "due_on", "done_at"]


class OneOnOneByMeeting(StrictInput):
    meeting = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    series = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


def _filters(request: Request) -> dict[str, Any]:
    data = OneOnOneByMeeting(data=request.query_params.dict())
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _me(request: Request) -> Person:
    me = person_of(request.user)
    if me is None:  # the default permission lets only active people in
        raise PermissionDenied
    return me


def _writable_meeting(request: Request, meeting_id: int) -> Meeting:
    meeting = visible_meetings(request.user).select_related("series").filter(pk=meeting_id).first()
    if meeting is None:
        raise serializers.ValidationError({"meeting": ["No such 1:1."]})
    if not can_take_part(request.user, meeting.series):
        raise PermissionDenied("Only the two people of this 1:1 change it.")
    return meeting


class SeriesViewSet(viewsets.ViewSet):
    """1:1 series the caller takes part in or manages from above."""

    lookup_value_regex = r"\d+"

    @extend_schema(responses=OneOnOneSeriesOutput(many=True))
    def list(self, request: Request) -> Response:
        return Response(OneOnOneSeriesOutput(visible_series(request.user)[:1000], many=True).data)

    @extend_schema(responses=OneOnOneSeriesOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        found = visible_series(request.user).filter(pk=pk).first()
        if found is None:
            raise Http404
        return Response(OneOnOneSeriesOutput(found).data)


class MeetingViewSet(viewsets.ViewSet):
    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[OpenApiParameter("series", int)], responses=OneOnOneMeetingOutput(many=True)
    )
    def list(self, request: Request) -> Response:
        wanted = _filters(request)
        meetings = visible_meetings(request.user).order_by("-start")
        if "series" in wanted:
            meetings = meetings.filter(series_id=wanted["series"])
        return Response(OneOnOneMeetingOutput(meetings[:1000], many=True).data)

    @extend_schema(responses=OneOnOneMeetingOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        found = visible_meetings(request.user).filter(pk=pk).first()
        if found is None:
            raise Http404
        return Response(OneOnOneMeetingOutput(found).data)


class OneOnOneTopicInput(StrictInput):
    meeting = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    title = serializers.CharField(max_length=300)
    detail = serializers.CharField(required=False, allow_blank=True, default="")


class AgendaViewSet(viewsets.ViewSet):
    """A meeting's agenda; its two people add topics."""

    @extend_schema(
        parameters=[OpenApiParameter("meeting", int)], responses=OneOnOneAgendaOutput(many=True)
    )
    def list(self, request: Request) -> Response:
        wanted = _filters(request)
        entries = visible_agenda(request.user).order_by("meeting", "position", "id")
        if "meeting" in wanted:
            entries = entries.filter(meeting_id=wanted["meeting"])
        return Response(OneOnOneAgendaOutput(entries[:1000], many=True).data)

    @extend_schema(request=OneOnOneTopicInput, responses={201: OneOnOneAgendaOutput})
    def create(self, request: Request) -> Response:
        data = OneOnOneTopicInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        meeting = _writable_meeting(request, values.pop("meeting"))
        with service_errors():
            entry = agenda_services.topic_add(
                meeting=meeting, author=_me(request), actor=request.user, **values
            )
        return Response(OneOnOneAgendaOutput(entry).data, status=status.HTTP_201_CREATED)


class OneOnOneNoteInput(StrictInput):
    meeting = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    body = serializers.CharField()
    private = serializers.BooleanField(default=False)


class NoteViewSet(viewsets.ViewSet):
    """Shared notes of the meetings the caller reads, and the caller's own private notes:
    never another person's private note."""

    @extend_schema(
        parameters=[OpenApiParameter("meeting", int)], responses=OneOnOneNoteOutput(many=True)
    )
    def list(self, request: Request) -> Response:
        wanted = _filters(request)
        notes = visible_notes(request.user).order_by("meeting", "created_at", "id")
        if "meeting" in wanted:
            notes = notes.filter(meeting_id=wanted["meeting"])
        return Response(OneOnOneNoteOutput(notes[:1000], many=True).data)

    @extend_schema(request=OneOnOneNoteInput, responses={201: OneOnOneNoteOutput})
    def create(self, request: Request) -> Response:
        data = OneOnOneNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        meeting = _writable_meeting(request, values.pop("meeting"))
        with service_errors():
            note = note_services.note_add(
                meeting=meeting, author=_me(request), actor=request.user, **values
            )
        return Response(OneOnOneNoteOutput(note).data, status=status.HTTP_201_CREATED)


class OneOnOneActionInput(StrictInput):
    meeting = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    owner = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    title = serializers.CharField(max_length=300)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class OneOnOneDoneInput(StrictInput):
    done = serializers.BooleanField()


class ActionItemViewSet(viewsets.ViewSet):
    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[OpenApiParameter("series", int)], responses=OneOnOneActionOutput(many=True)
    )
    def list(self, request: Request) -> Response:
        wanted = _filters(request)
        items = visible_action_items(request.user).order_by("due_on", "id")
        if "series" in wanted:
            items = items.filter(series_id=wanted["series"])
        return Response(OneOnOneActionOutput(items[:1000], many=True).data)

    @extend_schema(request=OneOnOneActionInput, responses={201: OneOnOneActionOutput})
    def create(self, request: Request) -> Response:
        data = OneOnOneActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        meeting = _writable_meeting(request, values.pop("meeting"))
        owner = Person.objects.filter(pk=values.pop("owner"), org_id=meeting.series.org_id).first()
        if owner is None:
            raise serializers.ValidationError({"owner": ["No such person."]})
        with service_errors():
            item = note_services.action_add(
                meeting=meeting, actor=request.user, owner=owner, **values
            )
        return Response(OneOnOneActionOutput(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OneOnOneDoneInput, responses=OneOnOneActionOutput)
    def partial_update(self, request: Request, pk: str) -> Response:
        item = visible_action_items(request.user).select_related("series").filter(pk=pk).first()
        if item is None:
            raise Http404
        if not can_take_part(request.user, item.series):
            raise PermissionDenied("Only the two people of this 1:1 change it.")
        data = OneOnOneDoneInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            note_services.action_done(
                item=item, actor=request.user, done=data.validated_data["done"]
            )
        return Response(OneOnOneActionOutput(item).data)
