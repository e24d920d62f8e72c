"""API of feedback and recognition: feedback (read what the caller may read, give), requests
(asked, asked of the caller, answered through feedback), badges (admins define) and awards
(managers give). The same access functions as the pages decide every answer."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from charter.api.errors import service_errors
from charter.expectations.models import Expectation, Value
from charter.feedback import access
from charter.feedback.models import (
    ICONS,
    Award,
    Badge,
    Criterion,
    Feedback,
    FeedbackRequest,
    Kind,
    Visibility,
)
from charter.feedback.services import badges as badge_services
from charter.feedback.services import feedback as services
from charter.org.access import person_of
from charter.org.api import StrictInput
from charter.org.models import Person

LIMIT = 1000


def _me(request: Request) -> Person:
    me = person_of(request.user)
    assert me is not None  # the API's permission lets only active people in
    return me


class _OrgRelated(serializers.PrimaryKeyRelatedField):
    """An id among the caller's organization's rows of `queryset`'s model."""

    org_path = "org_id"

    def get_queryset(self) -> Any:
        me = person_of(self.context["request"].user)
        model: Any = type(self).queryset.model  # type: ignore[union-attr]
        if me is None:
            return model.objects.none()
        return model.objects.filter(**{self.org_path: me.org_id})


class _PersonField(_OrgRelated):
    queryset = Person.objects.none()


class _ValueField(_OrgRelated):
    # Retired values too: the service says why one is refused, naming the field.
    queryset = Value.objects.none()


class _ExpectationField(_OrgRelated):
    queryset = Expectation.objects.none()
    org_path = "section__document__org_id"


class _RequestField(_OrgRelated):
    queryset = FeedbackRequest.objects.none()


class _BadgeField(_OrgRelated):
    queryset = Badge.objects.none()


class FeedbackOutput(serializers.ModelSerializer):
    giver_name = serializers.CharField(source="giver.full_name", read_only=True)
    recipient_name = serializers.CharField(source="recipient.full_name", read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id", "giver", "giver_name", "recipient", "recipient_name", "kind", "visibility",
            "text", "values", "expectation", "request", "given_on", "created_at",
        ]  # fmt: skip


class FeedbackInput(StrictInput):
    recipient = _PersonField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    text = serializers.CharField(max_length=5000)
    values = _ValueField(many=True)
    expectation = _ExpectationField(required=False, allow_null=True)
    request = _RequestField(required=False, allow_null=True)


class FeedbackViewSet(viewsets.ViewSet):
    """Feedback the caller may read (private: its giver and recipient only), and giving it."""

    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[OpenApiParameter("recipient", int), OpenApiParameter("giver", int)],
        responses=FeedbackOutput(many=True),
    )
    def list(self, request: Request) -> Response:
        found = access.visible_feedback(request.user).prefetch_related("values")
        for field in ("recipient", "giver"):
            raw = request.query_params.get(field, "")
            if raw:
                wanted = int(raw) if raw.isdigit() and int(raw) < 2**63 else None
                found = found.filter(**{f"{field}_id": wanted}) if wanted else found.none()
        return Response(FeedbackOutput(found.select_related("giver", "recipient")[:LIMIT],
                                       many=True).data)  # fmt: skip

    @extend_schema(responses=FeedbackOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        found = access.visible_feedback(request.user).filter(pk=pk).first()
        if found is None:
            raise Http404
        return Response(FeedbackOutput(found).data)

    @extend_schema(request=FeedbackInput, responses={201: FeedbackOutput})
    def create(self, request: Request) -> Response:
        data = FeedbackInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        asked = fields.get("request")
        if asked is not None and not access.can_answer(request.user, asked):
            raise serializers.ValidationError(
                {"request": ["That request is not an open one sent to you."]}
            )
        with service_errors():
            found = services.feedback_give(giver=_me(request), actor=request.user, **fields)
        return Response(FeedbackOutput(found).data, status=status.HTTP_201_CREATED)


class FeedbackRequestOutput(serializers.ModelSerializer):
    class Meta:
        model = FeedbackRequest
        fields = [
            "id", "asked_by", "subject", "asked", "topic", "due_on", "created_at",
            "answered_at",
        ]  # fmt: skip


class FeedbackRequestInput(StrictInput):
    subject = _PersonField()
    asked = _PersonField(many=True)
    topic = serializers.CharField(max_length=200)
    due_on = serializers.DateField()


class RequestViewSet(viewsets.ViewSet):
    """Requests the caller asked, was asked, or is the subject of; asking for feedback."""

    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[OpenApiParameter("open", bool)], responses=FeedbackRequestOutput(many=True)
    )
    def list(self, request: Request) -> Response:
        found = access.visible_requests(request.user)
        if request.query_params.get("open") in ("true", "1"):
            found = found.filter(answered_at__isnull=True)
        return Response(FeedbackRequestOutput(found[:LIMIT], many=True).data)

    @extend_schema(responses=FeedbackRequestOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        found = access.visible_requests(request.user).filter(pk=pk).first()
        if found is None:
            raise Http404
        return Response(FeedbackRequestOutput(found).data)

    @extend_schema(request=FeedbackRequestInput, responses={201: FeedbackRequestOutput(many=True)})
    def create(self, request: Request) -> Response:
        data = FeedbackRequestInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if not access.can_ask_about(request.user, fields["subject"]):
            raise serializers.ValidationError(
                {"subject": ["Ask about yourself or someone who reports to you."]}
            )
        with service_errors():
            made = services.request_create(
                asked_by=_me(request), actor=request.user, subject=fields["subject"],
                asked=list(fields["asked"]), topic=fields["topic"], due_on=fields["due_on"],
            )  # fmt: skip
        return Response(FeedbackRequestOutput(made, many=True).data, status=status.HTTP_201_CREATED)


class BadgeOutput(serializers.ModelSerializer):
    class Meta:
        model = Badge
        fields = [
            "id", "name", "description", "icon", "value", "criterion", "threshold", "kpi_key",
            "is_active",
        ]  # fmt: skip


class BadgeInput(StrictInput):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    icon = serializers.ChoiceField(choices=ICONS)
    value = _ValueField()
    criterion = serializers.ChoiceField(choices=Criterion.choices, required=False, default="")
    threshold = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, default=None
    )
    kpi_key = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class BadgeViewSet(viewsets.ViewSet):
    """The organization's badges: everyone reads them, admins define them."""

    lookup_value_regex = r"\d+"

    @extend_schema(responses=BadgeOutput(many=True))
    def list(self, request: Request) -> Response:
        return Response(BadgeOutput(access.visible_badges(request.user), many=True).data)

    @extend_schema(responses=BadgeOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        found = access.visible_badges(request.user).filter(pk=pk).first()
        if found is None:
            raise Http404
        return Response(BadgeOutput(found).data)

    @extend_schema(request=BadgeInput, responses={201: BadgeOutput})
    def create(self, request: Request) -> Response:
        if not access.can_manage_badges(request.user):
            raise PermissionDenied("Only admins define badges.")
        data = BadgeInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with service_errors():
            badge = badge_services.badge_create(
                org=_me(request).org, actor=request.user, **data.validated_data
            )
        return Response(BadgeOutput(badge).data, status=status.HTTP_201_CREATED)


class AwardOutput(serializers.ModelSerializer):
    class Meta:
        model = Award
        fields = [
            "id", "badge", "person", "achievement", "reason", "awarded_by", "awarded_on",
        ]  # fmt: skip


class AwardInput(StrictInput):
    badge = _BadgeField()
    person = _PersonField()
    reason = serializers.CharField(max_length=300)


class AwardViewSet(viewsets.ViewSet):
    """Badges awarded: public recognition every person of the organization reads; managers
    award the people below them, admins anyone."""

    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[OpenApiParameter("person", int)], responses=AwardOutput(many=True))
    def list(self, request: Request) -> Response:
        found = Award.objects.filter(org_id=_me(request).org_id)
        raw = request.query_params.get("person", "")
        if raw:
            wanted = int(raw) if raw.isdigit() and int(raw) < 2**63 else None
            found = found.filter(person_id=wanted) if wanted else found.none()
        return Response(AwardOutput(found[:LIMIT], many=True).data)

    @extend_schema(responses=AwardOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        found = Award.objects.filter(org_id=_me(request).org_id, pk=pk).first()
        if found is None:
            raise Http404
        return Response(AwardOutput(found).data)

    @extend_schema(request=AwardInput, responses={201: AwardOutput})
    def create(self, request: Request) -> Response:
        if not access.can_award_someone(request.user):
            raise PermissionDenied("Managers and admins award badges.")
        data = AwardInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with service_errors():
            award = badge_services.award_give(
                actor=request.user, awarder=_me(request), **data.validated_data
            )
        return Response(AwardOutput(award).data, status=status.HTTP_201_CREATED)
