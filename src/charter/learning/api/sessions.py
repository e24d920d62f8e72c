"""API for sessions and enrolments: scheduling (admins, the training's team managers),
enrolling and cancelling (the person, their managers), attendance (the facilitator, the
person's managers). The same rules and services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from charter.api.errors import service_errors
from charter.learning.access import (
    can_create_training,
    can_enrol,
    can_manage_session,
    can_schedule_session,
    can_take_attendance,
    visible_sessions,
    visible_trainings,
)
from charter.learning.models import Attendance, Enrolment, Training, TrainingSession
from charter.learning.services import sessions as services
from charter.org.access import person_of, visible_people
from charter.org.api import StrictInput
from charter.org.models import Person


class SessionOutput(serializers.ModelSerializer):
    training_title = serializers.CharField(source="training.title", read_only=True)
    is_cancelled = serializers.BooleanField(read_only=True)

    class Meta:
        model = TrainingSession
        fields = [
            "id", "training", "training_title", "starts_at", "ends_at", "time_zone",
            "location", "video_link", "capacity", "facilitator", "sequence", "is_cancelled",
        ]  # fmt: skip


class EnrolmentOutput(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["id", "session", "person", "status", "queue", "attendance"]


class _Visible(serializers.PrimaryKeyRelatedField):
    """An id among what the caller may read (`read(user)`), else "does not exist"."""

    def __init__(self, read: Any, **kwargs: Any) -> None:
        self.read = read
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return self.read(self.context["request"].user)


class SessionInput(StrictInput):
    training = _Visible(visible_trainings, queryset=Training.objects.none())
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    time_zone = serializers.CharField(max_length=64)
    location = serializers.CharField(required=False, allow_blank=True, default="")
    video_link = serializers.URLField(required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(min_value=1, max_value=services.MAX_CAPACITY)
    facilitator = _Visible(visible_people, queryset=Person.objects.none())


class SessionChange(SessionInput):
    training = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class EnrolInput(StrictInput):
    session = _Visible(visible_sessions, queryset=TrainingSession.objects.none())
    person = _Visible(visible_people, queryset=Person.objects.none(), required=False)


class AttendanceInput(StrictInput):
    attendance = serializers.ChoiceField(choices=Attendance.choices)


def _session(request: Request, pk: str) -> TrainingSession:
    found = visible_sessions(request.user).filter(pk=pk).select_related("training").first()
    if found is None:
        raise Http404
    return found


class SessionViewSet(viewsets.ViewSet):
    """Sessions of the trainings the caller reads; those who may edit a training schedule,
    change and cancel its sessions."""

    lookup_value_regex = r"\d+"

    @extend_schema(responses=SessionOutput(many=True))
    def list(self, request: Request) -> Response:
        sessions = visible_sessions(request.user).select_related("training")
        return Response(SessionOutput(sessions.order_by("-starts_at")[:1000], many=True).data)

    @extend_schema(responses=SessionOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(SessionOutput(_session(request, pk)).data)

    @extend_schema(request=SessionInput, responses={201: SessionOutput})
    def create(self, request: Request) -> Response:
        if not can_create_training(request.user):
            raise PermissionDenied("Admins and team managers schedule sessions.")
        data = SessionInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        if not can_schedule_session(request.user, data.validated_data["training"]):
            raise PermissionDenied("Admins and the training's team managers schedule sessions.")
        with service_errors():
            session = services.session_create(actor=request.user, **data.validated_data)
        return Response(SessionOutput(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SessionChange, responses=SessionOutput)
    def partial_update(self, request: Request, pk: str) -> Response:
        session = _session(request, pk)
        if not can_manage_session(request.user, session):
            raise PermissionDenied("Admins and the training's team managers change sessions.")
        data = SessionChange(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with service_errors():
            session = services.session_update(
                session=session, actor=request.user, **data.validated_data
            )
        return Response(SessionOutput(session).data)

    @extend_schema(request=None, responses=SessionOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        session = _session(request, pk)
        if not can_manage_session(request.user, session):
            raise PermissionDenied("Admins and the training's team managers cancel sessions.")
        session = services.session_cancel(session=session, actor=request.user)
        return Response(SessionOutput(session).data)


class EnrolmentViewSet(viewsets.ViewSet):
    """Places in sessions: the caller's and those of the people they may read. A person enrols
    and cancels themself (executives too); managers do it for their people."""

    lookup_value_regex = r"\d+"
    personal_actions = ("create", "cancel")

    def _visible(self, request: Request) -> Any:
        return Enrolment.objects.filter(
            session__in=visible_sessions(request.user),
            person__in=visible_people(request.user),
        ).select_related("session__training", "person")

    def _get(self, request: Request, pk: str) -> Enrolment:
        found = self._visible(request).filter(pk=pk).first()
        if found is None:
            raise Http404
        return found

    @extend_schema(responses=EnrolmentOutput(many=True))
    def list(self, request: Request) -> Response:
        rows = self._visible(request).order_by("session_id", "queue")[:1000]
        return Response(EnrolmentOutput(rows, many=True).data)

    @extend_schema(responses=EnrolmentOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(EnrolmentOutput(self._get(request, pk)).data)

    @extend_schema(request=EnrolInput, responses={201: EnrolmentOutput})
    def create(self, request: Request) -> Response:
        data = EnrolInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        me = person_of(request.user)
        person = data.validated_data.get("person") or me
        if person is None or not can_enrol(request.user, person):
            raise PermissionDenied("People enrol themselves; their managers may enrol them.")
        with service_errors():
            enrolment = services.enrol(
                session=data.validated_data["session"],
                person=person,
                actor=request.user,
                by_manager=me is None or person.pk != me.pk,
            )
        return Response(EnrolmentOutput(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EnrolmentOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        enrolment = self._get(request, pk)
        if not can_enrol(request.user, enrolment.person):
            raise PermissionDenied("A place is cancelled by its holder or their managers.")
        with service_errors():
            enrolment = services.enrolment_cancel(enrolment=enrolment, actor=request.user)
        return Response(EnrolmentOutput(enrolment).data)

    @extend_schema(request=AttendanceInput, responses=EnrolmentOutput)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        enrolment = self._get(request, pk)
        if not can_take_attendance(request.user, enrolment.session, enrolment.person):
            raise PermissionDenied("The facilitator and the person's managers take attendance.")
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            enrolment = services.attendance_set(
                enrolment=enrolment, actor=request.user, **data.validated_data
            )
        return Response(EnrolmentOutput(enrolment).data)
