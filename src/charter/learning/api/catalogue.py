"""API for the training catalogue: the same access rules and services as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from charter.api.errors import service_errors
from charter.expectations.access import visible_documents
from charter.expectations.markdown import render as render_markdown
from charter.expectations.models import Expectation, Value
from charter.learning import selectors
from charter.learning.access import (
    can_create_training,
    can_create_training_for,
    can_edit_training,
    visible_trainings,
)
from charter.learning.models import Kind, Training
from charter.learning.services import catalogue as services
from charter.org.access import person_of
from charter.org.api import StrictInput, VisibleTeamField


class TrainingOutput(serializers.ModelSerializer):
    values: serializers.SlugRelatedField[Value] = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )
    description_html = serializers.SerializerMethodField()
    tags = serializers.ListField(source="tag_list", child=serializers.CharField())

    class Meta:
        model = Training
        fields = [
            "id", "code", "title", "kind", "team", "description", "description_html", "provider",
            "link", "expected_hours", "values", "expectations", "tags", "is_active",
        ]  # fmt: skip

    def get_description_html(self, training: Training) -> str:
        return render_markdown(training.description)


class _OrgValueField(serializers.SlugRelatedField):
    """A company value by name, among the caller's organization's."""

    queryset = Value.objects.none()  # tells the schema the model; get_queryset does the work

    def get_queryset(self) -> QuerySet[Value]:
        me = person_of(self.context["request"].user)
        return Value.objects.filter(org_id=me.org_id if me else None)


class _VisibleExpectationField(serializers.PrimaryKeyRelatedField):
    """An expectation id among the documents the caller may read."""

    queryset = Expectation.objects.none()  # tells the schema the model

    def get_queryset(self) -> QuerySet[Expectation]:
        documents = visible_documents(self.context["request"].user)
        return Expectation.objects.filter(section__document__in=documents)


class TrainingInput(StrictInput):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Kind.choices)
    expected_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    team = VisibleTeamField(required=False, allow_null=True)
    code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    provider = serializers.CharField(max_length=120, required=False, allow_blank=True)
    link = serializers.URLField(max_length=500, required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    values = _OrgValueField(slug_field="name", many=True, required=False)
    expectations = _VisibleExpectationField(many=True, required=False)
    is_active = serializers.BooleanField(required=False)


def _training(request: Request, pk: Any) -> Training:
    training = visible_trainings(request.user).filter(pk=pk).first()
    if training is None:
        raise Http404
    return training


class TrainingFilter(serializers.Serializer):
    """The list's query parameters, read as input: text with a NUL byte or an unknown kind is a
    400 naming the parameter, never a database error."""

    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    tag = serializers.CharField(required=False, allow_blank=True, max_length=100)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    retired = serializers.BooleanField(required=False, default=False)


class TrainingViewSet(viewsets.ViewSet):
    """The training catalogue. Everyone reads what applies to them; admins and the managers of
    a team add and change trainings (retire one with `is_active: false`)."""

    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[TrainingFilter],
        responses=TrainingOutput(many=True),
    )
    def list(self, request: Request) -> Response:
        filters = TrainingFilter(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        trainings = selectors.catalogue(
            request.user,
            kind=wanted.get("kind", ""),
            tag=wanted.get("tag", ""),
            query=wanted.get("q", ""),
            retired=wanted["retired"],
        ).prefetch_related("values", "expectations")
        return Response(TrainingOutput(trainings, many=True).data)

    @extend_schema(responses=TrainingOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(TrainingOutput(_training(request, pk)).data)

    @extend_schema(request=TrainingInput, responses={201: TrainingOutput})
    def create(self, request: Request) -> Response:
        if not can_create_training(request.user):
            raise PermissionDenied("Admins and team managers add trainings.")
        data = TrainingInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("is_active", None)
        if not can_create_training_for(request.user, fields.get("team")):
            raise PermissionDenied("You may add trainings for the teams you run only.")
        me = person_of(request.user)
        assert me is not None
        with service_errors():
            training = services.training_create(org=me.org, actor=request.user, **fields)
        return Response(TrainingOutput(training).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TrainingInput(partial=True), responses=TrainingOutput)
    def partial_update(self, request: Request, pk: str) -> Response:
        training = _training(request, pk)
        if not can_edit_training(request.user, training):
            raise PermissionDenied("Only admins and the team's managers change this training.")
        data = TrainingInput(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "team" in fields and not can_create_training_for(request.user, fields["team"]):
            raise PermissionDenied("You may move trainings to the teams you run only.")
        values, expectations = fields.pop("values", None), fields.pop("expectations", None)
        with service_errors():
            services.training_update(
                training=training,
                actor=request.user,
                values=values,
                expectations=expectations,
                **fields,
            )
        return Response(TrainingOutput(training).data)
