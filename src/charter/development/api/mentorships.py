"""API for mentor offers, requests, mentorships and their meeting log: the same access rules
and services as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from charter.api.errors import service_errors
from charter.development import selectors
from charter.development.access import (
    can_answer,
    can_ask,
    can_change_status,
    can_log_meeting,
    can_pair,
    can_pair_anyone,
    can_read_meetings,
    can_withdraw_offer,
    listed_offers,
    visible_mentorships,
    visible_requests,
)
from charter.development.models import (
    Cadence,
    Meeting,
    MentorOffer,
    MentorRequest,
    Mentorship,
    MentorshipStatus,
)
from charter.development.services import mentorships as services
from charter.expectations.markdown import render as render_markdown
from charter.org.access import person_of
from charter.org.api import StrictInput
from charter.org.models import Person


def _me(request: Request) -> Person:
    me = person_of(request.user)
    assert me is not None  # the default permission let only active people in
    return me


# --- offers --------------------------------------------------------------------------------------


class MentorOfferOutput(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    topics = serializers.ListField(source="topic_list", child=serializers.CharField())

    class Meta:
        model = MentorOffer
        fields = ["id", "person", "person_name", "topics", "note", "is_active", "created_at"]


class MentorOfferInput(StrictInput):
    topics = serializers.ListField(child=serializers.CharField(max_length=60), min_length=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OfferViewSet(viewsets.ViewSet):
    """Listed mentors. Each person lists themselves (or changes their topics) and withdraws."""

    lookup_value_regex = r"\d+"
    # Offering to mentor is personal: executives too.
    personal_actions = ("create", "withdraw")

    @extend_schema(responses=MentorOfferOutput(many=True))
    def list(self, request: Request) -> Response:
        return Response(MentorOfferOutput(selectors.offers(request.user), many=True).data)

    @extend_schema(responses=MentorOfferOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        offer = listed_offers(request.user).filter(pk=pk).first()
        if offer is None:
            raise Http404
        return Response(MentorOfferOutput(offer).data)

    @extend_schema(request=MentorOfferInput, responses={201: MentorOfferOutput})
    def create(self, request: Request) -> Response:
        data = MentorOfferInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            offer = services.offer_save(
                person=_me(request), actor=request.user, **data.validated_data
            )
        return Response(MentorOfferOutput(offer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MentorOfferOutput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        offer = listed_offers(request.user).filter(pk=pk).first()
        if offer is None:
            raise Http404
        if not can_withdraw_offer(request.user, offer):
            raise PermissionDenied("Only the mentor withdraws their offer.")
        with service_errors():
            services.offer_withdraw(offer=offer, actor=request.user)
        return Response(MentorOfferOutput(offer).data)


# --- requests ----------------------------------------------------------------------------------


class MentorRequestOutput(serializers.ModelSerializer):
    mentor = serializers.IntegerField(source="offer.person_id", read_only=True)

    class Meta:
        model = MentorRequest
        fields = [
            "id", "offer", "mentor", "mentee", "goals", "message", "status", "answer_note",
            "answered_at", "mentorship", "created_at",
        ]  # fmt: skip


class _ListedOfferField(serializers.PrimaryKeyRelatedField):
    """An offer id among the caller's organization's listed mentors."""

    queryset = MentorOffer.objects.none()  # tells the schema the model

    def get_queryset(self) -> QuerySet[MentorOffer]:
        return listed_offers(self.context["request"].user)


class MentorRequestInput(StrictInput):
    offer = _ListedOfferField()
    goals = serializers.CharField()
    message = serializers.CharField(required=False, allow_blank=True, default="")


class MentorAnswerInput(StrictInput):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    cadence = serializers.ChoiceField(choices=Cadence.choices, default=Cadence.MONTHLY)


class RequestViewSet(viewsets.ViewSet):
    """Requests to be mentored: the caller's own, and those made to them. The mentor answers;
    accepting starts an active mentorship."""

    lookup_value_regex = r"\d+"
    personal_actions = ("create", "answer")

    def _found(self, request: Request, pk: str) -> MentorRequest:
        found = visible_requests(request.user).select_related("offer").filter(pk=pk).first()
        if found is None:
            raise Http404
        return found

    @extend_schema(responses=MentorRequestOutput(many=True))
    def list(self, request: Request) -> Response:
        found = visible_requests(request.user).select_related("offer")[:500]
        return Response(MentorRequestOutput(found, many=True).data)

    @extend_schema(responses=MentorRequestOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(MentorRequestOutput(self._found(request, pk)).data)

    @extend_schema(request=MentorRequestInput, responses={201: MentorRequestOutput})
    def create(self, request: Request) -> Response:
        data = MentorRequestInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        offer = data.validated_data["offer"]
        if not can_ask(request.user, offer):
            raise serializers.ValidationError({"offer": ["You cannot ask yourself."]})
        with service_errors():
            found = services.request_create(
                mentee=_me(request), actor=request.user, **data.validated_data
            )
        return Response(MentorRequestOutput(found).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MentorAnswerInput, responses=MentorRequestOutput)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        found = self._found(request, pk)
        if not can_answer(request.user, found):
            raise PermissionDenied("Only the mentor asked answers, once.")
        data = MentorAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.request_answer(request=found, actor=request.user, **data.validated_data)
        return Response(MentorRequestOutput(found).data)


# --- mentorships and meetings ------------------------------------------------------------------


class MentorshipOutput(serializers.ModelSerializer):
    mentor_name = serializers.CharField(source="mentor.full_name", read_only=True)
    mentee_name = serializers.CharField(source="mentee.full_name", read_only=True)

    class Meta:
        model = Mentorship
        fields = [
            "id", "mentor", "mentor_name", "mentee", "mentee_name", "goals", "starts_on",
            "ends_on", "cadence", "status", "end_reason",
        ]  # fmt: skip


class _OrgPersonField(serializers.PrimaryKeyRelatedField):
    """A person id among the caller's organization's (pairing rights are checked after, so an
    id outside the organization reads as "does not exist")."""

    queryset = Person.objects.none()  # tells the schema the model

    def get_queryset(self) -> QuerySet[Person]:
        me = person_of(self.context["request"].user)
        return Person.objects.filter(org_id=me.org_id if me else None)


class MentorshipPairInput(StrictInput):
    mentor = _OrgPersonField()
    mentee = _OrgPersonField()
    goals = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    cadence = serializers.ChoiceField(choices=Cadence.choices, default=Cadence.MONTHLY)


class MentorshipStatusInput(StrictInput):
    # Every status is accepted here; the service says which may follow the current one.
    status = serializers.ChoiceField(choices=MentorshipStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingOutput(serializers.ModelSerializer):
    notes_html = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "met_on", "notes", "notes_html", "created_at"]

    def get_notes_html(self, meeting: Meeting) -> str:
        return render_markdown(meeting.notes)


class MeetingInput(StrictInput):
    met_on = serializers.DateField()
    notes = serializers.CharField()


class MentorshipViewSet(viewsets.ViewSet):
    """Mentorships the caller may see (the pair, the managers above either, admins). Admins
    and managers pair people (proposed until the mentor confirms); the meeting log is read by
    the pair, the mentee's managers and admins, and written by the pair."""

    lookup_value_regex = r"\d+"
    personal_actions = ("meetings",)

    def _found(self, request: Request, pk: str) -> Mentorship:
        found = visible_mentorships(request.user).select_related("mentor", "mentee", "org")
        mentorship = found.filter(pk=pk).first()
        if mentorship is None:
            raise Http404
        return mentorship

    @extend_schema(responses=MentorshipOutput(many=True))
    def list(self, request: Request) -> Response:
        found = selectors.mentorships(request.user)[:1000]
        return Response(MentorshipOutput(found, many=True).data)

    @extend_schema(responses=MentorshipOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(MentorshipOutput(self._found(request, pk)).data)

    @extend_schema(request=MentorshipPairInput, responses={201: MentorshipOutput})
    def create(self, request: Request) -> Response:
        if not can_pair_anyone(request.user):
            raise PermissionDenied("Managers pair their people; admins pair anyone.")
        data = MentorshipPairInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields: dict[str, Any] = dict(data.validated_data)
        if not can_pair(request.user, fields["mentor"], fields["mentee"]):
            raise PermissionDenied("You may pair only the people in your reach.")
        with service_errors():
            mentorship = services.mentorship_create(
                org=_me(request).org, actor=request.user, **fields
            )
        return Response(MentorshipOutput(mentorship).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MentorshipStatusInput, responses=MentorshipOutput)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str) -> Response:
        mentorship = self._found(request, pk)
        data = MentorshipStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not can_change_status(request.user, mentorship, data.validated_data["status"]):
            raise PermissionDenied("You may not change this mentorship.")
        with service_errors():
            services.mentorship_set_status(
                mentorship=mentorship, actor=request.user, **data.validated_data
            )
        return Response(MentorshipOutput(mentorship).data)

    @extend_schema(methods=["get"], request=None, responses=MeetingOutput(many=True))
    @extend_schema(methods=["post"], request=MeetingInput, responses={201: MeetingOutput})
    @action(detail=True, methods=["get", "post"])
    def meetings(self, request: Request, pk: str) -> Response:
        mentorship = self._found(request, pk)
        if request.method == "GET":
            if not can_read_meetings(request.user, mentorship):
                raise PermissionDenied("The meeting log is the pair's and the mentee's managers'.")
            return Response(MeetingOutput(selectors.meetings(mentorship), many=True).data)
        if not can_log_meeting(request.user, mentorship):
            raise PermissionDenied("The pair logs meetings while the mentorship is active.")
        data = MeetingInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            meeting = services.meeting_log(
                mentorship=mentorship, actor=request.user, **data.validated_data
            )
        return Response(MeetingOutput(meeting).data, status=status.HTTP_201_CREATED)
