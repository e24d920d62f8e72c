"""API for completions: a person's own reports, their managers' approvals, the records each
caller may read."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from charter.api.errors import service_errors
from charter.learning.access import (
    can_report_completion,
    can_review_completion,
    visible_completions,
    visible_trainings,
)
from charter.learning.models import Completion, Status, Training
from charter.learning.services import completions as services
from charter.org.access import person_of
from charter.org.api import StrictInput


class CompletionOutput(serializers.ModelSerializer):
    training_title = serializers.CharField(source="training.title", read_only=True)

    class Meta:
        model = Completion
        fields = [
            "id", "person", "training", "training_title", "completed_on", "hours", "score",
            "note", "source", "status", "review_note", "reviewed_at",
        ]  # fmt: skip


class _ActiveTrainingField(serializers.PrimaryKeyRelatedField):
    """A training id among the active ones the caller reads."""

    queryset = Training.objects.none()  # tells the schema the model

    def get_queryset(self) -> Any:
        return visible_trainings(self.context["request"].user).filter(is_active=True)


class CompletionInput(StrictInput):
    training = _ActiveTrainingField()
    completed_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    score = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True)


class ReviewInput(StrictInput):
    approve = serializers.BooleanField()
    review_note = serializers.CharField(required=False, allow_blank=True, default="")


class CompletionViewSet(viewsets.ViewSet):
    """Completions. Each caller reads the records of the people they may read and reports
    their own (approved later by their manager); managers and admins approve or send back."""

    lookup_value_regex = r"\d+"
    # Reporting one's own learning is personal, like signing: executives may too.
    personal_actions = ("create",)

    @extend_schema(
        parameters=[
            OpenApiParameter("person", int),
            OpenApiParameter("status", str, enum=Status.values),
        ],
        responses=CompletionOutput(many=True),
    )
    def list(self, request: Request) -> Response:
        completions = visible_completions(request.user).select_related("training")
        person = request.query_params.get("person", "")
        if person:
            # An id no database holds (not digits, or past 64 bits) matches nobody.
            wanted = int(person) if person.isdigit() and int(person) < 2**63 else None
            completions = completions.filter(person_id=wanted) if wanted else completions.none()
        if request.query_params.get("status") in Status.values:
            completions = completions.filter(status=request.query_params["status"])
        return Response(CompletionOutput(completions[:1000], many=True).data)

    @extend_schema(responses=CompletionOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        completion = visible_completions(request.user).filter(pk=pk).first()
        if completion is None:
            raise Http404
        return Response(CompletionOutput(completion).data)

    @extend_schema(request=CompletionInput, responses={201: CompletionOutput})
    def create(self, request: Request) -> Response:
        if not can_report_completion(request.user):
            raise PermissionDenied("Only active people report completions.")
        data = CompletionInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        me = person_of(request.user)
        assert me is not None
        with service_errors():
            completion = services.completion_report(
                person=me, actor=request.user, **data.validated_data
            )
        return Response(CompletionOutput(completion).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReviewInput, responses=CompletionOutput)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        completion = visible_completions(request.user).filter(pk=pk).first()
        if completion is None:
            raise Http404
        if not can_review_completion(request.user, completion):
            raise PermissionDenied("Only the person's managers approve their completions.")
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.completion_review(
                completion=completion, actor=request.user, **data.validated_data
            )
        return Response(CompletionOutput(completion).data)
